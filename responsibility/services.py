"""Writes with more than one row or a side effect: people and passwords, catalog weights, letters."""

import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q, Sum
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import changes, documents
from .issuing import LetterPlan, TargetPlan, lower_cap
from .models import (
    GROUP_OF_KIND,
    SIGN_WITHIN_DAYS,
    Indicator,
    IndicatorRule,
    LetterStatus,
    LetterVersion,
    Membership,
    ResponsibilityLetter,
    Target,
    Unit,
    UnitGroup,
    User,
    Year,
)

# No look-alikes (0/O, 1/l/I): the password is read aloud or copied from a WeChat message.
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def one_time_password(length: int = 10) -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


@transaction.atomic
def create_person(form, *, unit: Unit | None = None, unit_role: str = "") -> tuple[User, str]:
    """Save a new person from a valid PersonForm with a one-time password; return both."""
    user = form.save(commit=False)
    password = one_time_password()
    user.set_password(password)
    user.must_change_password = True
    user.save()
    form.save_roles(user)
    if unit is not None:
        Membership.objects.create(user=user, unit=unit, role=unit_role)
    return user, password


def reset_password(user: User) -> str:
    """Give the user a new one-time password that must be changed at the next login."""
    password = one_time_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    return password


def change_own_password(user: User, form) -> User:
    """Save the new password from a valid SetPasswordForm and clear the one-time flag."""
    user = form.save(commit=False)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    return user


@transaction.atomic
def save_unit(form) -> Unit:
    """Save a unit from its valid form: its kind (ranking group) and order move its assessment."""
    unit = form.save()
    changes.unit_changed(unit)
    return unit


@transaction.atomic
def save_year(form) -> Year:
    """Save a year's settings from its valid form: bands, tiers, window and rules move every score."""
    year = form.save()
    changes.year_changed(year)
    return year


@transaction.atomic
def save_indicator(form) -> Indicator:
    """Save an indicator from its valid form: its rule and parameters move every unit's score."""
    indicator = form.save()
    changes.catalog_changed()
    return indicator


@transaction.atomic
def set_unit_active(unit: Unit, *, active: bool) -> Unit:
    """Deactivating keeps the unit and all its history; it only leaves the working lists."""
    unit.active = active
    unit.save(update_fields=["active", "updated_at"])
    changes.unit_changed(unit)
    return unit


@transaction.atomic
def save_weights(indicators: list[Indicator]) -> int:
    """Save changed catalog weights one by one, so each change is in the indicator's history."""
    for indicator in indicators:
        indicator.save(update_fields=["weights", "updated_at"])
    if indicators:
        changes.catalog_changed()
    return len(indicators)


# --- 责任书: prepare and issue ----------------------------------------------------------


def plan_letters(year: Year, *, cap_change_pct: Decimal = Decimal(0)) -> list[LetterPlan]:
    """What preparing `year`'s letters would write, per active unit; writes nothing.

    Targets come from the catalog for the unit's kind; target values carry over from the
    unit's letter of last year, caps (cap_deduction) lowered by `cap_change_pct` percent.
    Four queries whatever the number of units.
    """
    units = list(Unit.objects.active().in_city_order())
    indicators = list(Indicator.objects.active())
    existing = {letter.unit_id: letter for letter in ResponsibilityLetter.objects.filter(year=year)}
    last_targets: dict[int, dict[str, Target]] = {}
    for target in Target.objects.filter(letter__year__year=year.year - 1).select_related(
        "letter", "indicator"
    ):
        last_targets.setdefault(target.letter.unit_id, {})[target.indicator.code] = target

    plans = []
    for unit in units:
        plan = LetterPlan(unit=unit, existing=existing.get(unit.pk))
        previous = last_targets.get(unit.pk, {})
        for indicator in indicators:
            weight = indicator.weight_for(unit.kind)
            if weight is None:
                continue
            last = previous.get(indicator.code)
            value = last.target_value if last else None
            if indicator.rule == IndicatorRule.CAP_DEDUCTION:
                value = lower_cap(value, cap_change_pct)
            plan.targets.append(
                TargetPlan(
                    indicator=indicator,
                    weight=weight,
                    target_value=value,
                    params=dict(indicator.params),
                    wording=last.wording if last else "",
                    last_weight=last.weight if last else None,
                    last_value=last.target_value if last else None,
                )
            )
        applying = {t.indicator.code for t in plan.targets}
        plan.dropped = sorted(code for code in previous if code not in applying)
        plans.append(plan)
    return plans


