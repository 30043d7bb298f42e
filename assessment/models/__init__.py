"""How units did: quarterly reports with evidence, and the accident register."""

import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessment.rules import grading
from responsibility import roles
from responsibility.models import Target, Unit, Year

# --- 季度填报 ---------------------------------------------------------------------------

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
        return f"{self.unit} {self.year.year}年Q{self.quarter} {self.target.indicator.code}"

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


# --- 生产安全事故 -----------------------------------------------------------------------


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


# --- 加减分与考核扣分 ---------------------------------------------------------------------


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


# --- 年终考核结果 -------------------------------------------------------------------------


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
    to the units.
    """

    year = models.ForeignKey(Year, models.PROTECT, related_name="assessments", verbose_name="年度")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="assessments", verbose_name="责任单位")
    base = models.DecimalField("基础分", max_digits=6, decimal_places=2)
    bonus = models.DecimalField("加分", max_digits=6, decimal_places=2)
    penalty = models.DecimalField("减分", max_digits=6, decimal_places=2)
    total = models.DecimalField("总分", max_digits=6, decimal_places=2)
    vetoed = models.BooleanField("一票否决", default=False)
    vetoes = models.JSONField(
        "否决事由", default=list, blank=True, help_text="[{code, name, reason, record_ids}]"
    )
    yellow_cards = models.JSONField("黄牌警告", default=list, blank=True)
    grade = models.CharField("等级", max_length=10)
    rank = models.PositiveIntegerField("名次")
    tier = models.CharField("等次", max_length=10)
    group = models.CharField("考核组别", max_length=20)
    items = models.JSONField(
        "分项得分", default=list, blank=True, help_text="[{code, name, weight, points, reason}]"
    )
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
            models.UniqueConstraint(fields=["year", "unit"], name="one_assessment_per_unit_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year.year}年 {self.total}分 {self.grade}"


# --- 督查与问题隐患 -----------------------------------------------------------------------


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


# --- 通报 ----------------------------------------------------------------------------------


class CircularKind(models.TextChoices):
    SITUATION = "situation", "情况通报"
    REMINDER = "reminder", "催报通报"
    PRAISE = "praise", "表扬通报"
    CRITICISM = "criticism", "批评通报"


class CircularStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


PERIODS = [(0, "全年"), *QUARTERS]


class CircularQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The 安委办 sees drafts too; everyone else sees the published circulars."""
        if roles.can_manage(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(status=CircularStatus.PUBLISHED)


class Circular(models.Model):
    """通报: drafted from the data for a period, edited by the 安委办, published with a 文号.

    `figures` keeps the tables the draft was written from (per unit: reporting, accidents,
    findings, ranking), so the published text and its PDF never change when the data does.
    """

    year = models.ForeignKey(Year, models.PROTECT, related_name="circulars", verbose_name="年度")
    period = models.PositiveSmallIntegerField("期间", choices=PERIODS)
    kind = models.CharField("类型", max_length=10, choices=CircularKind)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    figures = models.JSONField("数据表", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=CircularStatus, default=CircularStatus.DRAFT)
    doc_seq = models.PositiveIntegerField("文号序号", null=True, blank=True)
    doc_number = models.CharField("文号", max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name="起草人"
    )
    created_at = models.DateTimeField("起草时间", auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发布人",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    history = HistoricalRecords(excluded_fields=["figures"])
    objects = CircularQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "通报"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "doc_seq"],
                condition=Q(doc_seq__isnull=False),
                name="one_circular_number_per_year",
            ),
            models.CheckConstraint(
                condition=Q(status=CircularStatus.DRAFT) | ~Q(doc_number="") & Q(published_at__isnull=False),
                name="published_circulars_have_a_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.doc_number or '（草稿）'} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:circular_detail", args=[self.pk])


class CircularRead(models.Model):
    """回执: who opened a published circular, and when first."""

    circular = models.ForeignKey(Circular, models.CASCADE, related_name="reads", verbose_name="通报")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name="阅读人"
    )
    unit = models.ForeignKey(
        Unit, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="所在单位"
    )
    read_at = models.DateTimeField("首次阅读时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "通报阅读回执"
        ordering = ["read_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["circular", "user"], name="one_read_per_user")]

    def __str__(self) -> str:
        return f"{self.user} {self.read_at:%Y-%m-%d %H:%M} 阅读 {self.circular}"


# --- 站内提醒 --------------------------------------------------------------------------------


class NotificationKind(models.TextChoices):
    REPORT_DUE = "report_due", "填报即将截止"
    REPORT_OVERDUE = "report_overdue", "填报逾期"
    REPORT_LATE_UNITS = "report_late_units", "逾期未报单位"
    LETTER_UNSIGNED = "letter_unsigned", "责任书未签"
    FINDING_DUE = "finding_due", "整改即将到期"
    FINDING_OVERDUE = "finding_overdue", "整改逾期"
    FINDING_NEW = "finding_new", "新发现问题"
    FINDING_REJECTED = "finding_rejected", "整改被退回"
    REVIEW_WAITING = "review_waiting", "填报待审核"
    CIRCULAR = "circular", "新通报"
    YEAR_EXPORT = "year_export", "全年数据导出"


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Everyone sees only their own notices, the 安委办 included."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """站内提醒: one notice to one person, e-mailed once after it is saved.

    `key` is unique: kind, object, rung and recipient (e.g. "report_due:2026-3:7d:liangxi:42").
    Writing a notice whose key exists does nothing, so a job that runs twice, or again after a
    crash, never sends a notice twice; `emailed_at` stays empty until the e-mail has gone.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications", verbose_name="接收人"
    )
    kind = models.CharField("类型", max_length=20, choices=NotificationKind)
    key = models.CharField("去重键", max_length=200, unique=True)
    title = models.CharField("标题", max_length=200)
    text = models.TextField("内容")
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "站内提醒"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["emailed_at"], condition=Q(emailed_at__isnull=True), name="notification_unsent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}：{self.title}"


# --- 全年数据导出 ------------------------------------------------------------------------


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


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
