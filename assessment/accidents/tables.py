"""How the register shows accidents: the table, 同比 changes, per-unit and per-month rows."""

from dataclasses import dataclass
from datetime import date

import django_tables2 as tables
from django.utils.html import format_html

from assessment.models import Accident
from assessment.rules import grading
from responsibility.models import Unit
from responsibility.tables import LocalDateTimeColumn

from .figures import UnitFigures

GRADE_CSS = {
    grading.ORDINARY: "",
    grading.LARGER: "status-amber fw-semibold",
    grading.MAJOR: "status-red fw-bold",
    grading.ESPECIALLY_MAJOR: "status-red fw-bold",
}


@dataclass(frozen=True)
class Change:
    """A figure against the same period last year (同比): ▲ more (amber), ▼ fewer (green)."""

    current: int
    previous: int

    @property
    def diff(self) -> int:
        return self.current - self.previous

    @property
    def css(self) -> str:
        return "status-amber" if self.diff > 0 else "status-green" if self.diff < 0 else "text-body-secondary"

    @property
    def short(self) -> str:
        """▲ 2, ▼ 1 or 持平."""
        if self.diff == 0:
            return "持平"
        return f"{'▲' if self.diff > 0 else '▼'} {abs(self.diff)}"

    @property
    def text(self) -> str:
        """The short form with the percentage when last year had any: ▼ 1（33.3%）."""
        if self.diff == 0 or not self.previous:
            return self.short
        return f"{self.short}（{abs(self.diff) / self.previous * 100:.1f}%）"


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    figures: UnitFigures
    count: Change
    deaths: Change
    larger_or_worse: int

    @property
    def status(self) -> tuple[str, str]:
        """(css, words) for 双下降."""
        if self.figures.double_decrease:
            return "status-green", "✓ 双下降"
        if self.count.current == 0 and self.count.previous == 0:
            return "status-green", "✓ 均无事故"
        return "status-amber", "✗ 未双下降"


@dataclass(frozen=True)
class MonthRow:
    month: date
    count: Change
    deaths: Change


def flags_text(accident) -> str:
    return "、".join(
        label
        for flag, label in (
            (accident.reported_late, "迟报"),
            (accident.concealed, "瞒报"),
            (accident.falsely_reported, "谎报"),
        )
        if flag
    )


class AccidentTable(tables.Table):
    occurred_at = LocalDateTimeColumn(
        "发生时间",
        linkify=lambda record: record.get_absolute_url(),
        attrs={"td": {"class": "text-nowrap"}},
    )
    title = tables.Column(
        "事故名称",
        linkify=lambda record: record.get_absolute_url(),
        attrs={"td": {"style": "min-width: 12em"}},
    )
    unit = tables.Column(
        "属地", order_by=("unit__sort_order", "unit__name"), attrs={"td": {"class": "text-nowrap"}}
    )
    departments = tables.Column(
        "监管部门", accessor="pk", orderable=False, attrs={"td": {"style": "min-width: 10em"}}
    )
    industry = tables.Column("行业领域", attrs={"td": {"class": "text-nowrap"}})
    grade = tables.Column(
        "等级",
        order_by=("-deaths", "-serious_injuries", "-direct_loss"),
        attrs={"td": {"class": "text-nowrap"}},
    )
    deaths = tables.Column("死亡", attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    serious_injuries = tables.Column("重伤", attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    direct_loss = tables.Column(
        "直接经济损失（万元）", attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )
    flags = tables.Column(
        "迟报/瞒报/谎报", accessor="pk", orderable=False, attrs={"td": {"class": "text-nowrap"}}
    )

    class Meta:
        model = Accident
        fields = [
            "occurred_at",
            "title",
            "unit",
            "departments",
            "industry",
            "grade",
            "deaths",
            "serious_injuries",
            "direct_loss",
            "flags",
        ]
        row_attrs = {"data-grade": lambda record: record.grade}

    def render_departments(self, record):
        return "、".join(unit.name for unit in record.departments.all()) or "—"

    def value_departments(self, record):
        return "、".join(unit.name for unit in record.departments.all())

    def render_grade(self, record):
        return format_html('<span class="{}">{}</span>', GRADE_CSS[record.grade], record.get_grade_display())

    def value_grade(self, record):
        return record.get_grade_display()

    def render_direct_loss(self, value):
        return f"{value:.2f}"

    def value_direct_loss(self, value):
        return f"{value:.2f}"

    def render_flags(self, record):
        text = flags_text(record)
        return format_html('<span class="status-amber">✗ {}</span>', text) if text else "—"

    def value_flags(self, record):
        return flags_text(record)


# --- the register ------------------------------------------------------------------------
