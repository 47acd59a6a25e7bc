#!/usr/bin/env bash
# Seed 001, the engineer managing their own security credentials (the ManageOwnVirtualMFADevice
# and ManageOwnSecurityCredentials statements of engineer_access), run as engineer_<name>.
# Usage: 03-engineer-security-credentials.sh <name> <old password> <new password>
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../common/env.sh"
NAME="${1:?your name, as in engineer_<name>}"
OLD_PASSWORD="${2:?the current console password}"
NEW_PASSWORD="${3:?the new console password}"

aws iam get-user --endpoint-url "$BONSAI_ENDPOINT" --output json | save get-user-engineer
aws iam change-password --old-password "$OLD_PASSWORD" --new-password "$NEW_PASSWORD" --endpoint-url "$BONSAI_ENDPOINT" --output json
aws iam list-access-keys --endpoint-url "$BONSAI_ENDPOINT" --output json | save list-access-keys-engineer
aws iam create-virtual-mfa-device --virtual-mfa-device-name "engineer_$NAME" \
  --outfile "$SEED_OUT/engineer_$NAME-mfa-seed.txt" --bootstrap-method Base32StringSeed \
  --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-virtual-mfa-device-engineer
