# Sourced by every seed script. The seeds' authors typed their commands into CloudShell, which
# knows its endpoint, credentials and region; here the caller provides them in the environment:
#   BONSAI_ENDPOINT                              Bonsai's URL, given to every command as --endpoint-url
#   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY    whose console session this is (root, admin_<name>, …)
#   AWS_SESSION_TOKEN                            for temporary credentials
#   AWS_DEFAULT_REGION                           the region the author had exported
#   SEED_OUT                                     a folder for the outputs an author would read or download
set -euo pipefail
: "${BONSAI_ENDPOINT:?set BONSAI_ENDPOINT to Bonsai's URL, e.g. http://127.0.0.1:4566}"
: "${SEED_OUT:?set SEED_OUT to a folder for the commands' outputs}"
export AWS_PAGER=''

# `aws … | save NAME` keeps a command's JSON output as $SEED_OUT/NAME.json.
save() {
  cat > "$SEED_OUT/$1.json"
}
