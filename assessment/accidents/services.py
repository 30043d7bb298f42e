"""Writes to the accident register: record and revise accidents, exemptions, and the .xlsx import.

The import reads and checks a whole workbook first (`read_accident_workbook`, which writes
nothing) and writes only the rows the user confirmed (`import_accidents`).
"""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessment.kept import changes
from assessment.models import Accident, AccidentExemption
from responsibility.models import TERRITORIAL_KINDS, Unit

# The figures whose late revision needs a reason, with their names in messages.
FIGURES = {"deaths": "死亡人数", "serious_injuries": "重伤人数", "direct_loss": "直接经济损失"}


# An accident's 属地 is a 板块; a department or a city enterprise answers through the supervising
# link (监管部门), never as the 属地. Accidents stored before this check with a department as
# their 属地 are left as they are: the next revision asks for a 板块.
NOT_TERRITORIAL = "属地单位须为区、县级市或开发区；部门请填在监管部门。"


def territorial_unit_error(unit: Unit | None) -> str | None:
    """The message when `unit` cannot be an accident's 属地, naming what it is."""
    if unit is None or unit.kind in TERRITORIAL_KINDS:
        return None
    return f"{unit}是{unit.get_kind_display()}：{NOT_TERRITORIAL}"


def _check_territorial(unit: Unit | None) -> None:
    message = territorial_unit_error(unit)
    if message:
        raise ValidationError({"unit": message})


# --- record and revise -----------------------------------------------------------------


@transaction.atomic
def record_accident(*, by, departments: Iterable[Unit] = (), **fields) -> Accident:
    """Add an accident to the register; its grade is computed from the figures on save.

    Its 属地 (`unit`) must be a 板块 (ValidationError at `unit` otherwise).
    """
    accident = Accident(**fields)
    _check_territorial(accident.unit if accident.unit_id else None)
    accident._history_user = by
    accident.save()
    departments = list(departments)
    if departments:
        accident.departments.set(departments)
    changes.accident_changed(accident)
    return accident


def late_figure_changes(accident: Accident, fields: dict, *, today: date) -> list[str]:
    """Names of the figures `fields` would change after the accident's revision deadline."""
    if today <= accident.revision_deadline():
        return []
    return [
        label for name, label in FIGURES.items() if name in fields and fields[name] != getattr(accident, name)
    ]


def revision_reason_error(accident: Accident, fields: dict, *, today: date) -> str | None:
    """The message for the 修改原因 field when a late revision of a figure gives no reason."""
    changed = late_figure_changes(accident, fields, today=today)
    if not changed or (fields.get("revision_reason") or "").strip():
        return None
    return (
        f"事故发生已超过 {accident.revision_days} 天（修订期至 {accident.revision_deadline():%Y-%m-%d}），"
        f"修改{'、'.join(changed)}须填写修改原因。"
    )


@transaction.atomic
def revise_accident(
    accident: Accident, *, by, departments: Iterable[Unit], today: date | None = None, **fields
) -> Accident | None:
    """Save a revision as one history record; return the accident, or None when nothing changed.

    The values are compared with the stored row (locked for the revision), not with `accident`,
    which a ModelForm may already have changed. After the revision deadline a change of deaths,
    serious injuries or direct loss needs a `revision_reason` (ValidationError at that field); a
    blank reason keeps the last one given. The 属地 must be a 板块, also when an accident
    stored before that check keeps a department as its 属地 (ValidationError at `unit`). Exemptions of units that are no longer the accident's
    属地 or 监管部门 are removed.
    """
    today = today or timezone.localdate()
    stored = Accident.objects.select_for_update().get(pk=accident.pk)
    message = revision_reason_error(stored, fields, today=today)
    if message:
        raise ValidationError({"revision_reason": message})
    reason = (fields.pop("revision_reason", "") or "").strip()
    if reason:
        fields["revision_reason"] = reason
    departments = {unit.pk: unit for unit in departments}
    old_departments = set(stored.departments.values_list("pk", flat=True))
    before = (stored.unit_id, old_departments, timezone.localdate(stored.occurred_at))
    changed = [name for name, value in fields.items() if getattr(stored, name) != value]
    if not changed and old_departments == set(departments):
        return None
    for name in changed:
        setattr(stored, name, fields[name])
    _check_territorial(stored.unit)
    stored._history_user = by
    # The departments are set without a history record of their own, so that the save below
    # writes one record holding every change of this revision.
    stored.skip_history_when_saving = True
    try:
        stored.departments.set(departments.values())
    finally:
        del stored.skip_history_when_saving
    stored.save()
    attributed = {stored.unit_id, *departments}
    for exemption in stored.exemptions.exclude(unit__in=attributed):
        exemption._history_user = by
        exemption.delete()
    changes.accident_changed(stored, before=before)
    return stored


# --- exemptions ------------------------------------------------------------------------


def exemptible_units(accident: Accident) -> list[Unit]:
    """The accident's 属地 and 监管部门 that are not exempted yet, 属地 first."""
    exempted = {e.unit_id for e in accident.exemptions.all()}
    units = [accident.unit, *accident.departments.all()]
    return [unit for unit in units if unit.pk not in exempted]


def add_exemption(accident: Accident, *, unit: Unit, reason: str, by) -> AccidentExemption:
    """Record that the investigation found no responsibility of `unit` for the accident."""
    if unit.pk != accident.unit_id and not accident.departments.filter(pk=unit.pk).exists():
        raise ValidationError("只能为该事故的属地单位或监管部门登记免责。")
    exemption = AccidentExemption(accident=accident, unit=unit, reason=reason.strip())
    exemption._history_user = by
    try:
        with transaction.atomic():
            exemption.save()
    except IntegrityError:
        raise ValidationError(f"{unit}已登记免责，无需重复登记。") from None
    changes.exemption_changed(exemption)
    return exemption


def remove_exemption(exemption: AccidentExemption, *, by) -> None:
    """The exemption no longer holds: the accident counts against the unit again."""
    exemption._history_user = by
    with transaction.atomic():
        exemption.delete()
        changes.exemption_changed(exemption)
