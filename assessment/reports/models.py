"""季度填报: a target's quarterly value with evidence, and the quarter locks."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from responsibility import roles
from responsibility.models import Target, Unit, Year

QUARTERS = [(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")]


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    APPROVED = "approved", "已通过"
    RETURNED = "returned", "已退回"


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        if roles.sees_all_units(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(unit__memberships__user=user).distinct()


class Report(models.Model):
    """季度填报: a target's cumulative value at the end of a quarter, reviewed by the 安委办.

    `unit` and `year` repeat what the target's letter says: the review queue, the overview and
    the assessment filter hundreds of thousands of reports by them without joining letters.
    """

    target = models.ForeignKey(Target, models.PROTECT, related_name="reports", verbose_name="目标")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="reports", verbose_name="责任单位")
    year = models.ForeignKey(Year, models.PROTECT, related_name="reports", verbose_name="年度")
    quarter = models.PositiveSmallIntegerField("季度", choices=QUARTERS)
    value = models.DecimalField("累计值", max_digits=12, decimal_places=2, null=True, blank=True)
    progress = models.TextField("工作进展", blank=True)
    status = models.CharField("状态", max_length=10, choices=ReportStatus, default=ReportStatus.DRAFT)
    late = models.BooleanField("迟报", default=False)
    version = models.PositiveIntegerField("版本", default=1)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提交人",
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    # The first filing: a report returned and submitted again is 迟报 only if this was late.
    first_submitted_at = models.DateTimeField("首次提交时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_comment = models.TextField("审核意见", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()
    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "季度填报"
        ordering = ["year", "quarter", "unit__sort_order", "target__indicator__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["target", "quarter"], name="one_report_per_target_and_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="quarter_is_1_to_4"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="report_value_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["year", "quarter", "unit"], name="report_year_quarter_unit"),
            # The review queue and the review reminder: reports waiting, oldest first.
            models.Index(fields=["status", "submitted_at"], name="report_status_submitted"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year.year}年第{self.quarter}季度 {self.target.indicator.code}"

    @property
    def editable(self) -> bool:
        """Drafts and returned reports can be changed; submitted and approved ones are read-only."""
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)


def evidence_path(evidence: "Evidence", filename: str) -> str:
    suffix = Path(filename).suffix.lower()[:6]
    report = evidence.report
    return f"evidence/{report.year.year}/q{report.quarter}/{report.unit.code}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """佐证材料: a file attached to a report, stored privately and served through the report's gate."""

    report = models.ForeignKey(Report, models.CASCADE, related_name="evidence", verbose_name="填报")
    file = models.FileField("文件", upload_to=evidence_path)
    name = models.CharField("文件名", max_length=200)
    kind = models.CharField("类型", max_length=10)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name


class QuarterLock(models.Model):
    """A quarter the 安委办 has locked: no more filing, late or not."""

    year = models.ForeignKey(Year, models.PROTECT, related_name="quarter_locks", verbose_name="年度")
    quarter = models.PositiveSmallIntegerField("季度", choices=QUARTERS)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name="锁定人"
    )
    locked_at = models.DateTimeField("锁定时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "季度锁定"
        constraints = [models.UniqueConstraint(fields=["year", "quarter"], name="one_lock_per_quarter")]

    def __str__(self) -> str:
        return f"{self.year.year}年第{self.quarter}季度"
