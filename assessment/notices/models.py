"""站内提醒: one notification per key."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class NotificationKind(models.TextChoices):
    REPORT_DUE = "report_due", "填报即将截止"
    REPORT_OVERDUE = "report_overdue", "填报逾期"
    REPORT_LATE_UNITS = "report_late_units", "逾期未报单位"
    LETTER_UNSIGNED = "letter_unsigned", "责任书未签"
    FINDING_DUE = "finding_due", "整改即将到期"
    FINDING_OVERDUE = "finding_overdue", "整改逾期"
    FINDING_NEW = "finding_new", "新发现问题"
    FINDING_REJECTED = "finding_rejected", "整改被退回"
    REVIEW_WAITING = "review_waiting", "填报待审核"
    CIRCULAR = "circular", "新通报"
    YEAR_EXPORT = "year_export", "全年数据导出"


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Everyone sees only their own notices, the 安委办 included."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """站内提醒: one notice to one person, e-mailed once after it is saved.

    `key` is unique: kind, object, rung and recipient (e.g. "report_due:2026-3:7d:liangxi:42").
    Writing a notice whose key exists does nothing, so a job that runs twice, or again after a
    crash, never sends a notice twice; `emailed_at` stays empty until the e-mail has gone.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications", verbose_name="接收人"
    )
    kind = models.CharField("类型", max_length=20, choices=NotificationKind)
    key = models.CharField("去重键", max_length=200, unique=True)
    title = models.CharField("标题", max_length=200)
    text = models.TextField("内容")
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "站内提醒"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["emailed_at"], condition=Q(emailed_at__isnull=True), name="notification_unsent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}：{self.title}"
