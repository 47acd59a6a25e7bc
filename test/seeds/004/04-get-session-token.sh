#!/usr/bin/env bash
# EC2Admin (with its access key) trades a code from the MFA app for temporary credentials.
# Usage: 04-get-session-token.sh <MFA serial number> <code>   (prints the credentials JSON)
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../common/env.sh"
SERIAL="${1:?MFA device serial number (its ARN)}"
CODE="${2:?the code the app shows}"

aws sts get-session-token --serial-number "$SERIAL" --token-code "$CODE" --endpoint-url "$BONSAI_ENDPOINT" --output json
