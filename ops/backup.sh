#!/usr/bin/env bash
# Back up the database and the private uploads: ops/backup.sh DEST_DIR
#
#   DEST_DIR/wuxisafety-YYYYMMDD-HHMMSS.dump         pg_dump -Fc of DATABASE_URL's database
#   DEST_DIR/wuxisafety-YYYYMMDD-HHMMSS.private.tar  the private uploads (MEDIA_ROOT, i.e. VAR_DIR/private)
#   DEST_DIR/wuxisafety-YYYYMMDD-HHMMSS.inventory    rows per table and files the database names
#
# Run it with the app's environment (DATABASE_URL, VAR_DIR or MEDIA_ROOT). The dump comes first and
# the files second, so every file the dump names is in the tar. A failed run leaves only *.part files.
# KEEP_DAYS=N deletes this script's backups older than N days after a successful run.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"

dest="${1:?usage: ops/backup.sh DEST_DIR}"
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to back up}"
case "$DATABASE_URL" in
    postgres://* | postgresql://*) ;;
    *) echo "DATABASE_URL must be postgres://… (pg_dump backs up PostgreSQL only)" >&2; exit 2 ;;
esac
media="${MEDIA_ROOT:-${VAR_DIR:-$ROOT/var}/private}"
mkdir -p "$dest" "$media"
stem="$dest/wuxisafety-$(date +%Y%m%d-%H%M%S)"

pg_dump -Fc -d "$DATABASE_URL" -f "$stem.dump.part"
tar -C "$media" -cf "$stem.private.tar.part" .
# For comparing with a restore; on a busy day rows written since the dump make it differ a little.
"$PYTHON" "$ROOT/ops/inventory.py" >"$stem.inventory.part" ||
    echo "warning: the database names files that are not in $media (see $stem.inventory)" >&2
for part in "$stem".*.part; do mv "$part" "${part%.part}"; done

if [ -n "${KEEP_DAYS:-}" ]; then
    find "$dest" -maxdepth 1 -name 'wuxisafety-*' -mtime +"$KEEP_DAYS" -delete
fi
echo "$stem"
