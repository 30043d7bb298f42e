"""The kept assessment's rows: one `KeptYear` per year (its single flight and when it was computed),
a `KeptResult` per unit (today's provisional result and the end of the compared quarter's), and the
`KeptMark`s that say which units a change has made stale. Written only by `results.keeping`
(the rows) and `kept.changes` (the marks)."""

from django.db import models
from django.db.models import Q

from responsibility.models import Unit, UnitGroup, Year

# KeptResult.quarter: 0 is the provisional result as of the day (KeptYear.as_of); 1–3 the
# provisional ranking as it stood at the end of that quarter (较上季度 compares with it).
TODAY = 0


class KeptYear(models.Model):
    """A year's kept assessment as a whole. Its row is what a refresh locks (single flight)."""

    year = models.OneToOneField(Year, models.CASCADE, related_name="kept", verbose_name="年度")
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    as_of = models.DateField("结果所依日期", null=True, blank=True)
    quarter = models.PositiveSmallIntegerField("较上季度所比季度", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核结果（保留）"

    def __str__(self) -> str:
        return f"{self.year} 截至{self.computed_at or '未计算'}"


class KeptResult(models.Model):
    """A unit's provisional result, as `finalizing` serialises a `UnitResult` for the 定稿 snapshot
    (the same columns as `Assessment`), ranked within its group among the year's kept rows."""

    year = models.ForeignKey(Year, models.CASCADE, related_name="+", verbose_name="年度")
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+", verbose_name="责任单位")
    quarter = models.PositiveSmallIntegerField("季度末", default=TODAY)
    base = models.DecimalField("基础分", max_digits=6, decimal_places=2, null=True)
    bonus = models.DecimalField("加分", max_digits=6, decimal_places=2, null=True)
    penalty = models.DecimalField("减分", max_digits=6, decimal_places=2, null=True)
    total = models.DecimalField("总分", max_digits=6, decimal_places=2, null=True)
    vetoed = models.BooleanField("一票否决", default=False)
    vetoes = models.JSONField("否决事由", default=list)
    yellow_cards = models.JSONField("黄牌警告", default=list)
    grade = models.CharField("等级", max_length=10, blank=True)
    rank = models.PositiveIntegerField("名次", null=True)
    tier = models.CharField("等次", max_length=10, blank=True)
    group = models.CharField("考核组别", max_length=20, choices=UnitGroup)
    items = models.JSONField("分项得分", default=list)
    # counted from the items when written, so the ranking and the 驾驶舱 need not read them
    missing_count = models.PositiveSmallIntegerField("缺报项数", default=0)
    status = models.CharField("考核状态", max_length=12)
    why = models.CharField("未排名原因", max_length=60, blank=True)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = verbose_name_plural = "单位考核结果（保留）"
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter", "unit"], name="one_kept_result_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {self.total}"


class KeptMark(models.Model):
    """A change that moved a score: `unit`'s kept results of `year` are stale (every unit's when
    `unit` is empty) until a refresh computes them and deletes this mark. Marks made while a
    refresh runs stay for its next round."""

    year = models.ForeignKey(Year, models.CASCADE, related_name="+", verbose_name="年度")
    unit = models.ForeignKey(Unit, models.CASCADE, null=True, related_name="+", verbose_name="责任单位")
    why = models.CharField("原因", max_length=40)
    marked_at = models.DateTimeField("标记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "待更新标记"
        indexes = [models.Index(fields=["year"], name="kept_mark_year")]
        constraints = [models.CheckConstraint(condition=~Q(why=""), name="kept_mark_has_why")]

    def __str__(self) -> str:
        return f"{self.year} {self.unit or '全部单位'}：{self.why}"
