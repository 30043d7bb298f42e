"""The quarter through Excel: download the template, upload it filled in, check, then confirm."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from assessment.models import Report
from responsibility.access import get_unit_for_user, get_year
from responsibility.exports import CONTENT_TYPES, attachment
from responsibility.forms import ChineseFormMixin
from responsibility.uploads import CheckedFileField

from . import services as report_services
from . import workbook as report_import
from .views import _can_file


class ImportForm(ChineseFormMixin, forms.Form):
    file = CheckedFileField(label="填好的 Excel 模板", kinds=("xlsx",), hint="请上传本页下载的 .xlsx 模板。")


def _session_key(unit, year, quarter) -> str:
    return f"report-import:{unit.pk}:{year.year}:{quarter}"


def _page(request, unit_pk: int, year: int, quarter: int):
    unit = get_unit_for_user(request, unit_pk)
    year_obj = get_year(year)
    targets = report_services.entered_targets(unit, year_obj)
    return unit, year_obj, targets


@login_required
def report_template(request, unit_pk: int, year: int, quarter: int):
    unit, year_obj, targets = _page(request, unit_pk, year, quarter)
    previous = dict(
        Report.objects.filter(target__in=targets, quarter=quarter - 1).values_list("target_id", "value")
    )
    body = report_import.build_template(
        unit=unit, year=year, quarter=quarter, rows=[(t, previous.get(t.pk)) for t in targets]
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = attachment(f"{unit.name}-{year}年第{quarter}季度填报模板.xlsx")
    return response


@login_required
def report_import_page(request, unit_pk: int, year: int, quarter: int):
    unit, year_obj, targets = _page(request, unit_pk, year, quarter)
    if not _can_file(request.user, unit):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"unit": unit, "year": year_obj, "quarter": quarter, "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = report_import.read_upload(
            upload.read(), unit=unit, year=year, quarter=quarter, codes={t.indicator.code for t in targets}
        )
        if result.file_error:
            form.add_error("file", result.file_error)
        else:
            by_code = {t.indicator.code: t for t in targets}
            stored = {r.target_id: r for r in Report.objects.filter(target__in=targets, quarter=quarter)}
            preview = []
            for row in result.rows:
                report = stored.get(by_code[row.code].pk)
                if report is not None and not report.editable:
                    result.errors.append(
                        report_import.RowError(
                            row.line,
                            row.code,
                            f"第 {row.line} 行：{row.code} {report.get_status_display()}，不能通过导入修改。",
                            cells=[row.code, "", "", "", str(row.value), row.progress],
                        )
                    )
                    continue
                preview.append((row, by_code[row.code], report))
            request.session[_session_key(unit, year_obj, quarter)] = {
                "rows": [[row.code, str(row.value), row.progress] for row, _, _ in preview],
                "errors": [
                    [e.line, e.code, e.message, ["" if v is None else str(v) for v in e.cells]]
                    for e in result.errors
                ],
            }
            context.update(preview=preview, errors=result.errors, skipped=result.skipped)
    return render(request, "assessment/report_import.html", context)


@login_required
def report_import_confirm(request, unit_pk: int, year: int, quarter: int):
    unit, year_obj, targets = _page(request, unit_pk, year, quarter)
    if request.method != "POST" or not _can_file(request.user, unit):
        raise PermissionDenied
    stash = request.session.pop(_session_key(unit, year_obj, quarter), None)
    if not stash or not stash["rows"]:
        messages.error(request, "没有待导入的数据，请重新上传。")
        return redirect("assessment:report_import", unit_pk=unit.pk, year=year, quarter=quarter)
    by_code = {t.indicator.code: t for t in targets}
    versions = dict(
        Report.objects.filter(target__in=targets, quarter=quarter).values_list("target_id", "version")
    )
    inputs = [
        report_services.RowInput(
            target=by_code[code],
            value=Decimal(value),
            progress=progress,
            version=versions.get(by_code[code].pk),
            files=[],
        )
        for code, value, progress in stash["rows"]
        if code in by_code
    ]
    try:
        conflicts = report_services.save_reports(
            unit, year_obj, quarter, inputs, user=request.user, submit=False, today=timezone.localdate()
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if conflicts:
            messages.error(request, "导入期间有人修改了部分指标，未导入任何数据，请重新上传。")
        else:
            messages.success(request, f"已从 Excel 导入 {len(inputs)} 项，保存为草稿；核对后请点“提交审核”。")
    return redirect("assessment:report_entry", unit_pk=unit.pk, year=year, quarter=quarter)


@login_required
def report_import_failed(request, unit_pk: int, year: int, quarter: int):
    unit, year_obj, _ = _page(request, unit_pk, year, quarter)
    stash = request.session.get(_session_key(unit, year_obj, quarter)) or {"errors": []}
    errors = [
        report_import.RowError(line, code, message, cells) for line, code, message, cells in stash["errors"]
    ]
    response = HttpResponse(report_import.failed_rows_workbook(errors), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = attachment(f"{unit.name}-{year}年第{quarter}季度未导入的行.xlsx")
    return response
