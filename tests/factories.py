"""Small, explicit builders for test rows: each takes keyword overrides for what a test is about."""

from datetime import date
from itertools import count

from django.contrib.auth.models import Group

from responsibility import roles
from responsibility.models import Indicator, Membership, Unit, UnitKind, User, Year, default_deadlines

_seq = count(1)


def make_unit(**fields) -> Unit:
    n = next(_seq)
    fields.setdefault("code", f"unit{n}")
    fields.setdefault("name", f"测试单位{n}")
    fields.setdefault("kind", UnitKind.DISTRICT)
    return Unit.objects.create(**fields)


def make_user(
    *, city_role: str | None = None, unit: Unit | None = None, unit_role: str = "reporter", **fields
) -> User:
    n = next(_seq)
    fields.setdefault("username", f"user{n}")
    fields.setdefault("name", f"用户{n}")
    password = fields.pop("password", "Secret-pass-123")
    user = User(**fields)
    user.set_password(password)
    user.save()
    if city_role:
        user.groups.add(Group.objects.get(name=city_role))
    if unit is not None:
        Membership.objects.create(user=user, unit=unit, role=unit_role)
    return user


def make_office_user(**fields) -> User:
    return make_user(city_role=roles.OFFICE, **fields)


def make_year(year: int = 2026, **fields) -> Year:
    fields = (
        default_deadlines(year)
        | {
            "accident_window_start": date(year, 1, 1),
            "accident_window_end": date(year, 12, 31),
        }
        | fields
    )
    return Year.objects.create(year=year, **fields)


def make_indicator(**fields) -> Indicator:
    n = next(_seq)
    fields.setdefault("code", f"T{n}")
    fields.setdefault("name", f"测试指标{n}")
    fields.setdefault("category", "事故控制")
    fields.setdefault("rule", "completion")
    fields.setdefault("source", "entered")
    return Indicator.objects.create(**fields)
