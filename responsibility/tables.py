from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

import django_tables2 as tables
from django.shortcuts import render
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django_tables2 import RequestConfig

from . import exports
from .models import Indicator, LetterStatus, ResponsibilityLetter, Unit, UnitKind, User, Year


class LocalDateTimeColumn(tables.DateTimeColumn):
    """A time as the page shows it, in exports too: the city's (TIME_ZONE), Y-m-d H:i by default.

    django-tables2 exports a DateTimeColumn as the stored value's isoformat, in UTC with "+00:00".
    """

    def __init__(self, verbose_name=None, *, format="Y-m-d H:i", **kwargs):  # noqa: A002 (its name upstream)
        self.format = format
        super().__init__(format=format, verbose_name=verbose_name, **kwargs)

    def value(self, value, **kwargs):
        if isinstance(value, datetime):
            return dateformat.format(
                timezone.localtime(value) if timezone.is_aware(value) else value, self.format
            )
        return super().value(value=value, **kwargs)


class UnitTable(tables.Table):
    name = tables.Column("单位名称", linkify=lambda record: record.get_absolute_url(), order_by="sort_order")
    code = tables.Column("代码")
    kind = tables.Column("类别")
    group = tables.Column("排名分组", accessor="group", orderable=False)
    leader_name = tables.Column("主要负责人")
    deputy_name = tables.Column("分管负责人")
    active = tables.BooleanColumn(verbose_name="状态", yesno="启用,已停用")

    class Meta:
        model = Unit
        fields = ["name", "code", "kind", "group", "leader_name", "deputy_name", "active"]
        row_attrs = {"class": lambda record: "" if record.active else "text-body-secondary"}

    def render_group(self, value):
        return value.label

    def value_group(self, value):
        return value.label


class PersonTable(tables.Table):
    username = tables.Column("登录名", linkify=lambda record: record.get_absolute_url())
    name = tables.Column("姓名", attrs={"td": {"class": "text-nowrap"}})
    units = tables.Column("单位与角色", accessor="pk", orderable=False)
    city_roles = tables.Column("市级角色", accessor="pk", orderable=False)
    email = tables.Column("电子邮箱")
    is_active = tables.BooleanColumn(verbose_name="状态", yesno="正常,已停用")
    last_login = LocalDateTimeColumn("最近登录")

    class Meta:
        model = User
        fields = ["username", "name", "units", "city_roles", "email", "is_active", "last_login"]

    def _units(self, record):
        return [(m.unit.name, m.get_role_display()) for m in record.memberships.all()]

    def _roles(self, record):
        return [group.name for group in record.groups.all()]

    def render_units(self, record):
        return format_html_join("、", "{}（{}）", self._units(record)) or "—"

    def value_units(self, record):
        return "、".join(f"{u}（{r}）" for u, r in self._units(record))

    def render_city_roles(self, record):
        return "、".join(self._roles(record)) or "—"

    def value_city_roles(self, record):
        return "、".join(self._roles(record))


class YearTable(tables.Table):
    year = tables.Column("年度", linkify=lambda record: record.get_absolute_url())
    status = tables.Column("状态")
    q1_deadline = tables.DateColumn(verbose_name="一季度截止", format="Y-m-d")
    q2_deadline = tables.DateColumn(verbose_name="二季度截止", format="Y-m-d")
    q3_deadline = tables.DateColumn(verbose_name="三季度截止", format="Y-m-d")
    q4_deadline = tables.DateColumn(verbose_name="四季度截止", format="Y-m-d")
    window = tables.Column("事故统计期", accessor="accident_window_start", orderable=False)
    bands = tables.Column("等级分数线（优/良/合格）", accessor="excellent_min", orderable=False)
    bonus_cap = tables.Column("加分上限")

    class Meta:
        model = Year
        fields = ["year"]
        orderable = False

    def render_window(self, record):
        return f"{record.accident_window_start:%Y-%m-%d} 至 {record.accident_window_end:%Y-%m-%d}"

    def render_bands(self, record):
        return f"{record.excellent_min} / {record.good_min} / {record.pass_min}"


