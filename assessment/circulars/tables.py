"""How circulars are listed: the register's table, and the read receipts per unit."""

import django_tables2 as tables
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from assessment.models import Circular, CircularRead, CircularStatus
from responsibility.models import Membership, Unit
from responsibility.tables import LocalDateTimeColumn

from . import drafting as circular_drafting


class CircularTable(tables.Table):
    doc_number = tables.Column(
        "文号", order_by=("year__year", "doc_seq"), attrs={"td": {"class": "text-nowrap"}}
    )
    title = tables.Column("标题", linkify=lambda record: record.get_absolute_url())
    kind = tables.Column("类型", attrs={"td": {"class": "text-nowrap"}})
    period = tables.Column("期间", order_by=("year__year", "period"), attrs={"td": {"class": "text-nowrap"}})
    status = tables.Column("状态", attrs={"td": {"class": "text-nowrap"}})
    published_at = LocalDateTimeColumn("发布日期", format="Y-m-d", attrs={"td": {"class": "text-nowrap"}})
    read = tables.Column("阅读", accessor="pk", orderable=False, attrs={"td": {"class": "text-nowrap"}})

    class Meta:
        model = Circular
        fields = ["doc_number", "title", "kind", "period", "status", "published_at", "read"]
        row_attrs = {"data-circular": lambda record: record.pk}

    def __init__(self, data, *, manager: bool, units: int = 0, **kwargs):
        super().__init__(data, **kwargs)
        self.manager, self.units = manager, units
        if not manager:
            self.columns.hide("status")

    def render_doc_number(self, record):
        return record.doc_number or "—"

    def render_period(self, record):
        return circular_drafting.period_label(record.year.year, record.period)

    def value_period(self, record):
        return self.render_period(record)

    def render_status(self, record):
        if record.status == CircularStatus.PUBLISHED:
            return format_html('<span class="status-green">✓ {}</span>', record.get_status_display())
        return format_html('<span class="status-amber">✎ {}</span>', record.get_status_display())

    def value_status(self, record):
        return record.get_status_display()

    def render_read(self, record):
        if record.status != CircularStatus.PUBLISHED:
            return "—"
        if self.manager:
            return f"{record.read_units} / {self.units} 个单位已阅"
        if record.read_by_me:
            return mark_safe('<span class="status-green">✓ 已读</span>')
        return mark_safe('<span class="status-amber fw-semibold">● 未读</span>')

    def value_read(self, record):
        if record.status != CircularStatus.PUBLISHED:
            return ""
        if self.manager:
            return f"{record.read_units}/{self.units}"
        return "已读" if record.read_by_me else "未读"


class ReceiptTable(tables.Table):
    unit = tables.Column("责任单位", orderable=False)
    group = tables.Column("类别", orderable=False, attrs={"td": {"class": "text-nowrap"}})
    state = tables.Column(
        "回执", accessor="read", empty_values=(), orderable=False, attrs={"td": {"class": "text-nowrap"}}
    )
    readers = tables.Column(
        "已阅人数",
        orderable=False,
        attrs={"th": {"class": "text-end"}, "td": {"class": "text-nowrap text-end"}},
    )
    first_read = tables.Column("首次阅读", orderable=False, attrs={"td": {"class": "text-nowrap"}})
    who = tables.Column("阅读人及时间", orderable=False)

    class Meta:
        row_attrs = {
            "data-unit": lambda record: record["unit"],
            "data-read": lambda record: int(record["read"]),
        }

    def render_state(self, record):
        if record["read"]:
            return mark_safe('<span class="status-green">✓ 已阅</span>')
        if not record["members"]:
            return mark_safe('<span class="text-body-secondary">✗ 未阅（无账号）</span>')
        return mark_safe('<span class="status-red fw-semibold">✗ 未阅</span>')

    def value_state(self, record):
        return "已阅" if record["read"] else "未阅" if record["members"] else "未阅（无账号）"

    def render_readers(self, record):
        return f"{record['readers']} / {record['members']}"

    def value_readers(self, record):
        return f"{record['readers']}/{record['members']}"

    def render_first_read(self, value):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "—"

    def value_first_read(self, value):
        return self.render_first_read(value)

    def render_who(self, value):
        return "、".join(f"{name} {timezone.localtime(at):%m-%d %H:%M}" for name, at in value) or "—"

    def value_who(self, value):
        return "、".join(f"{name} {timezone.localtime(at):%Y-%m-%d %H:%M}" for name, at in value)


def receipt_rows(circular: Circular) -> tuple[list[dict], list[dict]]:
    """(per active unit in the city's order: its members, who of them opened the circular and when;
    the readers without a unit: the 市领导 and others). Three queries."""
    units = list(Unit.objects.active().in_city_order().only("pk", "name", "kind"))
    members: dict[int, int] = dict(
        Membership.objects.filter(unit__active=True, user__is_active=True)
        .values("unit_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("unit_id", "n")
    )
    reads: dict[int | None, list] = {}
    for unit_id, name, username, read_at in (
        CircularRead.objects.filter(circular=circular)
        .order_by("read_at", "pk")
        .values_list("unit_id", "user__name", "user__username", "read_at")
    ):
        reads.setdefault(unit_id, []).append((name or username, read_at))
    rows = []
    for unit in units:
        who = reads.get(unit.pk, [])
        rows.append(
            {
                "unit": unit.name,
                "group": unit.group.label,
                "read": bool(who),
                "readers": len(who),
                "members": members.get(unit.pk, 0),
                "first_read": who[0][1] if who else None,
                "who": who,
            }
        )
    others = [{"name": name, "read_at": at} for name, at in reads.get(None, [])]
    return rows, others
