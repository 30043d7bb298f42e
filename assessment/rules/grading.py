"""Accident grades by 国务院令第493号, art. 3. Plain values in, a grade out; no database.

The highest criterion wins, and "以上" includes the bound: 3 deaths is 较大, 10 is 重大, 30 is
特别重大; 10/50/100 serious injuries; 1000/5000/10000 万元 of direct loss.
"""

from decimal import Decimal

ORDINARY, LARGER, MAJOR, ESPECIALLY_MAJOR = "ordinary", "larger", "major", "especially_major"
ORDER = [ORDINARY, LARGER, MAJOR, ESPECIALLY_MAJOR]

# grade → (deaths, serious injuries, direct loss in 万元) from which an accident is that grade
THRESHOLDS = {
    ESPECIALLY_MAJOR: (30, 100, Decimal(10000)),
    MAJOR: (10, 50, Decimal(5000)),
    LARGER: (3, 10, Decimal(1000)),
}


def accident_grade(deaths: int, serious_injuries: int, direct_loss: Decimal) -> str:
    for grade in (ESPECIALLY_MAJOR, MAJOR, LARGER):
        min_deaths, min_injuries, min_loss = THRESHOLDS[grade]
        if deaths >= min_deaths or serious_injuries >= min_injuries or direct_loss >= min_loss:
            return grade
    return ORDINARY


def at_least(grade: str, floor: str) -> bool:
    """Whether `grade` is `floor` or worse, e.g. at_least(MAJOR, LARGER) — a 较大-or-worse accident."""
    return ORDER.index(grade) >= ORDER.index(floor)
