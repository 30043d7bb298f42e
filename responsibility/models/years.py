"""考核年度: a year's status, quarterly deadlines, accident window, grade bands and 一票否决 rules."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords


class YearStatus(models.TextChoices):
    PLANNING = "planning", "筹备中"
    OPEN = "open", "执行中"
    ASSESSING = "assessing", "考核中"
    PUBLISHED = "published", "已发布"


def default_deadlines(year: int) -> dict[str, date]:
    """Q1–Q3 results are due on the 10th after the quarter; Q4 on 10 January of the next year."""
    return {
        "q1_deadline": date(year, 4, 10),
        "q2_deadline": date(year, 7, 10),
        "q3_deadline": date(year, 10, 10),
        "q4_deadline": date(year + 1, 1, 10),
    }


class YearQuerySet(models.QuerySet):
    def current(self, today: date) -> "Year | None":
        """The year whose work is under way: the first whose Q4 results are not yet due, else the latest.

        In early January the previous year is still current: its Q4 deadline has not passed.
        """
        return self.filter(q4_deadline__gte=today).order_by("year").first() or self.order_by("-year").first()


class Year(models.Model):
    """考核年度: its deadlines, the accident window and the scoring bands."""

    year = models.PositiveSmallIntegerField("年度", unique=True, error_messages={"unique": "该年度已存在。"})
    status = models.CharField("状态", max_length=10, choices=YearStatus, default=YearStatus.PLANNING)
    q1_deadline = models.DateField("一季度填报截止")
    q2_deadline = models.DateField("二季度填报截止")
    q3_deadline = models.DateField("三季度填报截止")
    q4_deadline = models.DateField("四季度填报截止")
    accident_window_start = models.DateField("事故统计起始日")
    accident_window_end = models.DateField("事故统计截止日")
    excellent_min = models.DecimalField("优秀分数线", max_digits=5, decimal_places=2, default=Decimal(90))
    good_min = models.DecimalField("良好分数线", max_digits=5, decimal_places=2, default=Decimal(80))
    pass_min = models.DecimalField("合格分数线", max_digits=5, decimal_places=2, default=Decimal(60))
    bonus_cap = models.DecimalField("加分上限", max_digits=4, decimal_places=2, default=Decimal(5))
    # 等次 by rank within each group: the first tier's share, and the second's (the rest: 第三等次).
    first_tier_percent = models.DecimalField(
        "第一等次比例（%）", max_digits=5, decimal_places=2, default=Decimal(30)
    )
    second_tier_percent = models.DecimalField(
        "第二等次比例（%）", max_digits=5, decimal_places=2, default=Decimal(40)
    )
    # What an entered value the unit never reported (缺报) earns: this share of the target's points.
    missing_entered_percent = models.DecimalField(
        "缺报项得分比例（%）",
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        help_text="单位未报送（或未审核通过）的填报类指标按分值的该比例计分；0 即缺报项不得分。",
    )
    # The year's settings of the 一票否决 rules over the defaults (assessment.vetoes.rules_from_config),
    # e.g. {"V3": {"larger_count": 3}, "V7": {"enabled": false}}; edited on the assessment's veto page.
    veto_rules = models.JSONField("一票否决规则", default=dict, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()
    objects = YearQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "考核年度"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(q1_deadline__lt=models.F("q2_deadline"))
                & Q(q2_deadline__lt=models.F("q3_deadline"))
                & Q(q3_deadline__lt=models.F("q4_deadline")),
                name="quarter_deadlines_in_order",
            ),
            models.CheckConstraint(
                condition=Q(accident_window_start__lt=models.F("accident_window_end")),
                name="accident_window_starts_before_it_ends",
            ),
            models.CheckConstraint(
                condition=Q(excellent_min__gt=models.F("good_min"))
                & Q(good_min__gt=models.F("pass_min"))
                & Q(pass_min__gt=0)
                & Q(excellent_min__lte=100),
                name="grade_bands_descend",
            ),
            models.CheckConstraint(
                condition=Q(first_tier_percent__gt=0)
                & Q(second_tier_percent__gte=0)
                & Q(first_tier_percent__lte=100 - models.F("second_tier_percent")),
                name="tier_percents_within_100",
            ),
            models.CheckConstraint(
                condition=Q(missing_entered_percent__gte=0) & Q(missing_entered_percent__lte=100),
                name="missing_entered_percent_within_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度"

    def get_absolute_url(self) -> str:
        return reverse("responsibility:year_detail", args=[self.year])

    def deadlines(self) -> list[tuple[int, date]]:
        return [
            (1, self.q1_deadline),
            (2, self.q2_deadline),
            (3, self.q3_deadline),
            (4, self.q4_deadline),
        ]

    def next_deadline(self, today: date) -> tuple[int, date] | None:
        """The first quarter whose deadline is today or later, if any."""
        return next(((q, d) for q, d in self.deadlines() if d >= today), None)

    def clean(self):
        errors = {}
        quarters = [
            ("q1_deadline", "一"),
            ("q2_deadline", "二"),
            ("q3_deadline", "三"),
            ("q4_deadline", "四"),
        ]
        for (prev, prev_name), (field, name) in zip(quarters, quarters[1:], strict=False):
            before, after = getattr(self, prev), getattr(self, field)
            if before and after and after <= before:
                errors[field] = f"{name}季度截止日须晚于{prev_name}季度截止日（{before:%Y-%m-%d}）。"
        if (
            self.accident_window_start
            and self.accident_window_end
            and self.accident_window_end <= self.accident_window_start
        ):
            errors["accident_window_end"] = "事故统计截止日须晚于起始日。"
        bands = [("excellent_min", "优秀"), ("good_min", "良好"), ("pass_min", "合格")]
        for (high, high_name), (low, low_name) in zip(bands, bands[1:], strict=False):
            upper, lower = getattr(self, high), getattr(self, low)
            if upper is not None and lower is not None and lower >= upper:
                errors.setdefault(low, f"{low_name}分数线须低于{high_name}分数线（{upper}）。")
        if self.excellent_min is not None and self.excellent_min > 100:
            errors.setdefault("excellent_min", "分数线不能超过 100 分。")
        if self.pass_min is not None and self.pass_min <= 0:
            errors.setdefault("pass_min", "合格分数线须大于 0。")
        if self.bonus_cap is not None and self.bonus_cap < 0:
            errors["bonus_cap"] = "加分上限不能为负数。"
        first, second = self.first_tier_percent, self.second_tier_percent
        if first is not None and not 0 < first <= 100:
            errors["first_tier_percent"] = "第一等次比例须大于 0、不超过 100。"
        if second is not None and second < 0:
            errors["second_tier_percent"] = "第二等次比例不能为负数。"
        elif first is not None and second is not None and first + second > 100:
            errors["second_tier_percent"] = f"第一、第二等次比例合计不能超过 100（现为 {first + second}）。"
        missing = self.missing_entered_percent
        if missing is not None and not 0 <= missing <= 100:
            errors["missing_entered_percent"] = "缺报项得分比例须在 0 至 100 之间（0 即缺报项不得分）。"
        if errors:
            raise ValidationError(errors)

    @property
    def missing_entered_rule(self) -> str:
        """The year's rule for 缺报 in words: 缺报项按本年度规则计 0 分 / 计分值的 50%."""
        share = self.missing_entered_percent or 0
        if not share:
            return "缺报项按本年度规则计 0 分"
        return f"缺报项按本年度规则计分值的 {share.normalize():f}%"
