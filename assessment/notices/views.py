"""站内提醒: each person's own inbox; the bell in the header links here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from assessment.models import Notification
from responsibility.redirects import is_own_path, redirect_back

PER_PAGE = 20
ATTENTION = {  # kind → badge class: red for what is overdue, amber for what falls due soon
    "report_overdue": "text-bg-danger",
    "finding_overdue": "text-bg-danger",
    "letter_unsigned": "text-bg-danger",
    "report_late_units": "text-bg-danger",
    "finding_rejected": "text-bg-danger",
    "finding_new": "text-bg-warning",
    "report_due": "text-bg-warning",
    "finding_due": "text-bg-warning",
    "review_waiting": "text-bg-warning",
}


def _get_notification_for_user(request, pk: int) -> Notification:
    """The one way views fetch a notice: 404 unless it is addressed to the user."""
    return get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)


def _mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


@login_required
def inbox(request):
    """Newest first; unread ones stand out, and ?show=unread lists only them."""
    unread_only = request.GET.get("show") == "unread"
    notices = Notification.objects.visible_to(request.user)
    if unread_only:
        notices = notices.unread()
    page = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    for notice in page:
        notice.badge = ATTENTION.get(notice.kind, "text-bg-secondary")
    return render(request, "assessment/inbox.html", {"page": page, "unread_only": unread_only})


@require_GET
@login_required
def inbox_open(request, pk: int):
    """Follow a notice's link from the inbox (or an e-mail): read once opened."""
    notification = _get_notification_for_user(request, pk)
    _mark_read(notification)
    return redirect(notification.link if is_own_path(notification.link) else "assessment:inbox")


@require_POST
@login_required
def inbox_read(request, pk: int):
    _mark_read(_get_notification_for_user(request, pk))
    return redirect_back(request, "assessment:inbox")


@require_POST
@login_required
def inbox_read_all(request):
    marked = Notification.objects.visible_to(request.user).unread().update(read_at=timezone.now())
    if marked:
        messages.success(request, f"已将 {marked} 条提醒标为已读。")
    else:
        messages.info(request, "没有未读的提醒。")
    return redirect("assessment:inbox")
