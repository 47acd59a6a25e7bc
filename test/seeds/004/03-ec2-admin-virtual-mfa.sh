#!/usr/bin/env bash
# Seed 004, steps 17-21 (run as root): EC2Admin -> Security credentials -> Activate MFA ->
# Virtual MFA device; the secret key the authenticator app is given is written to
# $SEED_OUT/EC2Admin-mfa-seed.txt. Step 22 (two codes from the app) is common/enable-mfa-device.sh.
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../common/env.sh"

aws iam create-virtual-mfa-device --virtual-mfa-device-name EC2Admin \
  --outfile "$SEED_OUT/EC2Admin-mfa-seed.txt" --bootstrap-method Base32StringSeed \
  --endpoint-url "$BONSAI_ENDPOINT" --output json | save create-virtual-mfa-device-EC2Admin
