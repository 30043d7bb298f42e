"""安全生产责任书: each unit's letter for a year, its versions and its targets."""

import uuid
from datetime import date, timedelta
from pathlib import Path

from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from responsibility import roles

from .catalog import Indicator
from .units import Unit, User
from .years import Year

# --- 安全生产责任书 ----------------------------------------------------------------------


# An issued letter not signed within this many days is overdue to sign.
SIGN_WITHIN_DAYS = 10


class LetterStatus(models.TextChoices):
    DRAFT = "draft", "草拟"
    ISSUED = "issued", "已下发"
    SIGNED = "signed", "已签订"


class LetterQuerySet(models.QuerySet):
    def visible_to(self, user):
        if roles.sees_all_units(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(unit__memberships__user=user).distinct()

    def for_year(self, year: "Year"):
        return self.filter(year=year)

    def overdue_to_sign(self, today: date):
        """Issued more than SIGN_WITHIN_DAYS days ago and still not signed."""
        return self.filter(status=LetterStatus.ISSUED, issued_on__lt=today - timedelta(days=SIGN_WITHIN_DAYS))


def letter_scan_path(letter: "ResponsibilityLetter", filename: str) -> str:
    """Where a signed scan is stored: never under the name the user gave it."""
    suffix = Path(filename).suffix.lower()[:6]
    return f"letters/{letter.year.year}/{letter.unit.code}/v{letter.version}-{uuid.uuid4().hex}{suffix}"


class ResponsibilityLetter(models.Model):
    """安全生产责任书: one per unit per year, with its targets. Issued with a 文号, then signed."""

    year = models.ForeignKey(Year, models.PROTECT, related_name="letters", verbose_name="年度")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="letters", verbose_name="责任单位")
    status = models.CharField("状态", max_length=10, choices=LetterStatus, default=LetterStatus.DRAFT)
    doc_seq = models.PositiveIntegerField("文号序号", null=True, blank=True)
    doc_number = models.CharField("文号", max_length=40, blank=True)
    version = models.PositiveSmallIntegerField("版本", default=1)
    leader_name = models.CharField("签订时主要负责人", max_length=30, blank=True)
    issuer_name = models.CharField("签发人", max_length=30, blank=True)
    signer_name = models.CharField("签订人", max_length=30, blank=True)
    issued_on = models.DateField("下发日期", null=True, blank=True)
    signed_on = models.DateField("签订日期", null=True, blank=True)
    text = models.TextField("责任书正文", blank=True)
    # What the letter said when issued (documents.letter_words): {"paragraphs": [...], "targets":
    # {code: words}}. Kept so a signed text never changes under the signer when the rules do.
    words = models.JSONField("下发时的文字", default=dict, blank=True)
    scan = models.FileField("签订扫描件", upload_to=letter_scan_path, blank=True)
    scan_name = models.CharField("扫描件原文件名", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()
    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "安全生产责任书"
        ordering = ["year", "unit__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["year", "unit"], name="one_letter_per_unit_per_year"),
            models.UniqueConstraint(fields=["year", "doc_seq"], name="doc_numbers_unique_per_year"),
            models.CheckConstraint(
                condition=Q(status=LetterStatus.DRAFT) | Q(issued_on__isnull=False, doc_seq__isnull=False),
                name="issued_letter_has_date_and_number",
            ),
            models.CheckConstraint(
                condition=~Q(status=LetterStatus.SIGNED) | Q(signed_on__isnull=False),
                name="signed_letter_has_signed_on",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year.year}年度安全生产责任书"

    def get_absolute_url(self) -> str:
        return reverse("responsibility:letter_detail", args=[self.pk])

    @property
    def title(self) -> str:
        return f"{self.year.year}年度安全生产目标管理责任书"

    @property
    def targets_locked(self) -> bool:
        """Signed targets change only through an amendment, which makes a new version."""
        return self.status == LetterStatus.SIGNED

    def is_overdue_to_sign(self, today: date) -> bool:
        return (
            self.status == LetterStatus.ISSUED
            and self.issued_on is not None
            and self.issued_on < today - timedelta(days=SIGN_WITHIN_DAYS)
        )


class LetterVersion(models.Model):
    """A signed version of a letter, kept when the 安委办 amends it: what it said and who signed."""

    letter = models.ForeignKey(
        ResponsibilityLetter, models.CASCADE, related_name="versions", verbose_name="责任书"
    )
    version = models.PositiveSmallIntegerField("版本")
    targets = models.JSONField("目标", default=list)
    words = models.JSONField("文字", default=dict, blank=True)
    signer_name = models.CharField("签订人", max_length=30, blank=True)
    signed_on = models.DateField("签订日期", null=True, blank=True)
    leader_name = models.CharField("签订时主要负责人", max_length=30, blank=True)
    scan = models.CharField("签订扫描件", max_length=300, blank=True)
    scan_name = models.CharField("扫描件原文件名", max_length=200, blank=True)
    reason = models.TextField("修订原因")
    amended_by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+", verbose_name="修订人")
    amended_at = models.DateTimeField("修订时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "责任书历史版本"
        ordering = ["letter", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "version"], name="one_row_per_letter_version")
        ]

    def __str__(self) -> str:
        return f"{self.letter} 第{self.version}版"


class Target(models.Model):
    """目标: one indicator of a letter with its points, target value and wording."""

    letter = models.ForeignKey(
        ResponsibilityLetter, models.CASCADE, related_name="targets", verbose_name="责任书"
    )
    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="targets", verbose_name="指标")
    weight = models.DecimalField("分值", max_digits=5, decimal_places=2)
    target_value = models.DecimalField("目标值", max_digits=10, decimal_places=2, null=True, blank=True)
    params = models.JSONField("评分参数", default=dict, blank=True)
    wording = models.TextField("目标表述", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "目标"
        ordering = ["indicator__sort_order", "indicator__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "indicator"], name="one_target_per_indicator_per_letter"
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="target_weight_positive"),
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | Q(target_value__gte=0),
                name="target_value_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter.unit} {self.indicator.code}"

    @property
    def commitment(self) -> str:
        """The wording the letter prints: the admin's own, or the one written from the scoring rule."""
        from responsibility.documents import target_commitment  # documents imports the models

        return target_commitment(self)
