"""责任单位 and the people in them: units with their kind and ranking group, users, memberships."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from responsibility import roles


class UnitKind(models.TextChoices):
    DISTRICT = "district", "区"
    COUNTY_CITY = "county_city", "县级市"
    DEV_ZONE = "dev_zone", "开发区"
    DEPT_PROFESSIONAL = "dept_professional", "专业类部门"
    DEPT_GENERAL = "dept_general", "综合类部门"
    ENTERPRISE = "enterprise", "市属企业"


# The kinds by what they answer for. A 板块 answers for the accidents in its territory (属地); a
# department or a city enterprise may be an accident's supervising unit (监管部门), never a 板块.
# assessment/rules/vetoes.py holds the same sets as plain strings (it imports no Django);
# tests/assessment/rules/test_scoring.py checks that they agree.
TERRITORIAL_KINDS = frozenset({UnitKind.DISTRICT, UnitKind.COUNTY_CITY, UnitKind.DEV_ZONE})  # 板块
DEPARTMENT_KINDS = frozenset({UnitKind.DEPT_PROFESSIONAL, UnitKind.DEPT_GENERAL})  # 部门
ENTERPRISE_KINDS = frozenset({UnitKind.ENTERPRISE})  # 市属企业
SUPERVISING_KINDS = DEPARTMENT_KINDS | ENTERPRISE_KINDS  # may be an accident's 监管部门


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


def kind_order(prefix: str = "") -> models.Case:
    """The rank of a unit's kind in the city's order: the kinds as UnitKind declares them.

    `prefix` reaches the unit through relations, e.g. "unit__" or "letter__unit__".
    """
    return models.Case(
        *[models.When(**{f"{prefix}kind": kind}, then=i) for i, kind in enumerate(UnitKind.values)],
        output_field=models.IntegerField(),
    )


def city_order(prefix: str = "") -> list:
    """ORDER BY the city's order of units: 板块 first, then departments, then enterprises (by
    kind, as UnitKind declares them), each by `Unit.sort_order`, then by name."""
    return [kind_order(prefix), f"{prefix}sort_order", f"{prefix}name"]


def city_order_key(unit) -> tuple:
    """`city_order` for sorting units in Python."""
    return (UnitKind.values.index(unit.kind), unit.sort_order, unit.name)


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
        return self.order_by(*city_order())


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
