"""The year's units (考核名单): whom the assessment lists, why an unranked unit is not ranked, and
the result types (`UnitResult` …) that `assessing` gives for each.

Every unit of the year is
- each active unit of a kind the catalog covers (a kind some active indicator gives points to), and
- each active unit with a letter for the year, whatever its kind.
Inactive units (merged, dissolved) are left out, as they always were. A unit is listed with one
status:
- signed 已签订: its letter is signed and holds targets; scored, graded and ranked.
- unsigned 未签订: no letter, a draft, or issued and not yet signed. No score, rank, grade or 等次;
  the why says which: "本年度尚未制发责任书", "责任书尚在草拟，未下发", "责任书已下发，尚未签订".
- no_targets 无考核目标: a signed letter without a single target ("责任书已签订，但未列考核目标"),
  listed like an unsigned unit: there is nothing to score it on.
An unranked unit comes after the ranked units of its group, in the city's order. The ranking rules
(`rules.ranking`) only ever see the ranked units.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery

from assessment.models import AssessmentGrade, AssessmentStatus, AssessmentTier
from assessment.rules import vetoes
from responsibility.models import LetterStatus, ResponsibilityLetter, Unit, Year

SIGNED, UNSIGNED, NO_TARGETS = AssessmentStatus.values

WHY = {
    None: "本年度尚未制发责任书",
    LetterStatus.DRAFT: "责任书尚在草拟，未下发",
    LetterStatus.ISSUED: "责任书已下发，尚未签订",
    LetterStatus.SIGNED: "责任书已签订，但未列考核目标",
}


@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str
    kind: str
    group: str  # UnitGroup value
    group_label: str  # 板块, 专业类部门 …


@dataclass(frozen=True)
class ItemResult:
    """One target's line in the breakdown."""

    code: str
    name: str
    weight: Decimal
    points: Decimal
    reason: str
    missing: bool = False  # 缺报: an entered value with no approved report to read


@dataclass(frozen=True)
class UnitResult:
    """A unit of the year. Unranked (status 未签订 or 无考核目标): the points, rank, grade and tier
    are None / "" and `why` says why."""

    unit: UnitRef
    base: Decimal | None
    bonus: Decimal | None
    penalty: Decimal | None
    score: Decimal | None  # the total: base + bonus − penalty, floored at 0
    vetoed: bool
    vetoes: tuple[vetoes.Veto, ...]
    yellow_cards: tuple[vetoes.Veto, ...]
    grade: str  # AssessmentGrade value (scoring.EXCELLENT …); "" unranked
    rank: int | None
    tier: str  # AssessmentTier value (ranking.FIRST_TIER …); "" unranked
    items: tuple[ItemResult, ...]
    status: str = SIGNED
    why: str = ""
    # 缺报 as counted when kept, for a page that reads the count without the items (which are then
    # empty); None: the items are here, count them.
    missing_count: int | None = None

    @property
    def ranked(self) -> bool:
        return self.status == SIGNED

    @property
    def status_label(self) -> str:
        return AssessmentStatus(self.status).label

    @property
    def missing(self) -> tuple[ItemResult, ...]:
        """The targets whose entered value is missing (缺报)."""
        if self.missing_count is not None:
            raise ValueError("read without its items: use missing_total")
        return tuple(item for item in self.items if item.missing)

    @property
    def missing_total(self) -> int:
        """How many targets are 缺报, with or without the items read."""
        return len(self.missing) if self.missing_count is None else self.missing_count

    @property
    def veto_codes(self) -> list[str]:
        return [veto.code for veto in self.vetoes]

    @property
    def grade_label(self) -> str:
        return AssessmentGrade(self.grade).label if self.grade else ""

    @property
    def tier_label(self) -> str:
        return AssessmentTier(self.tier).label if self.tier else ""


def unranked_result(unit: UnitRef, letter_status: str | None) -> UnitResult:
    """A unit of the year that is not ranked: its status and why, nothing scored."""
    return UnitResult(
        unit, None, None, None, None, False, (), (), "", None, "", (),
        status=status_of(letter_status), why=why(letter_status),
    )  # fmt: skip


def covered_kinds(indicators: Iterable) -> set[str]:
    """The unit kinds the active indicators among `indicators` give points to."""
    return {kind for indicator in indicators if indicator.active for kind in indicator.weights}


def year_units(year: Year, kinds: Iterable[str]) -> list[Unit]:
    """The year's units (see the module docstring), each with `letter_status` (None without a
    letter); one query, in no particular order."""
    letter = ResponsibilityLetter.objects.filter(year=year, unit=OuterRef("pk")).values("status")[:1]
    return list(
        Unit.objects.filter(active=True)
        .annotate(letter_status=Subquery(letter))
        .filter(Q(letter_status__isnull=False) | Q(kind__in=list(kinds)))
    )


def status_of(letter_status: str | None) -> str:
    """The status of a unit that has no targets to score, from its letter's status."""
    return NO_TARGETS if letter_status == LetterStatus.SIGNED else UNSIGNED


def why(letter_status: str | None) -> str:
    return WHY[letter_status]
