#!/usr/bin/env bash
# Seed 003, "Understand S3 bucket policies": the PublicRead policy ("allow anonymous viewers to read
# the objects in employeebucket"), public-read-policy.template.json with the bucket's name, then
# the bucket's policy status. While Block Public Access is on, S3 refuses a public policy and
# this script stops at put-bucket-policy with S3's AccessDenied.
# Usage: 02-public-read-policy.sh <bucket> <region>
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../common/env.sh"
BUCKET="${1:?bucket name}"
REGION="${2:?the region of the bucket}"

sed "s/\${BUCKET}/$BUCKET/g" "$HERE/public-read-policy.template.json" > "$SEED_OUT/public-read-policy-$BUCKET.json"
aws s3api put-bucket-policy --bucket "$BUCKET" --policy "file://$SEED_OUT/public-read-policy-$BUCKET.json" \
  --region "$REGION" --endpoint-url "$BONSAI_ENDPOINT"
aws s3api get-bucket-policy-status --bucket "$BUCKET" --region "$REGION" --endpoint-url "$BONSAI_ENDPOINT" --output json | save "get-bucket-policy-status-$BUCKET"
