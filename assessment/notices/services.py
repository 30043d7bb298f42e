"""站内提醒 and their e-mails, exactly once.

    created = notify(notices)        # writes the notices whose keys are new; e-mails after commit
    sent = deliver_pending()         # e-mails the notices not yet e-mailed (the task calls it)

Every notice has a unique key (kind, object, rung, recipient). `notify` inserts with the database
ignoring keys that exist, so running a job twice, twice at once, or again after a crash writes
each notice once; a notice is in the inbox as soon as its transaction commits. The e-mail goes
afterwards: `deliver_pending` locks unsent notices (skipping rows another worker holds), sends,
and marks them in the same transaction, so a crash before the commit leaves them unsent for the
next run (an e-mail may then go twice; a notice is never lost). People without an e-mail address
get the inbox only.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessment.models import Notification

BATCH = 1000


@dataclass(frozen=True)
class Notice:
    recipient_id: int
    kind: str
    key: str
    title: str
    text: str
    link: str = ""


def _new_keys(keys: list[str]) -> set[str]:
    existing = set()
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        existing.update(Notification.objects.filter(key__in=chunk).values_list("key", flat=True))
    return set(keys) - existing


def notify(notices: Iterable[Notice], *, email: bool = True) -> int:
    """Write the notices whose keys are new, in batches; the number written by this call.

    A notice whose key exists (from an earlier or a concurrent run) is left alone. With `email`,
    the e-mails are queued once the surrounding transaction commits.
    """
    by_key = {notice.key: notice for notice in notices}
    fresh = _new_keys(list(by_key))
    if not fresh:
        return 0
    stamp = timezone.now()
    rows = [
        Notification(
            recipient_id=n.recipient_id,
            kind=n.kind,
            key=n.key,
            title=n.title,
            text=n.text,
            link=n.link,
            created_at=stamp,
        )
        for key, n in by_key.items()
        if key in fresh
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    # Rows a concurrent run wrote first carry its own time stamp: count only ours.
    written = sum(
        Notification.objects.filter(key__in=chunk, created_at=stamp).count()
        for chunk in (sorted(fresh)[i : i + BATCH] for i in range(0, len(fresh), BATCH))
    )
    if email and written:
        from assessment.tasks import deliver_notifications

        transaction.on_commit(deliver_notifications.delay)
    return written


def _message(notification: Notification) -> EmailMessage | None:
    address = notification.recipient.email
    if not address:
        return None
    # Through the inbox, so opening the link from the e-mail marks the notice read too.
    opened = reverse("assessment:inbox_open", args=[notification.pk])
    link = f"\n\n办理：{settings.SITE_URL}{opened}" if notification.link else ""
    return EmailMessage(
        subject=f"【安全生产责任考核】{notification.title}",
        body=f"{notification.recipient.name or notification.recipient.username}：\n\n{notification.text}{link}",
        to=[address],
    )


def deliver_pending(*, limit: int = 500) -> int:
    """E-mail up to `limit` notices not yet e-mailed; the number handled (sent or inbox-only)."""
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(emailed_at__isnull=True)
            .select_related("recipient")
            .order_by("pk")[:limit]
        )
        if not pending:
            return 0
        messages = [m for m in map(_message, pending) if m is not None]
        if messages:
            with get_connection() as connection:
                connection.send_messages(messages)
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return len(pending)
