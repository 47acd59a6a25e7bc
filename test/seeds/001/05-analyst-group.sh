#!/usr/bin/env bash
# Seed 001, "To create an analyst user group" (run as admin_<name>): group `analyst`, policy
# `analyst_access`, user analyst_<name> with a console password and an access key. The seed leaves
# the analyst's policy empty ("```\n```"); analyst_access.json is what its text asks for: `GET`
# access to the two buckets (read and list), only in ap-southeast-2, and nothing else.
# Usage: 05-analyst-group.sh <name> <console password> [policy document]
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../common/env.sh"
NAME="${1:?your name, as in analyst_<name>}"
PASSWORD="${2:?a console password for analyst_<name>}"
POLICY_DOCUMENT="${3:-$HERE/analyst_access.json}"

aws iam create-group --group-name analyst --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-group-analyst
aws iam create-policy --policy-name analyst_access --policy-document "file://$POLICY_DOCUMENT" \
  --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-policy-analyst_access
ANALYST_ACCESS_ARN=$(jq -r .Policy.Arn "$SEED_OUT/create-policy-analyst_access.json")
aws iam attach-group-policy --group-name analyst --policy-arn "$ANALYST_ACCESS_ARN" --endpoint-url "$BONSAI_ENDPOINT" --output json

aws iam create-user --user-name "analyst_$NAME" --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-user-analyst
aws iam create-login-profile --user-name "analyst_$NAME" --password "$PASSWORD" \
  --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-login-profile-analyst
aws iam add-user-to-group --group-name analyst --user-name "analyst_$NAME" --endpoint-url "$BONSAI_ENDPOINT" --output json
aws iam create-access-key --user-name "analyst_$NAME" --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-access-key-analyst
