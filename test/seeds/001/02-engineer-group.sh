#!/usr/bin/env bash
# Seed 001, "To create an engineer user group" (run as admin_<name>).
# Usage: 02-engineer-group.sh <name> <console password> [policy document]
# The policy document defaults to engineer_access.json: the seed's policy with the trailing comma
# after "s3:GetEncryptionConfiguration" removed, which IAM's JSON editor asks its author to fix
# (engineer_access.as-published.json keeps the seed's text).
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../common/env.sh"
NAME="${1:?your name, as in engineer_<name>}"
PASSWORD="${2:?a console password for engineer_<name>}"
POLICY_DOCUMENT="${3:-$HERE/engineer_access.json}"

# 1. The engineer user group.
aws iam create-group --group-name engineer --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-group-engineer

# 2. The engineer_access policy.
aws iam create-policy --policy-name engineer_access --policy-document "file://$POLICY_DOCUMENT" \
  --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-policy-engineer_access
ENGINEER_ACCESS_ARN=$(jq -r .Policy.Arn "$SEED_OUT/create-policy-engineer_access.json")

# 3. Assign engineer_access to the engineer group.
aws iam attach-group-policy --group-name engineer --policy-arn "$ENGINEER_ACCESS_ARN" --endpoint-url "$BONSAI_ENDPOINT" --output json

# 4. The engineer_<name> user with a console password, in the engineer group.
aws iam create-user --user-name "engineer_$NAME" --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-user-engineer
aws iam create-login-profile --user-name "engineer_$NAME" --password "$PASSWORD" \
  --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-login-profile-engineer
aws iam add-user-to-group --group-name engineer --user-name "engineer_$NAME" --endpoint-url "$BONSAI_ENDPOINT" --output json

# The engineer's first access key, handed over by the admin.
aws iam create-access-key --user-name "engineer_$NAME" --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-access-key-engineer
