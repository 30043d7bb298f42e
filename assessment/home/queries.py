"""Reads of the home page's cards: what is owed, what waits, who is in trouble."""

from datetime import date

from django.db.models import Count, Q

from assessment.inspections.queries import finding_counts, findings_summary
from assessment.models import Accident, Finding, QuarterLock, Report, ReportStatus
from assessment.reports.views import current_quarter
from responsibility import services
from responsibility.models import (
    GROUP_OF_KIND,
    Indicator,
    LetterStatus,
    ResponsibilityLetter,
    Target,
    Unit,
    UnitGroup,
    UnitKind,
    User,
    Year,
    weight_totals,
)


def my_letters(user, year: Year, today: date) -> list[tuple[ResponsibilityLetter, bool]]:
    """The letters of the user's units for the year, each with whether it is overdue to sign."""
    return [
        (letter, letter.is_overdue_to_sign(today))
        for letter in ResponsibilityLetter.objects.filter(year=year, unit__memberships__user=user)
        .select_related("unit")
        .order_by("unit__sort_order")
    ]


def my_findings(user, today: date) -> list[dict]:
    """Per unit of the user with findings: to rectify (open), overdue, and reported but not checked."""
    return list(
        Finding.objects.filter(unit__memberships__user=user)
        .values("unit_id", "unit__name")
        .annotate(**finding_counts(today))
        .order_by("unit__sort_order", "unit_id")
    )


def findings_waiting(today: date) -> dict:
    """What waits for the inspectors: rectifications to check, overdue findings, hazards to close."""
    return findings_summary(Finding.objects.all(), today)


def my_quarters(user, year: Year, today: date) -> list[dict]:
    """Per unit of the user: what is owed for the quarters due so far and the one being filed."""
    targets = list(
        Target.objects.filter(
            letter__year=year,
            letter__status=LetterStatus.SIGNED,
            letter__unit__memberships__user=user,
            indicator__source="entered",
        ).select_related("letter__unit")
    )
    reports = {
        (r.target_id, r.quarter): r.status
        for r in Report.objects.filter(target__in=targets).only("target_id", "quarter", "status")
    }
    current = current_quarter(year, today)
    # A locked quarter takes no more filing: what it misses is not owed (补报) but missed.
    locked = set(QuarterLock.objects.filter(year=year).values_list("quarter", flat=True))
    units: dict[int, dict] = {}
    for target in targets:
        unit = target.letter.unit
        entry = units.setdefault(
            unit.pk,
            {
                "unit": unit,
                "quarter": current,
                "owed": 0,
                "overdue": 0,
                "late_quarter": None,  # the latest earlier quarter still open to 补报, if one owes
                "missed": 0,
                "returned": 0,
                "done": 0,
                "total": 0,
            },
        )
        for quarter in range(1, current + 1):
            status = reports.get((target.pk, quarter))
            if status == ReportStatus.RETURNED:
                entry["returned"] += 1
            if quarter == current:
                entry["total"] += 1
                if status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
                    entry["done"] += 1
                else:
                    entry["owed"] += 1
            elif status in (None, ReportStatus.DRAFT):
                if quarter in locked:
                    entry["missed"] += 1
                else:
                    entry["overdue"] += 1
                    entry["late_quarter"] = max(entry["late_quarter"] or 0, quarter)
    return list(units.values())


def waiting_for_office(today: date) -> dict:
    """What waits for the 安委办 today: reports to review, and this month's accidents."""
    waiting = Report.objects.filter(status=ReportStatus.SUBMITTED).aggregate(
        total=Count("pk"), late=Count("pk", filter=Q(late=True))
    )
    month = Accident.objects.filter(occurred_at__date__gte=today.replace(day=1), occurred_at__date__lte=today)
    waiting["accidents"] = month.aggregate(n=Count("pk"), larger=Count("pk", filter=~Q(grade="ordinary")))
    return waiting


def letter_progress(year: Year, today: date) -> dict:
    """The signing of the year's letters, summed over the groups."""
    groups = services.signing_progress(year, today=today)
    keys = ["signed", "issued", "pending", "overdue", "draft", "total"]
    return {key: sum(group[key] for group in groups) for key in keys}


def unit_counts() -> list[tuple[str, int]]:
    """(group label, number of active units) for each ranking group."""
    counts = dict(Unit.objects.active().values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    per_group = dict.fromkeys(UnitGroup.labels, 0)
    for kind, n in counts.items():
        per_group[GROUP_OF_KIND[kind].label] += n
    return list(per_group.items())


def setup_status() -> dict:
    """What the 安委办 must fix before letters can be issued."""
    totals = weight_totals(Indicator.objects.active())
    kinds_in_use = set(Unit.objects.active().order_by().values_list("kind", flat=True).distinct())
    return {
        "bad_weights": [
            (UnitKind(kind), total) for kind, total in totals.items() if kind in kinds_in_use and total != 100
        ],
        "units_without_people": Unit.objects.active().filter(memberships__isnull=True).count(),
        "people_pending_password": User.objects.filter(is_active=True, must_change_password=True).count(),
    }