class WeightColumn(tables.Column):
    """One unit kind's points for an indicator; the footer totals the kind and flags ≠ 100."""

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        super().__init__(
            verbose_name=UnitKind(kind).label,
            accessor="weights",
            orderable=False,
            attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}, "tf": {"class": "text-end"}},
            footer=self.total,
            **kwargs,
        )

    def render(self, value, record):
        weight = record.weight_for(self.kind)
        return "—" if weight is None else f"{weight:.2f}"

    def value(self, value, record):
        weight = record.weight_for(self.kind)
        return "" if weight is None else f"{weight:.2f}"

    def total(self, table):
        total = table.weight_totals[self.kind]
        mark = "✓" if total == 100 else "✗"
        css = "text-success" if total == 100 else "text-danger fw-bold"
        return format_html('<span class="{}">{} {}</span>', css, mark, f"{total:.2f}")


class IndicatorTable(tables.Table):
    code = tables.Column("代码", linkify=lambda record: record.get_absolute_url(), footer="合计")
    name = tables.Column("指标名称")
    category = tables.Column("类别")
    rule = tables.Column("评分规则")
    source = tables.Column("数据来源")
    evidence_required = tables.BooleanColumn(verbose_name="佐证", yesno="须上传,—")
    active = tables.BooleanColumn(verbose_name="状态", yesno="启用,停用")

    class Meta:
        model = Indicator
        fields = ["code", "name", "category", "rule", "source"]
        sequence = ["code", "name", "category", "rule", "source", "..."]
        row_attrs = {"class": lambda record: "" if record.active else "text-body-secondary"}

    def __init__(self, data, *, weight_totals, **kwargs):
        self.weight_totals = weight_totals
        extra = [(f"weight_{kind}", WeightColumn(kind)) for kind in UnitKind.values]
        super().__init__(data, extra_columns=extra, **kwargs)


class LetterTable(tables.Table):
    unit = tables.Column(
        "责任单位", linkify=lambda record: record.get_absolute_url(), order_by="unit__sort_order"
    )
    year = tables.Column("年度", accessor="year__year")
    doc_number = tables.Column("文号", order_by="doc_seq")
    status = tables.Column("状态")
    version = tables.Column("版本", attrs={"td": {"class": "text-center"}})
    issued_on = tables.DateColumn(verbose_name="下发日期", format="Y-m-d")
    signed_on = tables.DateColumn(verbose_name="签订日期", format="Y-m-d")
    signer_name = tables.Column("签订人")

    class Meta:
        model = ResponsibilityLetter
        fields = ["unit", "year", "doc_number", "status", "version", "issued_on", "signed_on", "signer_name"]
        row_attrs = {"data-status": lambda record: record.status}

    def __init__(self, data, *, today, **kwargs):
        self.today = today
        super().__init__(data, **kwargs)

    def render_status(self, record):
        if record.status == LetterStatus.SIGNED:
            return format_html('<span class="status-green">✓ {}</span>', record.get_status_display())
        if record.is_overdue_to_sign(self.today):
            return mark_safe('<span class="status-red">✗ 逾期未签</span>')
        if record.status == LetterStatus.ISSUED:
            return format_html('<span class="status-amber">▲ {}</span>', record.get_status_display())
        return record.get_status_display()

    def value_status(self, record):
        if record.is_overdue_to_sign(self.today):
            return "逾期未签"
        return record.get_status_display()

    def render_version(self, value):
        return f"第{value}版"


PER_PAGE = 25


def table_page(
    request,
    table,
    template: str,
    context: dict,
    *,
    export_name: str | None = None,
    export_sheets: Callable[[], Mapping[str, Iterable[Sequence]]] | None = None,
):
    """Paginate and sort a table; answer ?_export=xlsx|csv with the whole filtered table.

    `export_sheets`, called only for an .xlsx export, gives further sheets ({title: rows}), e.g. the
    breakdown behind each row.
    """
    export_format = exports.requested_format(request) if export_name else None
    if export_format:
        RequestConfig(request, paginate=False).configure(table)
        sheets = export_sheets() if export_sheets and export_format == "xlsx" else None
        return exports.export_response(table, export_format, export_name, sheets=sheets)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(request, template, {"table": table, **context})
