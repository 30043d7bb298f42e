"""加减分, 考核扣分 and the finalized 年终考核结果 snapshot."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from assessment.rules import ranking, scoring
from responsibility import roles
from responsibility.models import Target, Unit, UnitGroup, Year


class Adjustment(models.Model):
    """加减分: points added (bonus, +) or taken (penalty, −) for a unit's year, with reason and basis.

    A manual veto (弄虚作假) carries no points: it vetoes the unit with its reason instead.
    """

    year = models.ForeignKey(Year, models.PROTECT, related_name="adjustments", verbose_name="年度")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="adjustments", verbose_name="责任单位")
    points = models.DecimalField(
        "分值", max_digits=5, decimal_places=2, help_text="正数为加分，负数为减分；一票否决填 0。"
    )
    reason = models.TextField("事由")
    basis = models.CharField("文件依据", max_length=200, blank=True)
    manual_veto = models.BooleanField("弄虚作假（一票否决）", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "加减分"
        ordering = ["year", "unit__sort_order", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(manual_veto=True, points=0) | (Q(manual_veto=False) & ~Q(points=0)),
                name="adjustment_points_match_kind",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="adjustment_has_reason"),
        ]

    def __str__(self) -> str:
        if self.manual_veto:
            return f"{self.unit} {self.year.year}年 一票否决：{self.reason}"
        return f"{self.unit} {self.year.year}年 {self.points:+}分：{self.reason}"


class Deduction(models.Model):
    """考核扣分: one itemized deduction by the assessors from an item_deduction target, with its reason."""

    target = models.ForeignKey(Target, models.CASCADE, related_name="deductions", verbose_name="目标")
    points = models.DecimalField("扣分", max_digits=5, decimal_places=2)
    reason = models.TextField("扣分理由")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "考核扣分"
        ordering = ["target", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="deduction_points_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="deduction_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.target} −{self.points}：{self.reason}"


class AssessmentGrade(models.TextChoices):
    """等级, by the year's bands (`scoring.grade` gives the code)."""

    EXCELLENT = scoring.EXCELLENT, "优秀"
    GOOD = scoring.GOOD, "良好"
    PASS = scoring.PASS, "合格"
    FAIL = scoring.FAIL, "不合格"


class AssessmentTier(models.TextChoices):
    """等次, by rank within the group (`ranking.tiers` gives the code)."""

    FIRST = ranking.FIRST_TIER, "第一等次"
    SECOND = ranking.SECOND_TIER, "第二等次"
    THIRD = ranking.THIRD_TIER, "第三等次"


class AssessmentStatus(models.TextChoices):
    """Whether the unit was ranked (results.roll: SIGNED, UNSIGNED, NO_TARGETS)."""

    SIGNED = "signed", "已签订"
    UNSIGNED = "unsigned", "未签订"
    NO_TARGETS = "no_targets", "无考核目标"


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """安委办 and leaders see every row; a unit's members see their own unit's, once published."""
        if roles.sees_all_units(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(published_at__isnull=False, unit__memberships__user=user).distinct()

    def for_year(self, year):
        return self.filter(year=year)


class Assessment(models.Model):
    """年终考核结果: a unit's finalized result for a year, written once by `finalizing.finalize`.

    A snapshot: it never follows later changes to reports, accidents or adjustments. Reopening the
    year deletes the snapshots (their history keeps them, with the reason); publishing shows them
    to the units. `group`, `grade` and `tier` hold codes (UnitGroup, AssessmentGrade, AssessmentTier);
    pages show their labels (`get_grade_display()` …). A unit of the year that was not ranked
    (`status` 未签订 or 无考核目标, see results.roll) has a row too, with its `why` and no points,
    grade, rank or 等次.
    """

    year = models.ForeignKey(Year, models.PROTECT, related_name="assessments", verbose_name="年度")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="assessments", verbose_name="责任单位")
    base = models.DecimalField("基础分", max_digits=6, decimal_places=2, null=True, blank=True)
    bonus = models.DecimalField("加分", max_digits=6, decimal_places=2, null=True, blank=True)
    penalty = models.DecimalField("减分", max_digits=6, decimal_places=2, null=True, blank=True)
    total = models.DecimalField("总分", max_digits=6, decimal_places=2, null=True, blank=True)
    vetoed = models.BooleanField("一票否决", default=False)
    vetoes = models.JSONField(
        "否决事由", default=list, blank=True, help_text="[{code, name, reason, record_ids}]"
    )
    yellow_cards = models.JSONField("黄牌警告", default=list, blank=True)
    grade = models.CharField("等级", max_length=10, choices=AssessmentGrade, blank=True)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    # The provisional rank at the end of Q3, which 较上季度 compares with: kept at 定稿, so that a
    # later change (an accident added in December) moves nothing on a final year's pages.
    quarter_rank = models.PositiveIntegerField("第3季度末暂定名次", null=True, blank=True)
    tier = models.CharField("等次", max_length=10, choices=AssessmentTier, blank=True)
    group = models.CharField("考核组别", max_length=20, choices=UnitGroup)
    items = models.JSONField(
        "分项得分", default=list, blank=True, help_text="[{code, name, weight, points, reason, missing}]"
    )
    status = models.CharField(
        "考核状态", max_length=12, choices=AssessmentStatus, default=AssessmentStatus.SIGNED
    )
    why = models.CharField("未排名原因", max_length=60, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="定稿人",
    )
    finalized_at = models.DateTimeField("定稿时间")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    history = HistoricalRecords()
    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "年终考核结果"
        ordering = ["year", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "unit"], name="one_assessment_per_unit_per_year"),
            models.CheckConstraint(
                condition=Q(status=AssessmentStatus.SIGNED, total__isnull=False, rank__isnull=False)
                | (~Q(status=AssessmentStatus.SIGNED) & Q(total__isnull=True, rank__isnull=True)),
                name="assessment_ranked_only_when_signed",
            ),
        ]

    def __str__(self) -> str:
        if self.total is None:
            return f"{self.unit} {self.year.year}年 {self.get_status_display()}"
        return f"{self.unit} {self.year.year}年 {self.total}分 {self.get_grade_display()}"
