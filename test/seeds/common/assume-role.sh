#!/usr/bin/env bash
# Usage: assume-role.sh <role arn> <session name>   (prints the credentials JSON)
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/env.sh"
ROLE_ARN="${1:?role ARN}"
SESSION_NAME="${2:?session name}"

aws sts assume-role --role-arn "$ROLE_ARN" --role-session-name "$SESSION_NAME" \
  --endpoint-url "$BONSAI_ENDPOINT" --output json
