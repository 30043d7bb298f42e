"""指标库: the indicator catalog, its scoring rules and sources, and the points per unit kind."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .units import UnitKind


class IndicatorRule(models.TextChoices):
    CAP_DEDUCTION = "cap_deduction", "控制数扣分（超 1 扣 n 分）"
    COUNT_DEDUCTION = "count_deduction", "按次扣分（每起扣 n 分）"
    YOY_DECREASE = "yoy_decrease", "同比下降得分（双下降）"
    COMPLETION = "completion", "完成率得分"
    BOOLEAN = "boolean", "完成即得分"
    ITEM_DEDUCTION = "item_deduction", "逐项扣分（考核组评定）"


class IndicatorSource(models.TextChoices):
    ENTERED = "entered", "单位季度填报"
    DERIVED = "derived", "系统计算"
    ASSESSED = "assessed", "年终考核评定"


class IndicatorMeasure(models.TextChoices):
    """What a derived indicator counts in the accident register."""

    ACCIDENTS = "accidents", "事故起数"
    DEATHS = "deaths", "死亡人数"
    SERIOUS_INJURIES = "serious_injuries", "重伤人数"
    DIRECT_LOSS = "direct_loss", "直接经济损失"


class AccidentLink(models.TextChoices):
    """Which of a unit's links to an accident count: its 属地, its 监管部门 role, or both."""

    BOTH = "both", "属地和监管部门"
    TERRITORY = "territory", "仅属地"
    SUPERVISING = "supervising", "仅监管部门"


# Rules whose derived value is read from the accident figures (the others: 双下降 uses both
# periods' counts and deaths; a derived item deduction counts overdue findings).
COUNTING_RULES = ("cap_deduction", "count_deduction", "boolean")


class IndicatorQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def for_kind(self, kind: str):
        return self.filter(weights__has_key=kind)


class Indicator(models.Model):
    """考核指标 in the catalog. `weights` maps each unit kind it applies to onto its points."""

    code = models.CharField(
        "指标代码",
        max_length=10,
        unique=True,
        help_text="如 A1、DB1。",
        error_messages={"unique": "该指标代码已存在。"},
    )
    name = models.CharField("指标名称", max_length=120)
    category = models.CharField("类别", max_length=30, help_text="如 事故控制、责任落实。")
    rule = models.CharField("评分规则", max_length=20, choices=IndicatorRule)
    source = models.CharField("数据来源", max_length=10, choices=IndicatorSource)
    weights = models.JSONField(
        "分值",
        default=dict,
        blank=True,
        help_text="每类单位的分值；不含某类即不适用于该类。",
    )
    params = models.JSONField("评分参数", default=dict, blank=True)
    # What a derived indicator counts (source=derived; see assessment.accidents.figures.Figures.select).
    measure = models.CharField(
        "计算口径", max_length=20, choices=IndicatorMeasure, blank=True, help_text="系统计算的指标统计什么。"
    )
    grades = models.JSONField("计入事故等级", default=list, blank=True, help_text="不选即全部等级。")
    industries = models.JSONField("计入行业领域", default=list, blank=True, help_text="不选即全部行业领域。")
    link = models.CharField(
        "计入方式",
        max_length=12,
        choices=AccidentLink,
        default=AccidentLink.BOTH,
        help_text="事故计入属地单位、监管部门，或两者。",
    )
    is_death_cap = models.BooleanField(
        "作为死亡人数控制数（一票否决）",
        default=False,
        help_text="该指标的目标值即单位的死亡人数控制数，供一票否决和黄牌警示使用；每类单位至多一项。",
    )
    evidence_required = models.BooleanField("须上传佐证材料", default=False)
    description = models.TextField("评分细则", blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=100)
    active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()
    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "考核指标"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("responsibility:indicator_edit", args=[self.pk])

    def clean(self):
        """The veto reads one death cap per unit: at most one active death-cap indicator per unit kind
        (checked here, so the 指标库's form and the admin both refuse a second)."""
        if not (self.is_death_cap and self.active):
            return
        others = Indicator.objects.active().filter(is_death_cap=True).exclude(pk=self.pk)
        for other in others:
            shared = [kind for kind in UnitKind.values if kind in self.weights and kind in other.weights]
            if shared:
                labels = "、".join(UnitKind(kind).label for kind in shared)
                raise ValidationError(
                    {"is_death_cap": f"{labels}已有死亡人数控制数指标 {other.code}，每类单位至多一项。"}
                )

    def weight_for(self, kind: str) -> Decimal | None:
        value = self.weights.get(kind)
        return None if value is None else Decimal(value)

    def weight_items(self) -> list[tuple[str, Decimal]]:
        """(kind label, points) for each unit kind the indicator applies to, in kind order."""
        return [(UnitKind(kind).label, self.weight_for(kind)) for kind in self.unit_kinds]

    @property
    def unit_kinds(self) -> list[str]:
        return [kind for kind in UnitKind.values if kind in self.weights]

    @property
    def per_unit(self) -> Decimal | None:
        value = self.params.get("per_unit")
        return None if value is None else Decimal(value)


def weight_totals(indicators) -> dict[str, Decimal]:
    """Points per unit kind over the given (active) indicators: each kind should total 100."""
    totals = {kind: Decimal(0) for kind in UnitKind.values}
    for indicator in indicators:
        for kind, weight in indicator.weights.items():
            if kind in totals:
                totals[kind] += Decimal(weight)
    return totals
