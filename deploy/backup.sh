#!/usr/bin/env bash
# Back up Compliance Hub: the PostgreSQL database (pg_dump, custom format) and the stored
# files (certificate PDFs, kept audit uploads) from MEDIA_ROOT or the S3 bucket, into a new
# directory DEST/hub-YYYYMMDDTHHMMSSZ, then keep only the newest BACKUP_KEEP backups.
#
#   DATABASE_URL=postgres://… MEDIA_ROOT=/var/lib/compliance-hub/media deploy/backup.sh /backups
#   DATABASE_URL=postgres://… S3_BUCKET=… [S3_ENDPOINT_URL=…] deploy/backup.sh /backups
#
# Environment: DATABASE_URL (required); S3_BUCKET + AWS_* (bucket) or MEDIA_ROOT / DATA_DIR
# (local files, default ./var/media); BACKUP_KEEP (default 14); PYTHON (the hub's Python,
# for the bucket copy; default python3). Prints the new backup's directory on success.
# Restore with deploy/restore.sh (docs/deploy.md).
set -euo pipefail

dest=${1:?usage: backup.sh DEST_DIR}
: "${DATABASE_URL:?DATABASE_URL must be set}"
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
keep=${BACKUP_KEEP:-14}
mkdir -p "$dest"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
while [ -e "$dest/hub-$stamp" ]; do  # one backup per second at most
    sleep 1
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
done
target="$dest/hub-$stamp"
work="$target.partial"
rm -rf "$work"
mkdir -p "$work/files"
trap 'rm -rf "$work"' ERR

# 1. The database first. A certificate's file is stored before its row commits and is never
#    changed afterwards, so every file this dump refers to exists when step 2 copies files.
pg_dump --format=custom --compress=6 --no-owner --no-privileges \
    --file "$work/database.dump" "$DATABASE_URL"
pg_restore --list "$work/database.dump" >/dev/null  # readable, complete archive

# 2. The files.
if [ -n "${S3_BUCKET:-}" ]; then
    "$python" "$here/bucket_sync.py" download "$work/files"
    source="s3://$S3_BUCKET"
else
    media=${MEDIA_ROOT:-${DATA_DIR:-./var}/media}
    source=$media
    if [ -d "$media" ]; then
        # Files never change: hard-link unchanged ones to the previous backup (cheap dailies).
        previous=$(find "$dest" -mindepth 1 -maxdepth 1 -type d -name 'hub-*' ! -name '*.partial' | sort | tail -n 1)
        if [ -n "$previous" ] && [ -d "$previous/files" ]; then
            rsync -a --link-dest="$previous/files" "$media/" "$work/files/"
        else
            rsync -a "$media/" "$work/files/"
        fi
    fi
fi

# 3. A manifest to check the copy against at restore time.
(cd "$work/files" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) >"$work/files.sha256"
{
    echo "created_utc=$stamp"
    echo "files_from=$source"
    echo "files=$(wc -l <"$work/files.sha256")"
    echo "database_dump_bytes=$(stat -c %s "$work/database.dump")"
    pg_dump --version | sed 's/^/pg_dump=/'
} >"$work/BACKUP_INFO"
trap - ERR
mv "$work" "$target"

# 4. Retention: the newest $keep backups stay.
find "$dest" -mindepth 1 -maxdepth 1 -type d -name 'hub-*' ! -name '*.partial' | sort \
    | head -n "-$keep" | while read -r old; do rm -rf "$old"; done

echo "$target"
