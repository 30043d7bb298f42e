"""全年数据导出: one background export of a year's workbook."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from responsibility import roles
from responsibility.models import Year


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    EXPIRED = "expired", "已过期"  # its file removed after settings.EXPORT_KEEP_DAYS days


PENDING_EXPORT = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class YearExportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The workbook holds every unit's data: only those who see every unit see the exports."""
        return self if roles.sees_all_units(user) else self.none()

    def pending(self):
        return self.filter(status__in=PENDING_EXPORT)


class YearExport(models.Model):
    """全年数据导出: a year's workbook (every sheet the 安委办 keeps), built by a worker in the background.

    At most one export per year is queued or running (the constraint): asking again while one is
    under way gets that one. `attempts` counts the runs that claimed it; only the latest run may
    finish it, so a task redelivered after its worker died leaves one file, not two.
    """

    year = models.ForeignKey(Year, models.PROTECT, related_name="exports", verbose_name="年度")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="申请人",
    )
    status = models.CharField("状态", max_length=10, choices=ExportStatus, default=ExportStatus.QUEUED)
    file = models.FileField("文件", blank=True)
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("运行次数", default=0)
    row_count = models.PositiveIntegerField("数据行数", null=True, blank=True)
    size = models.PositiveBigIntegerField("文件大小（字节）", null=True, blank=True)
    error = models.TextField("错误信息", blank=True)

    objects = YearExportQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "全年数据导出"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(status__in=PENDING_EXPORT),
                name="one_pending_export_per_year",
            ),
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.DONE) | ~Q(file=""), name="done_export_has_a_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year.year}年度全年数据（{self.get_status_display()}）"

    @property
    def pending(self) -> bool:
        return self.status in PENDING_EXPORT

    @property
    def seconds(self) -> int | None:
        """How long the run that finished it took, in whole seconds."""
        if self.started_at is None or self.finished_at is None:
            return None
        return max(round((self.finished_at - self.started_at).total_seconds()), 0)

    @property
    def download_name(self) -> str:
        stamp = timezone.localtime(self.finished_at or self.created_at)
        return f"{self.year.year}年度全年数据-{stamp:%Y%m%d-%H%M}.xlsx"
