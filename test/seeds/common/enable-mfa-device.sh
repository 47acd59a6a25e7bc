#!/usr/bin/env bash
# Activates a virtual MFA device with two consecutive codes from the authenticator app
# (IAM console: Security credentials -> Assign MFA device -> "MFA code 1" and "MFA code 2").
# Usage: enable-mfa-device.sh <user name> <serial number> <code 1> <code 2>
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/env.sh"
MFA_USER="${1:?user name}"
SERIAL="${2:?MFA device serial number (its ARN)}"
CODE1="${3:?first code}"
CODE2="${4:?second code}"

aws iam enable-mfa-device --user-name "$MFA_USER" --serial-number "$SERIAL" \
  --authentication-code1 "$CODE1" --authentication-code2 "$CODE2" \
  --endpoint-url "$BONSAI_ENDPOINT" --output json
aws iam list-mfa-devices --user-name "$MFA_USER" --endpoint-url "$BONSAI_ENDPOINT" --output json | save "list-mfa-devices-$MFA_USER"
