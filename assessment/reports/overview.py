"""The quarter at a glance: units × targets, each cell the state of that report."""

from dataclasses import dataclass, field
from datetime import date

import openpyxl
from django.http import HttpResponse

from assessment.models import Report, ReportStatus
from responsibility.exports import CONTENT_TYPES, attachment, neutralize, workbook_bytes
from responsibility.models import LetterStatus, Target, Unit, Year

from . import services as report_services

# cell state → (label, symbol, css class)
STATES = {
    "missing": ("未报", "·", "text-body-secondary"),
    "overdue": ("逾期未报", "✗", "status-red"),
    ReportStatus.DRAFT: ("草稿", "…", "status-amber"),
    ReportStatus.SUBMITTED: ("已提交", "▲", "status-amber"),
    ReportStatus.RETURNED: ("已退回", "✗", "status-red"),
    ReportStatus.APPROVED: ("已通过", "✓", "status-green"),
}


@dataclass(frozen=True)
class Cell:
    state: str
    late: bool = False

    @property
    def label(self) -> str:
        return STATES[self.state][0] + ("（迟报）" if self.late else "")

    @property
    def symbol(self) -> str:
        return STATES[self.state][1]

    @property
    def css(self) -> str:
        return STATES[self.state][2]


@dataclass
class UnitRow:
    unit: Unit
    cells: dict[str, Cell] = field(default_factory=dict)  # indicator code → cell; absent: not its target
    line: list[Cell | None] = field(default_factory=list)

    def count(self, *states) -> int:
        return sum(1 for cell in self.cells.values() if cell.state in states)

    @property
    def done(self) -> int:
        return self.count(ReportStatus.SUBMITTED, ReportStatus.APPROVED)

    @property
    def late(self) -> int:
        return sum(1 for cell in self.cells.values() if cell.late)

    @property
    def submitted(self) -> int:
        return self.count(ReportStatus.SUBMITTED)


@dataclass
class Grid:
    codes: list[str]
    rows: list[UnitRow]
    overdue: bool

    @property
    def total(self) -> int:
        return sum(len(row.cells) for row in self.rows)

    @property
    def done(self) -> int:
        return sum(row.done for row in self.rows)


def quarter_grid(year: Year, quarter: int, *, units, today: date) -> Grid:
    """Three queries: the units, their signed letters' entered targets, and the quarter's reports."""
    units = list(units.active().in_city_order())
    # Plain values, not model instances: a city of 300 units has 18,000 cells.
    targets = (
        Target.objects.filter(
            letter__year=year,
            letter__status=LetterStatus.SIGNED,
            letter__unit__in=units,
            indicator__source="entered",
        )
        .order_by("indicator__sort_order", "indicator__code")
        .values_list("pk", "indicator__code", "letter__unit_id")
    )
    reports = {
        target_id: (status, late)
        for target_id, status, late in Report.objects.filter(
            year=year, quarter=quarter, unit__in=units
        ).values_list("target_id", "status", "late")
    }
    overdue = today > report_services.deadline(year, quarter)
    missing = Cell("overdue" if overdue else "missing")
    codes: dict[str, None] = {}
    rows = {unit.pk: UnitRow(unit=unit) for unit in units}
    for target_id, code, unit_id in targets:
        codes.setdefault(code)
        found = reports.get(target_id)
        rows[unit_id].cells[code] = missing if found is None else Cell(found[0], late=found[1])
    for row in rows.values():
        row.line = [row.cells.get(code) for code in codes]  # the template walks this, in column order
    return Grid(codes=list(codes), rows=[row for row in rows.values() if row.cells], overdue=overdue)


def grid_workbook_response(grid: Grid, year: Year, quarter: int) -> HttpResponse:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = f"{year.year}年第{quarter}季度"
    sheet.append(["责任单位", *grid.codes, "已报", "应报", "迟报"])
    for row in grid.rows:
        cells = [row.cells[code].label if code in row.cells else "—" for code in grid.codes]
        sheet.append([neutralize(row.unit.name), *cells, row.done, len(row.cells), row.late])
    response = HttpResponse(workbook_bytes(workbook), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = attachment(f"{year.year}年第{quarter}季度填报总览.xlsx")
    return response
