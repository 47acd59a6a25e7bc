#!/usr/bin/env bash
# Seed 001, "Create an IAM admin user and user group via the root user account" (run as root).
# Usage: 01-admin-group.sh <name> <console password>
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../common/env.sh"
NAME="${1:?your name, as in admin_<name>}"
PASSWORD="${2:?a console password for admin_<name>}"

# 1. The admin user group.
aws iam create-group --group-name admin --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-group-admin

# 2. The admin_access policy: everything in ap-southeast-2, the console's global services in us-east-1.
aws iam create-policy --policy-name admin_access --policy-document "file://$HERE/admin_access.json" \
  --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-policy-admin_access
ADMIN_ACCESS_ARN=$(jq -r .Policy.Arn "$SEED_OUT/create-policy-admin_access.json")

# 3. Assign admin_access to the admin group.
aws iam attach-group-policy --group-name admin --policy-arn "$ADMIN_ACCESS_ARN" --endpoint-url "$BONSAI_ENDPOINT" --output json

# 4. The admin_<name> user with a console password, in the admin group.
aws iam create-user --user-name "admin_$NAME" --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-user-admin
aws iam create-login-profile --user-name "admin_$NAME" --password "$PASSWORD" \
  --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-login-profile-admin
aws iam add-user-to-group --group-name admin --user-name "admin_$NAME" --endpoint-url "$BONSAI_ENDPOINT" --output json

# CloudShell signs admin_<name> in with the console password; a terminal needs an access key.
aws iam create-access-key --user-name "admin_$NAME" --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-access-key-admin
