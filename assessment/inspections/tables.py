"""Tables of inspections and findings (sortable, exportable; values without HTML for the export)."""

import django_tables2 as tables
from django.utils.html import format_html

from assessment.models import Finding, FindingStatus, Inspection

from .services import short

NUMBER = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}


def finding_state(finding: Finding, today) -> tuple[str, str]:
    """(css, words) for a finding's state: overdue in red with its days, done in green."""
    if finding.is_overdue(today):
        return (
            "status-red fw-semibold",
            f"✗ {finding.status_label}，逾期 {(today - finding.deadline).days} 天",
        )
    if finding.major_hazard and finding.status == FindingStatus.VERIFIED:
        return "status-amber", f"▲ {finding.status_label}"  # 验收通过: done on time, still to be closed
    if finding.done:
        return "status-green", f"✓ {finding.status_label}"
    if finding.status == FindingStatus.SUBMITTED:
        return "status-amber", f"▲ {finding.status_label}"
    return "", finding.status_label


def finding_kind(finding: Finding) -> str:
    return f"重大事故隐患（{finding.get_listing_level_display()}）" if finding.major_hazard else "一般问题"


class InspectionTable(tables.Table):
    date = tables.DateColumn(
        verbose_name="督查日期",
        format="Y-m-d",
        linkify=lambda record: record.get_absolute_url(),
        attrs={"td": {"class": "text-nowrap"}},
    )
    kind = tables.Column("方式", attrs={"td": {"class": "text-nowrap"}})
    team = tables.Column("督查组", attrs={"td": {"style": "min-width: 10em"}})
    units = tables.Column(
        "督查对象", accessor="pk", orderable=False, attrs={"td": {"style": "min-width: 10em"}}
    )
    finding_count = tables.Column("发现问题", attrs=NUMBER)
    open_count = tables.Column("未办结", attrs=NUMBER)
    overdue_count = tables.Column("逾期", attrs=NUMBER)

    class Meta:
        model = Inspection
        fields = ["date", "kind", "team", "units", "finding_count", "open_count", "overdue_count"]
        row_attrs = {"data-inspection": lambda record: record.pk}

    def __init__(self, *args, visible_unit_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visible_unit_ids = visible_unit_ids  # None: every unit may be named

    def _unit_names(self, record) -> str:
        return "、".join(
            unit.name
            for unit in record.units.all()
            if self.visible_unit_ids is None or unit.pk in self.visible_unit_ids
        )

    def render_units(self, record):
        return self._unit_names(record) or "—"

    def value_units(self, record):
        return self._unit_names(record)

    def render_overdue_count(self, value):
        return format_html('<span class="status-red fw-semibold">✗ {}</span>', value) if value else "0"

    def value_overdue_count(self, value):
        return value


class FindingTable(tables.Table):
    problem = tables.Column(
        "问题",
        linkify=lambda record: record.get_absolute_url(),
        attrs={"td": {"style": "min-width: 14em"}},
    )
    unit = tables.Column(
        "责任单位", order_by=("unit__sort_order", "unit__name"), attrs={"td": {"class": "text-nowrap"}}
    )
    inspection = tables.Column(
        "督查", order_by=("inspection__date", "inspection__pk"), attrs={"td": {"class": "text-nowrap"}}
    )
    major_hazard = tables.Column(
        "类别", order_by=("-major_hazard", "listing_level"), attrs={"td": {"class": "text-nowrap"}}
    )
    deadline = tables.DateColumn(
        verbose_name="整改期限", format="Y-m-d", attrs={"td": {"class": "text-nowrap"}}
    )
    status = tables.Column(
        "整改状态", order_by=("status", "deadline"), attrs={"td": {"class": "text-nowrap"}}
    )

    class Meta:
        model = Finding
        # The deadline and the state next to the problem: what a unit reads first, also on a phone.
        fields = ["problem", "deadline", "status", "unit", "major_hazard", "inspection"]
        row_attrs = {
            "data-finding": lambda record: record.pk,
            "data-status": lambda record: record.status,
        }

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def render_problem(self, record):
        return short(record.problem, 60)

    def value_problem(self, record):
        return record.problem

    def render_unit(self, record):
        return record.unit.name

    def value_unit(self, record):
        return record.unit.name

    def render_inspection(self, record):
        return f"{record.inspection.date:%Y-%m-%d} {record.inspection.get_kind_display()}"

    def value_inspection(self, record):
        return self.render_inspection(record)

    def render_major_hazard(self, record):
        if record.major_hazard:
            return format_html('<span class="status-red">{}</span>', finding_kind(record))
        return finding_kind(record)

    def value_major_hazard(self, record):
        return finding_kind(record)

    def render_status(self, record):
        css, words = finding_state(record, self.today)
        return format_html('<span class="{}" data-testid="finding-state">{}</span>', css, words)

    def value_status(self, record):
        return finding_state(record, self.today)[1].lstrip("✓✗▲ ")
