#!/usr/bin/env bash
# Seed 003, "Use versioning to preserve objects": with versioning enabled, uploading employee.jpg
# again keeps the first photo as an older version; deleting it only puts a delete marker on top;
# removing the marker "reinstates the object". Each step's output is saved.
# Usage: 04-versioning.sh <bucket> <region> <first photo> <second photo>
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../common/env.sh"
BUCKET="${1:?bucket name}"
REGION="${2:?the region of the bucket}"
FIRST="${3:?the first employee.jpg}"
SECOND="${4:?the second employee.jpg}"
KEY=employees/employee.jpg
S3API=(aws s3api --region "$REGION" --endpoint-url "$BONSAI_ENDPOINT" --output json)

"${S3API[@]}" get-bucket-versioning --bucket "$BUCKET" | save versioning-0-unversioned
"${S3API[@]}" put-bucket-versioning --bucket "$BUCKET" --versioning-configuration Status=Enabled
"${S3API[@]}" get-bucket-versioning --bucket "$BUCKET" | save versioning-1-enabled

# Two versions of employee.jpg.
"${S3API[@]}" put-object --bucket "$BUCKET" --key "$KEY" --body "$FIRST" --content-type image/jpeg | save versioning-2-put-first
"${S3API[@]}" put-object --bucket "$BUCKET" --key "$KEY" --body "$SECOND" --content-type image/jpeg | save versioning-3-put-second
"${S3API[@]}" list-object-versions --bucket "$BUCKET" --prefix "$KEY" | save versioning-4-two-versions

# Delete: a delete marker becomes the current version; GET now answers 404.
"${S3API[@]}" delete-object --bucket "$BUCKET" --key "$KEY" | save versioning-5-delete
"${S3API[@]}" list-object-versions --bucket "$BUCKET" --prefix "$KEY" | save versioning-6-with-marker

# Restore: delete the marker itself (by its version id).
MARKER=$(jq -r .VersionId "$SEED_OUT/versioning-5-delete.json")
"${S3API[@]}" delete-object --bucket "$BUCKET" --key "$KEY" --version-id "$MARKER" | save versioning-7-remove-marker
"${S3API[@]}" get-object --bucket "$BUCKET" --key "$KEY" "$SEED_OUT/employee-restored.jpg" | save versioning-8-get-restored

# The first photo is still there under its own version id.
FIRST_VERSION=$(jq -r .VersionId "$SEED_OUT/versioning-2-put-first.json")
"${S3API[@]}" get-object --bucket "$BUCKET" --key "$KEY" --version-id "$FIRST_VERSION" "$SEED_OUT/employee-first.jpg" | save versioning-9-get-first
