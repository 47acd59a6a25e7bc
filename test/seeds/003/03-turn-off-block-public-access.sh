#!/usr/bin/env bash
# Seed 003, "you can choose to make your buckets, folders, and objects public": the console's
# Permissions tab, "Block public access (bucket settings)", Edit, untick "Block all public access",
# Save: the four settings go off.
# Usage: 03-turn-off-block-public-access.sh <bucket> <region>
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../common/env.sh"
BUCKET="${1:?bucket name}"
REGION="${2:?the region of the bucket}"

aws s3api put-public-access-block --bucket "$BUCKET" --region "$REGION" \
  --public-access-block-configuration BlockPublicAcls=false,IgnorePublicAcls=false,BlockPublicPolicy=false,RestrictPublicBuckets=false \
  --endpoint-url "$BONSAI_ENDPOINT"
aws s3api get-public-access-block --bucket "$BUCKET" --region "$REGION" --endpoint-url "$BONSAI_ENDPOINT" --output json | save "get-public-access-block-$BUCKET"
