#!/usr/bin/env bash
# Restore a backup of ops/backup.sh into a new database: ops/restore.sh DEST_DIR/wuxisafety-YYYYMMDD-HHMMSS
#
#   DATABASE_URL  the database to restore into, e.g. postgres://wuxisafety@db1/wuxisafety_restore:
#                 created here (it must not exist yet) on that server, owned by that user
#   VAR_DIR       (or MEDIA_ROOT) where the private files go: MEDIA_ROOT must be empty or absent
#
# Then `manage.py migrate` (the code may be newer than the backup), `manage.py check`, and
# ops/inventory.py, compared with the inventory taken at backup time. Nothing existing is overwritten.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"

stem="${1:?usage: ops/restore.sh DEST_DIR/wuxisafety-YYYYMMDD-HHMMSS}"
stem="${stem%.dump}"
: "${DATABASE_URL:?DATABASE_URL must name the new database to restore into}"
# postgres://user@host:port/NAME?options → the server's maintenance database and NAME
base="${DATABASE_URL%%\?*}"
options="${DATABASE_URL#"$base"}"
name="${base##*/}"
case "$DATABASE_URL" in
    postgres://*/* | postgresql://*/*) ;;
    *) echo "DATABASE_URL must be postgres://…/NAME" >&2; exit 2 ;;
esac
if ! [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
    echo "database name '$name': letters, digits and _ only" >&2; exit 2
fi
media="${MEDIA_ROOT:-${VAR_DIR:-$ROOT/var}/private}"
for file in "$stem.dump" "$stem.private.tar"; do
    [ -f "$file" ] || { echo "no $file" >&2; exit 2; }
done
if [ -n "$(ls -A "$media" 2>/dev/null)" ]; then
    echo "$media is not empty: move it away first, or restore elsewhere (VAR_DIR=…)" >&2; exit 2
fi

createdb -T template0 -E UTF8 --maintenance-db="${base%/*}/postgres$options" "$name"
# --no-owner: everything belongs to DATABASE_URL's user; --single-transaction: all or nothing.
pg_restore --no-owner --no-privileges --single-transaction -d "$DATABASE_URL" "$stem.dump"
mkdir -p "$media"
tar -C "$media" -xf "$stem.private.tar"

"$PYTHON" "$ROOT/manage.py" migrate --noinput
"$PYTHON" "$ROOT/manage.py" check
inventory="$(mktemp)"
trap 'rm -f "$inventory"' EXIT
if ! "$PYTHON" "$ROOT/ops/inventory.py" >"$inventory"; then
    grep '^missing' "$inventory" >&2
    echo "the restored database names files the restored $media lacks" >&2
    exit 1
fi
if [ ! -f "$stem.inventory" ]; then
    cat "$inventory"
elif diff -u "$stem.inventory" "$inventory"; then
    echo "restored: the same rows and files as the inventory taken at the backup"
else
    echo "note: rows differ from the inventory taken just after the dump (written during the backup?)"
fi
