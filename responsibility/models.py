"""Who promised what: units, the people in them, the assessment years and the indicator catalog."""

import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from . import roles


class UnitKind(models.TextChoices):
    DISTRICT = "district", "区"
    COUNTY_CITY = "county_city", "县级市"
    DEV_ZONE = "dev_zone", "开发区"
    DEPT_PROFESSIONAL = "dept_professional", "专业类部门"
    DEPT_GENERAL = "dept_general", "综合类部门"
    ENTERPRISE = "enterprise", "市属企业"


class UnitGroup(models.TextChoices):
    """The ranking group: units are only ever ranked against their own group."""

    TERRITORY = "territory", "板块"
    PROFESSIONAL = "professional", "专业类部门"
    GENERAL = "general", "综合类部门"
    ENTERPRISE = "enterprise", "市属企业"


GROUP_OF_KIND = {
    UnitKind.DISTRICT: UnitGroup.TERRITORY,
    UnitKind.COUNTY_CITY: UnitGroup.TERRITORY,
    UnitKind.DEV_ZONE: UnitGroup.TERRITORY,
    UnitKind.DEPT_PROFESSIONAL: UnitGroup.PROFESSIONAL,
    UnitKind.DEPT_GENERAL: UnitGroup.GENERAL,
    UnitKind.ENTERPRISE: UnitGroup.ENTERPRISE,
}


class UnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def visible_to(self, user):
        if roles.sees_all_units(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()

    def in_city_order(self):
        """板块 first, then departments, then enterprises, each in the city's own order."""
        kind_order = models.Case(
            *[models.When(kind=kind, then=i) for i, kind in enumerate(UnitKind.values)],
            output_field=models.IntegerField(),
        )
        return self.alias(kind_order=kind_order).order_by("kind_order", "sort_order", "name")


class Unit(models.Model):
    """责任单位: a district, department or enterprise that signs a letter each year."""

    code = models.SlugField(
        "代码",
        max_length=40,
        unique=True,
        help_text="英文或拼音，创建后不再改动，例如 liangxi。",
        error_messages={"unique": "代码已被其他单位使用。"},
    )
    name = models.CharField(
        "单位名称", max_length=60, unique=True, error_messages={"unique": "已有同名单位。"}
    )
    kind = models.CharField("类别", max_length=20, choices=UnitKind)
    leader_name = models.CharField("主要负责人", max_length=30, blank=True)
    deputy_name = models.CharField("分管负责人", max_length=30, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=100)
    active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()
    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "责任单位"
        ordering = ["sort_order", "name"]
        permissions = [
            ("manage_setup", "管理单位、人员、年度和指标库"),
            ("view_all_units", "查看全部单位"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("responsibility:unit_detail", args=[self.pk])

    @property
    def group(self) -> UnitGroup:
        return GROUP_OF_KIND[self.kind]


class User(AbstractUser):
    """A person who logs in. City-wide roles are groups; unit roles are memberships."""

    name = models.CharField("姓名", max_length=30, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)
    must_change_password = models.BooleanField(
        "首次登录须改密码", default=False, help_text="由管理员设定的一次性密码须在首次登录时修改。"
    )

    objects = UserManager()

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or self.username

    def get_absolute_url(self) -> str:
        return reverse("responsibility:person_detail", args=[self.pk])


class MembershipRole(models.TextChoices):
    REPORTER = "reporter", "填报员"
    HEAD = "head", "单位负责人"


class Membership(models.Model):
    user = models.ForeignKey(User, models.CASCADE, related_name="memberships", verbose_name="用户")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="memberships", verbose_name="单位")
    role = models.CharField("角色", max_length=10, choices=MembershipRole)

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "单位成员"
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="one_membership_per_user_and_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_role_display()} · {self.user}"


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
        if errors:
            raise ValidationError(errors)


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
        """The wording the letter prints: the admin's own, or one made from the rule and value."""
        if self.wording:
            return self.wording
        value = None if self.target_value is None else f"{self.target_value.normalize():f}"
        rule = self.indicator.rule
        if rule == IndicatorRule.CAP_DEDUCTION and value is not None:
            return f"全年控制在 {value} 人以内"
        if rule == IndicatorRule.COUNT_DEDUCTION:
            return "全年不发生" if value in (None, "0") else f"全年不超过 {value} 起"
        if rule == IndicatorRule.COMPLETION and value is not None:
            return f"完成率达到 {value}%"
        if rule == IndicatorRule.YOY_DECREASE:
            return "事故起数、死亡人数同比“双下降”"
        if rule == IndicatorRule.BOOLEAN:
            return "按要求全面完成"
        return "按考核细则逐项落实"
