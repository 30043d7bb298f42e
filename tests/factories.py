"""Small, explicit builders for test rows: each takes keyword overrides for what a test is about.

They write score inputs directly, standing in for the services, so each tells the kept assessment
of its change as the service would (responsibility.changes); a test that changes rows by hand
(`update()`, `objects.create`) after a page has kept the results marks the change itself."""

import importlib
from datetime import date
from itertools import count

from django.contrib.auth.models import Group

from responsibility import changes, roles, services
from responsibility.models import (
    Indicator,
    LetterStatus,
    Membership,
    ResponsibilityLetter,
    Target,
    Unit,
    UnitKind,
    User,
    Year,
    default_deadlines,
)

_seq = count(1)


def make_unit(**fields) -> Unit:
    n = next(_seq)
    fields.setdefault("code", f"unit{n}")
    fields.setdefault("name", f"测试单位{n}")
    fields.setdefault("kind", UnitKind.DISTRICT)
    unit = Unit.objects.create(**fields)
    changes.unit_changed(unit)
    return unit


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
    made = Year.objects.create(year=year, **fields)
    changes.year_changed(made)
    return made


_counting_0004 = importlib.import_module("responsibility.migrations.0004_indicator_counting")


def make_indicator(**fields) -> Indicator:
    n = next(_seq)
    fields.setdefault("code", f"T{n}")
    fields.setdefault("name", f"测试指标{n}")
    fields.setdefault("category", "事故控制")
    fields.setdefault("rule", "completion")
    fields.setdefault("source", "entered")
    # What a derived indicator counts: unless given, as migration 0004 sets it on an old catalog
    # from the code and rule (A1/DA1 the death cap, 较大及以上 for count and boolean rules …).
    counting = _counting_0004.counting_of(
        fields["code"], fields["name"], fields["rule"], fields["source"], fields.get("params") or {}
    )
    for name, value in counting.items():
        fields.setdefault(name, value)
    indicator = Indicator.objects.create(**fields)
    changes.catalog_changed()
    return indicator


def make_letter(
    year: Year,
    unit: Unit,
    *,
    status: str = LetterStatus.SIGNED,
    seq: int | None = None,
    indicators=(),
    weight=50,
    target_value=None,
    **fields,
) -> ResponsibilityLetter:
    """`unit`'s letter for `year`, signed unless `status` says otherwise: issued on 1 February and
    signed on 5 February, numbered 锡安委〔year〕`seq`号, with a target of `weight` points (and
    `target_value`) for each of `indicators`."""
    if status != LetterStatus.DRAFT:
        fields.setdefault("issued_on", date(year.year, 2, 1))
    if status == LetterStatus.SIGNED:
        fields.setdefault("signed_on", date(year.year, 2, 5))
    if seq is not None:
        fields.setdefault("doc_seq", seq)
        fields.setdefault("doc_number", f"锡安委〔{year.year}〕{seq}号")
    letter = ResponsibilityLetter.objects.create(year=year, unit=unit, status=status, **fields)
    for indicator in indicators:
        make_target(letter, indicator, weight=weight, target_value=target_value)
    changes.letters_changed(year, [unit])
    return letter


def make_target(letter: ResponsibilityLetter, indicator: Indicator, *, weight=50, **fields) -> Target:
    target = Target.objects.create(letter=letter, indicator=indicator, weight=weight, **fields)
    changes.letters_changed(letter.year_id, [letter.unit_id])
    return target


def make_catalog_letters(year: Year, units) -> None:
    """Each unit's letter drafted from the catalog (as 安委办 prepares them), issued and signed on
    5 February (no scan)."""
    services.create_letters(year, services.plan_letters(year))
    letters = ResponsibilityLetter.objects.filter(year=year, unit__in=units)
    services.issue_letters(
        year, list(letters.values_list("pk", flat=True)), issued_on=date(year.year, 2, 1), issuer_name="市长"
    )
    letters.update(status=LetterStatus.SIGNED, signed_on=date(year.year, 2, 5))
    changes.letters_changed(year, units)
