"""Files attached on the entry page to a save that was refused (someone else saved first, or
another field needs correcting): a browser cannot refill a file input, so the files are kept
server-side with the typed row and offered again; the next save of that row stores them.
"""

import uuid

from django.core.files import File
from django.core.files.storage import default_storage

from responsibility import pending


def scope(target) -> str:
    return f"held-evidence:{target.pk}"


def hold(*, user, target, files) -> str:
    """Keep the row's files (checked uploads, or files held before) and return their token."""
    kept = []
    for upload in files:
        upload.seek(0)
        path = default_storage.save(f"held/{uuid.uuid4().hex}", upload)
        kept.append(
            {"path": path, "name": upload.safe_name, "kind": upload.checked_kind, "size": upload.size}
        )
    return pending.hold(user=user, scope=scope(target), payload={"files": kept}, replace=False)


def find(*, user, tokens: dict) -> dict:
    """{target pk: PendingUpload} for the tokens the rows carry ({target: token}), in one query."""
    rows = pending.find(user=user, scopes={scope(target): token for target, token in tokens.items()})
    return {target.pk: rows[scope(target)] for target in tokens if scope(target) in rows}


def files(row) -> list[File]:
    """The held files as uploads save_reports can store, with the names and kinds they were checked as."""
    opened = []
    for held in row.payload["files"]:
        upload = File(default_storage.open(held["path"], "rb"), name=held["name"])
        upload.safe_name, upload.checked_kind, upload.size = held["name"], held["kind"], held["size"]
        opened.append(upload)
    return opened


def release(rows) -> None:
    """The rows' files are stored as evidence now: let the held copies go."""
    pending.discard(rows)
