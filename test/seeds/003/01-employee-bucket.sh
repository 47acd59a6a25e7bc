#!/usr/bin/env bash
# Seed 003, "Amazon S3": the employee directory's photo bucket, with a photo uploaded to the
# employees folder (run as the bucket's owner). A new bucket is private, with all four Block
# Public Access settings on, as AWS makes every bucket since April 2023.
# Usage: 01-employee-bucket.sh <bucket> <region> <photo file>
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../common/env.sh"
BUCKET="${1:?bucket name, e.g. employeebucket}"
REGION="${2:?the region of the bucket}"
PHOTO="${3:?a photo to upload as employees/employee.jpg}"

if [ "$REGION" = us-east-1 ]; then
  aws s3api create-bucket --bucket "$BUCKET" --region "$REGION" --endpoint-url "$BONSAI_ENDPOINT" --output json | save "create-bucket-$BUCKET"
else
  aws s3api create-bucket --bucket "$BUCKET" --region "$REGION" --create-bucket-configuration "LocationConstraint=$REGION" \
    --endpoint-url "$BONSAI_ENDPOINT" --output json | save "create-bucket-$BUCKET"
fi
aws s3api put-object --bucket "$BUCKET" --key employees/employee.jpg --body "$PHOTO" --content-type image/jpeg \
  --region "$REGION" --endpoint-url "$BONSAI_ENDPOINT" --output json | save put-object-employee-jpg
aws s3api get-public-access-block --bucket "$BUCKET" --region "$REGION" --endpoint-url "$BONSAI_ENDPOINT" --output json | save "get-public-access-block-$BUCKET"
