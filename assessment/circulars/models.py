"""通报 and their read receipts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from assessment.reports.models import QUARTERS
from responsibility import roles
from responsibility.models import Unit, Year


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
