"""Changes to who promised what that move a unit's assessment, told to whoever keeps it.

responsibility does not import assessment, so its services and pages tell a `Listener` here, which
the assessment installs when it starts (assessment.kept.changes, where the whole list of what moves
a score is written). Without one (a bare responsibility), the calls do nothing.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


def _nothing(*args, **kwargs) -> None:
    return None


@dataclass(frozen=True)
class Listener:
    letters_changed: Callable = _nothing  # (year, units): drafted, issued, signed, amended
    unit_changed: Callable = _nothing  # (unit): added, edited, (de)activated
    catalog_changed: Callable = _nothing  # (): an indicator added or edited, weights
    year_changed: Callable = _nothing  # (year): the year's settings or 一票否决 rules


listener = Listener()


def letters_changed(year, units: Iterable) -> None:
    listener.letters_changed(year, units)


def unit_changed(unit) -> None:
    listener.unit_changed(unit)


def catalog_changed() -> None:
    listener.catalog_changed()


def year_changed(year) -> None:
    listener.year_changed(year)
