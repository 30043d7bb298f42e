import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from assessment.models import Report, ReportStatus
from responsibility.tables import LocalDateTimeColumn

from . import services as report_services


class ReviewTable(tables.Table):
    unit = tables.Column("责任单位", order_by="unit__sort_order")
    period = tables.Column("季度", accessor="quarter", order_by=("year__year", "quarter"))
    indicator = tables.Column(
        "指标", accessor="target__indicator__code", order_by="target__indicator__sort_order"
    )
    value = tables.Column("累计值", attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    warnings = tables.Column("提示", accessor="pk", orderable=False)
    status = tables.Column("状态")
    submitted_at = LocalDateTimeColumn("提交时间")
    actions = tables.TemplateColumn(
        template_name="assessment/includes/review_actions.html",
        verbose_name="审核",
        orderable=False,
        exclude_from_export=True,
    )

    class Meta:
        model = Report
        fields = ["unit", "period", "indicator", "value", "warnings", "status", "submitted_at"]
        row_attrs = {"data-report": lambda record: record.pk}

    def before_render(self, request):
        report_services.attach_warnings([row.record for row in self.paginated_rows])

    def render_period(self, record):
        return f"{record.year.year}年第{record.quarter}季度"

    def value_period(self, record):
        return f"{record.year.year}年第{record.quarter}季度"

    def render_indicator(self, record):
        return format_html(
            "{} <small class='text-body-secondary'>{}</small>",
            record.target.indicator.code,
            record.target.indicator.name,
        )

    def value_indicator(self, record):
        return f"{record.target.indicator.code} {record.target.indicator.name}"

    def render_value(self, record):
        return "—" if record.value is None else f"{record.value.normalize():f}"

    def render_warnings(self, record):
        warnings = getattr(record, "warnings", [])
        if not warnings:
            return "—"
        return format_html_join("", '<div class="status-amber">▲ {}</div>', ((w,) for w in warnings))

    def value_warnings(self, record):
        return "；".join(getattr(record, "warnings", []))

    def render_status(self, record):
        late = mark_safe(' <span class="status-red">迟报</span>') if record.late else ""
        css = {
            ReportStatus.APPROVED: "status-green",
            ReportStatus.RETURNED: "status-red",
            ReportStatus.SUBMITTED: "status-amber",
        }.get(record.status, "")
        return format_html('<span class="{}">{}</span>{}', css, record.get_status_display(), late)

    def value_status(self, record):
        return record.get_status_display() + ("（迟报）" if record.late else "")
