"""生产安全事故: the accident register and its per-unit exemptions."""

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessment.rules import grading
from responsibility import roles
from responsibility.models import Unit, Year


class Industry(models.TextChoices):
    ROAD = "road", "道路交通"
    INDUSTRY_TRADE = "industry_trade", "工矿商贸"
    CONSTRUCTION = "construction", "建筑施工"
    HAZCHEM = "hazchem", "危化品"
    FIRE = "fire", "火灾"
    SPECIAL_EQUIPMENT = "special_equipment", "特种设备"
    WATERWAY = "waterway", "水上交通"
    RAIL = "rail", "铁路交通"
    OTHER = "other", "其他"


class AccidentGrade(models.TextChoices):
    ORDINARY = grading.ORDINARY, "一般"
    LARGER = grading.LARGER, "较大"
    MAJOR = grading.MAJOR, "重大"
    ESPECIALLY_MAJOR = grading.ESPECIALLY_MAJOR, "特别重大"


# Figures may be revised freely this many days after the accident; later, only with a reason.
REVISION_DAYS = 30
REVISION_DAYS_SHORT = 7  # road traffic and fire: deaths within 7 days count
SHORT_REVISION_INDUSTRIES = {Industry.ROAD, Industry.FIRE}


class AccidentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Accidents are city-wide facts; a unit sees those in its territory or its sector."""
        if roles.sees_all_units(user):
            return self
        if not user.is_authenticated:
            return self.none()
        units = Unit.objects.filter(memberships__user=user)
        return self.filter(Q(unit__in=units) | Q(departments__in=units)).distinct()

    def in_window(self, year: Year):
        return self.filter(
            occurred_at__date__gte=year.accident_window_start, occurred_at__date__lte=year.accident_window_end
        )


class Accident(models.Model):
    """生产安全事故 in the register. The grade is computed from the figures, never typed in."""

    occurred_at = models.DateTimeField("发生时间")
    place = models.CharField("地点", max_length=200)
    title = models.CharField("事故名称", max_length=200)
    industry = models.CharField("行业领域", max_length=20, choices=Industry)
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="accidents", verbose_name="属地")
    departments = models.ManyToManyField(
        Unit, related_name="supervised_accidents", blank=True, verbose_name="监管部门"
    )
    deaths = models.PositiveIntegerField("死亡人数", default=0)
    serious_injuries = models.PositiveIntegerField("重伤人数", default=0)
    direct_loss = models.DecimalField("直接经济损失（万元）", max_digits=12, decimal_places=2, default=0)
    grade = models.CharField("等级", max_length=20, choices=AccidentGrade, editable=False)
    reported_late = models.BooleanField("迟报", default=False)
    concealed = models.BooleanField("瞒报", default=False)
    falsely_reported = models.BooleanField("谎报", default=False)
    revision_reason = models.TextField("修改原因", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(m2m_fields=[departments])
    objects = AccidentQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "生产安全事故"
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["occurred_at"], name="accident_occurred_at")]
        constraints = [
            models.CheckConstraint(condition=Q(direct_loss__gte=0), name="accident_loss_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.title}"

    def save(self, *args, **kwargs):
        # The grade is a derived column: kept in step with the figures on every save.
        self.grade = grading.accident_grade(self.deaths, self.serious_injuries, self.direct_loss)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "grade"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("assessment:accident_detail", args=[self.pk])

    @property
    def revision_days(self) -> int:
        return REVISION_DAYS_SHORT if self.industry in SHORT_REVISION_INDUSTRIES else REVISION_DAYS

    def revision_deadline(self):
        # Days are Wuxi days: an accident at 01:00 on the 5th happened on the 5th, not the 4th (UTC).
        return timezone.localdate(self.occurred_at) + timedelta(days=self.revision_days)


class AccidentExemption(models.Model):
    """The investigation found no 属地 or 监管 responsibility for this unit: never counted against it."""

    accident = models.ForeignKey(Accident, models.CASCADE, related_name="exemptions", verbose_name="事故")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="accident_exemptions", verbose_name="单位")
    reason = models.TextField("免责理由")

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "事故免责"
        constraints = [models.UniqueConstraint(fields=["accident", "unit"], name="one_exemption_per_unit")]

    def __str__(self) -> str:
        return f"{self.accident} · {self.unit}"
