"""通报: drafting, editing (optimistic locking on `version`), publishing with a 文号, reading.

Publishing takes the next number of the year (锡安办〔2026〕N号) under a lock on the year's row, so
two people publishing at once get consecutive numbers. The notices to the units' reporters and
heads and to the 市领导 are written by a Celery task in batches, enqueued once the publishing
commits: the request itself only collects the recipients' ids.
"""

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from assessment.models import Circular, CircularRead, CircularStatus, Notification, NotificationKind
from assessment.notices.services import Notice, notify
from responsibility import roles
from responsibility.models import Membership, Year

from . import drafting as circular_drafting

NOTICE_BATCH = 500
CONFLICT = "这份通报已被他人修改（可能是另一个窗口）。下面保留了您输入的内容，请对照最新版本后再保存。"
NOT_A_DRAFT = "通报已发布，不能再修改。"


def doc_number(year: int, seq: int) -> str:
    return f"{settings.CIRCULAR_DOC_PREFIX}〔{year}〕{seq}号"


def next_doc_number(year: Year) -> str:
    """The number the next published circular of `year` will get (for the confirmation page)."""
    last = Circular.objects.filter(year=year).aggregate(m=Max("doc_seq"))["m"] or 0
    return doc_number(year.year, last + 1)


def _lock_draft(circular: Circular, version: int) -> Circular:
    locked = Circular.objects.select_for_update().get(pk=circular.pk)
    if locked.status != CircularStatus.DRAFT:
        raise ValidationError(NOT_A_DRAFT)
    if locked.version != version:
        raise ValidationError(CONFLICT, code="conflict")
    return locked


@transaction.atomic
def edit_circular(circular: Circular, *, title: str, body: str, version: int) -> Circular:
    """Save the title and body of a draft, if nobody saved it since `version` was read."""
    locked = _lock_draft(circular, version)
    locked.title, locked.body = title, body
    locked.version += 1
    locked.save(update_fields=["title", "body", "version"])
    return locked


@transaction.atomic
def regenerate_circular(circular: Circular, *, version: int, today: date | None = None) -> Circular:
    """按最新数据重新生成: the draft's figures, title and body written again from today's data."""
    locked = _lock_draft(circular, version)
    circular_drafting.redraft(locked, today=today)
    locked.version += 1
    locked.save(update_fields=["figures", "title", "body", "version"])
    return locked


def recipient_ids() -> list[int]:
    """Who hears of a new circular: active reporters and heads of active units, and the 市领导."""
    users = get_user_model().objects.filter(is_active=True)
    return list(
        users.filter(
            Q(memberships__unit__active=True) | Q(groups__name=roles.LEADER),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


@transaction.atomic
def publish_circular(circular: Circular, *, user, version: int) -> Circular:
    """Give the draft the year's next 文号 and publish it; the notices go out after commit."""
    Year.objects.select_for_update().get(pk=circular.year_id)
    locked = _lock_draft(circular, version)
    last = Circular.objects.filter(year_id=locked.year_id).aggregate(m=Max("doc_seq"))["m"] or 0
    locked.doc_seq = last + 1
    locked.doc_number = doc_number(circular.year.year, locked.doc_seq)
    locked.status = CircularStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = user
    locked.version += 1
    locked.save(update_fields=["doc_seq", "doc_number", "status", "published_at", "published_by", "version"])
    enqueue_notices(locked, recipient_ids())
    return locked


def enqueue_notices(circular: Circular, user_ids: list[int]) -> int:
    """Queue the notices in batches once the transaction commits; the number of batches."""
    from assessment import tasks

    batches = [user_ids[i : i + NOTICE_BATCH] for i in range(0, len(user_ids), NOTICE_BATCH)]
    for batch in batches:
        tasks.publish_circular_notices.delay_on_commit(circular.pk, batch)
    return len(batches)


def notice_key(circular_id: int, user_id: int) -> str:
    return f"circular:{circular_id}:{user_id}"


def notify_readers(circular: Circular, user_ids: list[int]) -> int:
    """Write the new-circular notices of `user_ids` (exactly once each); the number written."""
    link = circular.get_absolute_url()
    title = f"新通报：{circular.doc_number}"
    text = f"{settings.OFFICE_NAME}发布了《{circular.title}》（{circular.doc_number}），请及时阅读。"
    return notify(
        Notice(
            recipient_id=uid,
            kind=NotificationKind.CIRCULAR,
            key=notice_key(circular.pk, uid),
            title=title,
            text=text,
            link=link,
        )
        for uid in user_ids
    )


def record_read(circular: Circular, user) -> None:
    """The first opening of a published circular by someone outside the 安委办 (two queries), with
    the reader's unit; their notice of it is marked read."""
    if circular.status != CircularStatus.PUBLISHED or roles.can_manage(user):
        return
    unit_id = (
        Membership.objects.filter(user=user)
        .order_by("unit__sort_order", "unit_id")
        .values_list("unit_id", flat=True)
        .first()
    )
    CircularRead.objects.bulk_create(
        [CircularRead(circular=circular, user=user, unit_id=unit_id)], ignore_conflicts=True
    )
    Notification.objects.filter(key=notice_key(circular.pk, user.pk), read_at__isnull=True).update(
        read_at=timezone.now()
    )
