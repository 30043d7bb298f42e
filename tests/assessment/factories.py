"""Builders for accident-register rows and reports; each takes keyword overrides for what a test is
about, and tells the kept assessment of its change as the service would (assessment.kept.changes)."""

from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from assessment.kept import changes
from assessment.models import Accident, AccidentExemption, Industry, Report, ReportStatus
from responsibility.models import Target
from tests.factories import make_unit


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment in Asia/Shanghai (the project's time zone)."""
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def make_accident(*, departments=(), **fields) -> Accident:
    if "unit" not in fields:
        fields["unit"] = make_unit()  # not setdefault(): that would create a unit every call
    fields.setdefault("occurred_at", at(2026, 3, 5))
    fields.setdefault("place", "测试地点")
    fields.setdefault("title", "测试事故")
    fields.setdefault("industry", Industry.INDUSTRY_TRADE)
    fields.setdefault("deaths", 1)
    fields.setdefault("direct_loss", Decimal("10.00"))
    accident = Accident.objects.create(**fields)
    if departments:
        accident.departments.set(departments)
    changes.accident_changed(accident)
    return accident


def make_exemption(accident: Accident, unit, reason: str = "经调查不负监管责任") -> AccidentExemption:
    exemption = AccidentExemption.objects.create(accident=accident, unit=unit, reason=reason)
    changes.exemption_changed(exemption)
    return exemption


def make_report(target: Target, *, quarter: int = 3, **fields) -> Report:
    """The quarter's report on `target`, for its letter's unit and year."""
    letter = target.letter
    report = Report.objects.create(
        target=target, unit_id=letter.unit_id, year_id=letter.year_id, quarter=quarter, **fields
    )
    if report.status == ReportStatus.APPROVED:
        changes.approved_values_changed([report])
    return report
