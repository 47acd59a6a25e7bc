#!/usr/bin/env bash
# Seed 004, "Creating an IAM EC2Admin user and added to EC2Admins user group with EC2Full Access",
# steps 1-15 (run as root): programmatic and console access, the EC2Admins group with
# AmazonEC2FullAccess.
# Usage: 02-ec2-admin-user.sh <console password>
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../common/env.sh"
PASSWORD="${1:?a console password for EC2Admin}"

# 8. "Create group" when EC2Admins does not exist, with EC2 full access.
aws iam create-group --group-name EC2Admins --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-group-EC2Admins
aws iam attach-group-policy --group-name EC2Admins --policy-arn arn:aws:iam::aws:policy/AmazonEC2FullAccess \
  --endpoint-url "$BONSAI_ENDPOINT" --output json

# 5. "EC2Admin" with "AWS Management Console access" ...
aws iam create-user --user-name EC2Admin --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-user-EC2Admin
aws iam create-login-profile --user-name EC2Admin --password "$PASSWORD" \
  --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-login-profile-EC2Admin
# 7. ... in the EC2Admins group ...
aws iam add-user-to-group --group-name EC2Admins --user-name EC2Admin --endpoint-url "$BONSAI_ENDPOINT" --output json
# 14. ... and "Programmatic access": the access key of the downloaded .csv.
aws iam create-access-key --user-name EC2Admin --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-access-key-EC2Admin

aws iam list-groups-for-user --user-name EC2Admin --endpoint-url "$BONSAI_ENDPOINT" --output json | save list-groups-for-user-EC2Admin
aws iam list-attached-group-policies --group-name EC2Admins --endpoint-url "$BONSAI_ENDPOINT" --output json | save list-attached-group-policies-EC2Admins