@transaction.atomic
def create_letters(year: Year, plans: list[LetterPlan]) -> list[ResponsibilityLetter]:
    """Write the draft letters of the plans that have none yet; a second run writes nothing."""
    # Units that got a letter since the preview was made are left alone too.
    taken = set(ResponsibilityLetter.objects.filter(year=year).values_list("unit_id", flat=True))
    todo = [plan for plan in plans if plan.existing is None and plan.unit.pk not in taken]
    letters = bulk_create_with_history(
        [ResponsibilityLetter(year=year, unit=plan.unit, leader_name=plan.unit.leader_name) for plan in todo],
        ResponsibilityLetter,
    )
    targets = [
        Target(
            letter=letter,
            indicator=t.indicator,
            weight=t.weight,
            target_value=t.target_value,
            params=t.params,
            wording=t.wording,
        )
        for letter, plan in zip(letters, todo, strict=True)
        for t in plan.targets
    ]
    bulk_create_with_history(targets, Target)
    changes.letters_changed(year, [letter.unit_id for letter in letters])  # now listed, as 未签订
    return letters


def doc_number(year: int, seq: int) -> str:
    return f"{settings.DOC_PREFIX}〔{year}〕{seq}号"


@transaction.atomic
def issue_letters(year: Year, letter_ids, *, issued_on: date, issuer_name: str) -> list[ResponsibilityLetter]:
    """Issue draft letters with 文号 in sequence for the year, in the city's order of units.

    The year's row is locked first, so two people issuing at once get consecutive numbers,
    never the same one. A letter whose targets do not total 100 points is not issued.
    """
    Year.objects.select_for_update().get(pk=year.pk)
    drafts = list(
        ResponsibilityLetter.objects.filter(year=year, pk__in=letter_ids, status=LetterStatus.DRAFT)
        .select_related("unit", "year")
        .prefetch_related(_TARGETS)
        .annotate(total=Sum("targets__weight"))
        .order_by("unit__sort_order", "unit__name")
    )
    unbalanced = [f"{letter.unit}（{letter.total or 0:.2f} 分）" for letter in drafts if letter.total != 100]
    if unbalanced:
        more = f"等 {len(unbalanced)} 个单位" if len(unbalanced) > 5 else ""
        raise ValidationError(
            "以下责任书的目标分值合计不是 100 分，均未下发：" + "、".join(unbalanced[:5]) + more + "。"
        )
    last = ResponsibilityLetter.objects.filter(year=year).aggregate(m=Max("doc_seq"))["m"] or 0
    for seq, letter in enumerate(drafts, start=last + 1):
        letter.status = LetterStatus.ISSUED
        letter.doc_seq = seq
        letter.doc_number = doc_number(year.year, seq)
        letter.issued_on = issued_on
        letter.issuer_name = issuer_name
        letter.words = documents.letter_words(letter)  # what it says from now on, whatever the rules
    bulk_update_with_history(
        drafts,
        ResponsibilityLetter,
        ["status", "doc_seq", "doc_number", "issued_on", "issuer_name", "words"],
    )
    changes.letters_changed(year, [letter.unit_id for letter in drafts])
    return drafts


_TARGETS = Prefetch("targets", queryset=Target.objects.select_related("indicator"))


def _locked_with_targets(letter: ResponsibilityLetter) -> ResponsibilityLetter:
    return (
        ResponsibilityLetter.objects.select_for_update(of=("self",))
        .select_related("unit", "year")
        .prefetch_related(_TARGETS)
        .get(pk=letter.pk)
    )


@transaction.atomic
def save_targets(letter: ResponsibilityLetter, formset) -> None:
    """A letter's targets as edited (before signing), in one transaction with its words: an issued
    letter, not signed yet, takes the words its new targets write."""
    formset.save()
    if letter.status == LetterStatus.ISSUED:
        reword_letter(letter)


