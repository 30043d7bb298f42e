"""督查 and their findings (问题隐患), with files."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from responsibility import roles
from responsibility.models import Unit, Year


class InspectionKind(models.TextChoices):
    INSPECTION = "inspection", "督查"
    UNANNOUNCED = "unannounced", "暗访"
    PATROL = "patrol", "巡查"
    ASSESSMENT_PATROL = "assessment_patrol", "考核巡查"


class InspectionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """City roles see every inspection; a unit sees those that looked at it or found it a problem."""
        if roles.sees_all_units(user):
            return self
        if not user.is_authenticated:
            return self.none()
        units = Unit.objects.filter(memberships__user=user)
        return self.filter(Q(units__in=units) | Q(findings__unit__in=units)).distinct()


class Inspection(models.Model):
    """督查: a visit by an inspection team to some units, with the problems it found (`Finding`)."""

    year = models.ForeignKey(Year, models.PROTECT, related_name="inspections", verbose_name="年度")
    kind = models.CharField("方式", max_length=20, choices=InspectionKind, default=InspectionKind.INSPECTION)
    date = models.DateField("督查日期")
    team = models.CharField(
        "督查组", max_length=200, help_text="组长和成员，如：第二督查组 张三（组长）、李四"
    )
    units = models.ManyToManyField(Unit, related_name="inspections", verbose_name="督查对象")
    summary = models.TextField("督查情况", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[units])
    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "督查"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["year", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}（{self.team}）"

    def get_absolute_url(self) -> str:
        return reverse("assessment:inspection_detail", args=[self.pk])


class FindingStatus(models.TextChoices):
    """A finding's rectification. A 重大事故隐患 reads these steps as 挂牌督办 (open) → 申请验收
    (submitted) → 验收通过 (verified) → 销号 (closed); any other finding ends when verified."""

    OPEN = "open", "待整改"
    SUBMITTED = "submitted", "已报整改，待核查"
    VERIFIED = "verified", "已核查"
    CLOSED = "closed", "已销号"


MAJOR_HAZARD_LABELS = {
    FindingStatus.OPEN: "挂牌督办，整改中",
    FindingStatus.SUBMITTED: "申请验收",
    FindingStatus.VERIFIED: "验收通过，待销号",
    FindingStatus.CLOSED: "已销号",
}
DONE = (FindingStatus.VERIFIED, FindingStatus.CLOSED)


class ListingLevel(models.TextChoices):
    CITY = "city", "市级挂牌督办"
    DISTRICT = "district", "区级挂牌督办"


class FindingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """City roles see every finding; a unit sees the findings it must rectify."""
        if roles.sees_all_units(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(unit__memberships__user=user).distinct()

    def overdue(self, today):
        """Past the deadline and not yet verified (what counts against the unit)."""
        return self.filter(deadline__lt=today).exclude(status__in=DONE)

    def unrectified(self):
        return self.exclude(status__in=DONE)


class Finding(models.Model):
    """问题隐患: what an inspection found at a unit, with the deadline to fix it and the fixing."""

    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="findings", verbose_name="督查")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="findings", verbose_name="责任单位")
    problem = models.TextField("发现的问题")
    major_hazard = models.BooleanField("重大事故隐患", default=False)
    listing_level = models.CharField(
        "挂牌督办级别", max_length=10, choices=ListingLevel, blank=True, help_text="重大事故隐患须挂牌督办"
    )
    deadline = models.DateField("整改期限")
    status = models.CharField("整改状态", max_length=10, choices=FindingStatus, default=FindingStatus.OPEN)
    rectification = models.TextField("整改情况", blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="整改报告人",
    )
    rectified_at = models.DateTimeField("整改报告时间", null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="核查人",
    )
    verified_at = models.DateTimeField("核查时间", null=True, blank=True)
    rejection_reason = models.TextField("退回理由", blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    history = HistoricalRecords()
    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "问题隐患"
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["unit", "status", "deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(major_hazard=False, listing_level="")
                | Q(major_hazard=True) & ~Q(listing_level=""),
                name="major_hazards_are_listed",
            ),
            models.CheckConstraint(
                condition=~Q(status=FindingStatus.CLOSED) | Q(major_hazard=True),
                name="only_major_hazards_close",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}：{self.problem[:30]}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:finding_detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        return MAJOR_HAZARD_LABELS[self.status] if self.major_hazard else self.get_status_display()

    @property
    def done(self) -> bool:
        return self.status in DONE

    def is_overdue(self, today=None) -> bool:
        return not self.done and self.deadline < (today or timezone.localdate())


def finding_file_path(file: "FindingFile", filename: str) -> str:
    suffix = Path(filename).suffix.lower()[:6]
    return f"findings/{file.finding.inspection.year.year}/{file.finding.unit.code}/{uuid.uuid4().hex}{suffix}"


class FindingFile(models.Model):
    """A photo of the problem (by the inspector) or evidence of the fixing (by the unit), stored privately."""

    PHOTO, EVIDENCE = "photo", "evidence"

    finding = models.ForeignKey(Finding, models.CASCADE, related_name="files", verbose_name="问题隐患")
    purpose = models.CharField("用途", max_length=10, choices=[(PHOTO, "问题照片"), (EVIDENCE, "整改佐证")])
    file = models.FileField("文件", upload_to=finding_file_path)
    name = models.CharField("文件名", max_length=200)
    kind = models.CharField("类型", max_length=10)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "问题隐患附件"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name
