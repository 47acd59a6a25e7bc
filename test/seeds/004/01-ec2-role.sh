#!/usr/bin/env bash
# Seed 004, "Steps to create an IAM role for an AWS EC2 instance using S3 for storage and DynamoDB
# as the database" (run as root). The console's "AWS service -> EC2" role also gets an instance
# profile of the same name, which is what EC2's "Attach/Replace IAM Role" lists.
# Usage: 01-ec2-role.sh [role name]   (the seed leaves the name to you; the course names it
# S3DynamoDBFullAccessRole)
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../common/env.sh"
ROLE="${1:-S3DynamoDBFullAccessRole}"

aws iam create-role --role-name "$ROLE" --assume-role-policy-document "file://$HERE/ec2-trust-policy.json" \
  --description "Allows EC2 instances to call AWS services on your behalf." \
  --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-role
aws iam attach-role-policy --role-name "$ROLE" --policy-arn arn:aws:iam::aws:policy/AmazonS3FullAccess \
  --endpoint-url "$BONSAI_ENDPOINT" --output json
aws iam attach-role-policy --role-name "$ROLE" --policy-arn arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess \
  --endpoint-url "$BONSAI_ENDPOINT" --output json
aws iam create-instance-profile --instance-profile-name "$ROLE" --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-instance-profile
aws iam add-role-to-instance-profile --instance-profile-name "$ROLE" --role-name "$ROLE" \
  --endpoint-url "$BONSAI_ENDPOINT" --output json

# 7. "Make a note of this ARN".
aws iam get-role --role-name "$ROLE" --endpoint-url "$BONSAI_ENDPOINT" --output json | save get-role
aws iam list-attached-role-policies --role-name "$ROLE" --endpoint-url "$BONSAI_ENDPOINT" --output json | save list-attached-role-policies
aws iam get-instance-profile --instance-profile-name "$ROLE" --endpoint-url "$BONSAI_ENDPOINT" --output json | save get-instance-profile