@transaction.atomic
def reword_letter(letter: ResponsibilityLetter) -> ResponsibilityLetter:
    """An issued letter not yet signed takes today's words (its targets or the rules changed):
    nobody has signed the old ones, so no version is kept; a signed letter is amended instead."""
    letter = _locked_with_targets(letter)
    if letter.status != LetterStatus.ISSUED:
        raise ValidationError("只有已下发、尚未签订的责任书可直接更新文字；已签订的请修订。")
    letter.words = documents.letter_words(letter)
    letter.save(update_fields=["words", "updated_at"])
    return letter


# --- 责任书: sign and amend -------------------------------------------------------------


@transaction.atomic
def sign_letter(
    letter: ResponsibilityLetter, *, signer_name: str, signed_on: date, scan, scan_name: str
) -> ResponsibilityLetter:
    """Record the unit's signature and its scan; the targets are locked from now on."""
    letter = ResponsibilityLetter.objects.select_for_update().select_related("year", "unit").get(pk=letter.pk)
    if letter.status == LetterStatus.DRAFT:
        raise ValidationError("责任书尚未下发，不能登记签订。")
    if letter.status == LetterStatus.SIGNED:
        raise ValidationError("责任书已签订；如需修改请由市安委办修订后重新签订。")
    letter.signer_name = signer_name
    letter.signed_on = signed_on
    letter.leader_name = letter.unit.leader_name or letter.leader_name
    letter.scan_name = scan_name
    letter.scan.save(scan_name, scan, save=False)
    letter.status = LetterStatus.SIGNED
    letter.save(
        update_fields=["signer_name", "signed_on", "leader_name", "scan", "scan_name", "status", "updated_at"]
    )
    changes.letters_changed(letter.year_id, [letter.unit_id])
    return letter


@transaction.atomic
def amend_letter(
    letter: ResponsibilityLetter, *, reason: str, user: User, today: date
) -> ResponsibilityLetter:
    """Keep the signed version as it was and open a new one that the unit must sign again."""
    letter = _locked_with_targets(letter)
    if letter.status != LetterStatus.SIGNED:
        raise ValidationError("只有已签订的责任书需要修订；未签订的可直接修改目标。")
    targets = letter.targets.all()
    LetterVersion.objects.create(
        letter=letter,
        version=letter.version,
        targets=[
            {
                "code": t.indicator.code,
                "name": t.indicator.name,
                "weight": f"{t.weight:.2f}",
                "target_value": None if t.target_value is None else f"{t.target_value.normalize():f}",
                "wording": t.wording,
            }
            for t in targets
        ],
        words=letter.words,
        signer_name=letter.signer_name,
        signed_on=letter.signed_on,
        leader_name=letter.leader_name,
        scan=letter.scan.name,
        scan_name=letter.scan_name,
        reason=reason,
        amended_by=user,
    )
    letter.version += 1
    letter.status = LetterStatus.ISSUED
    letter.issued_on = today
    letter.signer_name = ""
    letter.signed_on = None
    letter.scan = ""
    letter.scan_name = ""
    letter.words = documents.letter_words(letter)  # the new version says what today's rules say
    letter.save(
        update_fields=[
            "words",
            "version",
            "status",
            "issued_on",
            "signer_name",
            "signed_on",
            "scan",
            "scan_name",
            "updated_at",
        ]
    )
    changes.letters_changed(letter.year_id, [letter.unit_id])  # unsigned again until the new version is
    return letter


def signing_progress(year: Year, *, today: date) -> list[dict]:
    """Per ranking group: how many letters are signed, issued (and overdue) and draft. One query."""
    rows = (
        ResponsibilityLetter.objects.filter(year=year)
        .values("unit__kind", "status")
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=Q(issued_on__lt=today - timedelta(days=SIGN_WITHIN_DAYS))),
        )
        .order_by()
    )
    groups = {
        group: {"group": group.label, "signed": 0, "issued": 0, "overdue": 0, "draft": 0}
        for group in UnitGroup
    }
    for row in rows:
        entry = groups[GROUP_OF_KIND[row["unit__kind"]]]
        entry[row["status"]] += row["n"]
        if row["status"] == LetterStatus.ISSUED:
            entry["overdue"] += row["overdue"]
    result = []
    for entry in groups.values():
        entry["total"] = entry["signed"] + entry["issued"] + entry["draft"]
        entry["pending"] = entry["issued"] - entry["overdue"]  # issued, not signed, not yet overdue
        if entry["total"]:
            entry["signed_pct"] = entry["signed"] * 100 / entry["total"]
            result.append(entry)
    return result
