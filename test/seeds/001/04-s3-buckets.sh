#!/usr/bin/env bash
# Seed 001, "Create S3 buckets" (run as admin_<name>, AWS_REGION=ap-southeast-2): <name>-landing-zone
# and <name>-analysis in ap-southeast-2, ACLs disabled (Object Ownership: bucket owner enforced),
# all public access blocked, versioning enabled, default encryption with S3-managed keys (SSE-S3).
# The console's "Create bucket" page makes these calls (its Properties and Permissions tabs then
# show them: get-bucket-versioning, get-bucket-encryption, get-public-access-block, …).
# Usage: 04-s3-buckets.sh <name>
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../common/env.sh"
NAME="${1:?your name, as in <name>-landing-zone}"
REGION=ap-southeast-2

for BUCKET in "$NAME-landing-zone" "$NAME-analysis"; do
  aws s3api create-bucket --bucket "$BUCKET" --region "$REGION" \
    --create-bucket-configuration "LocationConstraint=$REGION" \
    --object-ownership BucketOwnerEnforced --endpoint-url "$BONSAI_ENDPOINT" --output json | save "create-bucket-$BUCKET"
  aws s3api put-public-access-block --bucket "$BUCKET" --region "$REGION" \
    --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true \
    --endpoint-url "$BONSAI_ENDPOINT"
  aws s3api put-bucket-versioning --bucket "$BUCKET" --region "$REGION" \
    --versioning-configuration Status=Enabled --endpoint-url "$BONSAI_ENDPOINT"
  aws s3api put-bucket-encryption --bucket "$BUCKET" --region "$REGION" \
    --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"},"BucketKeyEnabled":true}]}' \
    --endpoint-url "$BONSAI_ENDPOINT"
done
