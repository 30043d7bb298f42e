"""Reads of the findings for pages: how many wait for what, for the whole city, a unit or an inspection.

`finding_counts` is the one definition of the summary that the findings list, the inspections
list and the home page show.
"""

from datetime import date

from django.db.models import Count, Q

from assessment.models import DONE, FindingStatus
from responsibility import roles


def finding_counts(today: date, *, through: str = "", only: Q | None = None) -> dict[str, Count]:
    """The findings summary as aggregates, for `aggregate` or `annotate`:

    total; pending (not yet verified); open (to rectify); overdue (pending past its deadline, what
    counts against the unit); submitted (rectification reported, to check); to_close (a 重大事故隐患
    verified, waiting for 销号).

    `through` reaches the findings from another model ("findings__" from inspections), each then
    counted once however the query's joins repeat it; `only` narrows the findings counted.
    """
    only = only or Q()

    def q(**lookups) -> Q:
        return Q(**{f"{through}{name}": value for name, value in lookups.items()})

    def count(condition: Q) -> Count:
        return Count(f"{through}pk", filter=only & condition, distinct=bool(through))

    not_done = ~q(status__in=DONE)
    return {
        "total": count(q(pk__isnull=False)),
        "pending": count(not_done),
        "open": count(q(status=FindingStatus.OPEN)),
        "overdue": count(not_done & q(deadline__lt=today)),
        "submitted": count(q(status=FindingStatus.SUBMITTED)),
        "to_close": count(q(status=FindingStatus.VERIFIED, major_hazard=True)),
    }


def findings_summary(findings, today: date) -> dict[str, int]:
    """`finding_counts` of these findings (one query)."""
    return findings.aggregate(**finding_counts(today))


def with_finding_counts(inspections, user, today: date):
    """Inspections annotated with `finding_count`, `open_count` (not yet verified) and
    `overdue_count`; for a unit member, of the findings of the member's own units only."""
    mine = None if roles.sees_all_units(user) else Q(findings__unit__memberships__user=user)
    counts = finding_counts(today, through="findings__", only=mine)
    return inspections.annotate(
        finding_count=counts["total"], open_count=counts["pending"], overdue_count=counts["overdue"]
    )
