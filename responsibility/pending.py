"""What waits for a person's next step, kept server-side: an import's checked rows until 确认导入,
and files attached to a save that was refused until the next save. A PendingUpload row is found
again by the token the page carries (never the session), for its user and scope only, and expires.

Files are kept in the default storage under held/; a payload lists them as {"path", "name",
"kind", "size"} under "files", and they go when the row is taken or expires.
"""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .models import PendingUpload

KEEP_FOR = timedelta(hours=2)


@transaction.atomic
def hold(*, user, scope: str, payload: dict, replace: bool = True) -> str:
    """Keep `payload` for `user` under `scope` and return its token. Unless `replace` is False, the
    user's earlier row of the same scope goes (a new upload replaces a preview); everyone's expired
    rows go too."""
    stale = PendingUpload.objects.filter(created_at__lt=timezone.now() - KEEP_FOR)
    if replace:
        stale |= PendingUpload.objects.filter(user=user, scope=scope)
    discard(list(stale))
    return PendingUpload.objects.create(user=user, scope=scope, payload=payload).token


def _find(user, scope: str, tokens):
    tokens = [t for t in tokens if t and isinstance(t, str)]
    return PendingUpload.objects.filter(
        user=user, scope=scope, token__in=tokens, created_at__gte=timezone.now() - KEEP_FOR
    )


def peek(*, user, scope: str, token) -> dict | None:
    """The payload, left in place (for the failed-rows download), or None."""
    found = _find(user, scope, [token]).first()
    return found.payload if found else None


def find(*, user, scopes: dict[str, str]) -> dict[str, PendingUpload]:
    """{scope: row} for the tokens a page carries ({scope: token}), in one query."""
    if not scopes:
        return {}
    tokens = [t for t in scopes.values() if t and isinstance(t, str)]
    rows = PendingUpload.objects.filter(
        user=user, token__in=tokens, created_at__gte=timezone.now() - KEEP_FOR
    )
    return {row.scope: row for row in rows if scopes.get(row.scope) == row.token}


@transaction.atomic
def take(*, user, scope: str, token) -> dict | None:
    """The payload, removed so that it is confirmed once only; None when expired or already taken."""
    found = _find(user, scope, [token]).select_for_update().first()
    if found is None:
        return None
    deleted, _ = PendingUpload.objects.filter(pk=found.pk).delete()
    return found.payload if deleted else None


def discard(rows) -> None:
    """Delete the rows and the files they hold."""
    for row in rows:
        for held in row.payload.get("files", []) if isinstance(row.payload, dict) else []:
            default_storage.delete(held["path"])
    PendingUpload.objects.filter(pk__in=[row.pk for row in rows]).delete()
