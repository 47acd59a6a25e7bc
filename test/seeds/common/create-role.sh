#!/usr/bin/env bash
# Creates a role from a trust policy template whose ${ACCOUNT_ID} is replaced by the caller's
# account, as the IAM console's "AWS account -> This account" trusted-entity choice fills it in.
# Not a seed step: the seeds' tests use it for roles that IAM principals (not EC2) may assume.
# Usage: create-role.sh <role name> <trust policy template>
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/env.sh"
ROLE="${1:?role name}"
TEMPLATE="${2:?trust policy template}"

ACCOUNT_ID=$(aws sts get-caller-identity --query Account --output text --endpoint-url "$BONSAI_ENDPOINT")
sed "s/\${ACCOUNT_ID}/$ACCOUNT_ID/g" "$TEMPLATE" > "$SEED_OUT/trust-policy-$ROLE.json"
aws iam create-role --role-name "$ROLE" --assume-role-policy-document "file://$SEED_OUT/trust-policy-$ROLE.json" \
  --endpoint-url "$BONSAI_ENDPOINT" --output json | save "create-role-$ROLE"
