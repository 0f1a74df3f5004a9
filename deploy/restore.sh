#!/usr/bin/env bash
# Restore a Compliance Hub backup made by deploy/backup.sh into an EMPTY database and the
# file store, then check every restored certificate against its recorded SHA-256.
#
#   DATABASE_URL=postgres://…/hub_new MEDIA_ROOT=/var/lib/compliance-hub/media \
#       deploy/restore.sh /backups/hub-20260301T020000Z
#
# Environment: DATABASE_URL (required: an empty database, e.g. `createdb hub_new`);
# S3_BUCKET + AWS_* (upload the files to a bucket) or MEDIA_ROOT / DATA_DIR (local files);
# PYTHON (the hub's Python, default python3); RESTORE_VERIFY (default 1: check every
# certificate; a number N checks N random ones; 0 skips). Settings for the check come from
# the same environment as the hub's (SECRET_KEY, …). Run `compliance-hub migrate` afterwards
# when the code is newer than the backup.
set -euo pipefail

src=$(cd "${1:?usage: restore.sh BACKUP_DIR}" && pwd)
: "${DATABASE_URL:?DATABASE_URL must be set}"
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
verify=${RESTORE_VERIFY:-1}
[ -f "$src/database.dump" ] && [ -f "$src/files.sha256" ] || {
    echo "restore.sh: $src is not a backup made by backup.sh" >&2
    exit 2
}

# 1. The backup is intact.
(cd "$src/files" && sha256sum --quiet --strict -c "$src/files.sha256") || {
    echo "restore.sh: files in $src do not match files.sha256" >&2
    exit 1
}
pg_restore --list "$src/database.dump" >/dev/null

# 2. The database, into an empty one, in one transaction (all or nothing).
tables=$(psql "$DATABASE_URL" -XAtc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != "0" ]; then
    echo "restore.sh: the target database already has $tables tables; restore into an empty one" >&2
    exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname "$DATABASE_URL" "$src/database.dump"

# 3. The files.
if [ -n "${S3_BUCKET:-}" ]; then
    "$python" "$here/bucket_sync.py" upload "$src/files"
else
    media=${MEDIA_ROOT:-${DATA_DIR:-./var}/media}
    mkdir -p "$media"
    rsync -a "$src/files/" "$media/"
fi

# 4. Every certificate's file is there and has the bytes its row records.
if [ "$verify" != "0" ]; then
    if [ "$verify" = "1" ]; then
        "$python" "$here/verify_certificates.py"
    else
        "$python" "$here/verify_certificates.py" --sample "$verify"
    fi
fi
echo "restored $src"
