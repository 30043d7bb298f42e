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
from responsibility import pending
from responsibility.access import get_unit_for_user, get_year
from responsibility.exports import CONTENT_TYPES, attachment
from responsibility.forms import ChineseFormMixin
from responsibility.uploads import CheckedFileField

from . import services as report_services
from . import workbook as report_import
from .views import _can_file, conflict_notes


class ImportForm(ChineseFormMixin, forms.Form):
    file = CheckedFileField(
        label="填好的 Excel 模板",
        kinds=("xlsx",),
        max_bytes=report_import.MAX_IMPORT_BYTES,
        hint="请上传本页下载的 .xlsx 模板。",
        help_text="请上传本页下载的模板，不超过 1 MB。",
    )


def _scope(unit, year, quarter) -> str:
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


def _preview_rows(payload, by_code, stored):
    """(row, target, stored report) for each row held for confirmation."""
    return [
        (
            report_import.ImportedRow(line, code, Decimal(value), progress),
            by_code[code],
            stored.get(by_code[code].pk),
        )
        for line, code, value, progress, _version in payload["rows"]
        if code in by_code
    ]


@login_required
def report_import_page(request, unit_pk: int, year: int, quarter: int):
    """Upload and check: the rows are shown and held server-side, each with the version of the
    report it was checked against; nothing is written until 确认导入."""
    unit, year_obj, targets = _page(request, unit_pk, year, quarter)
    if not _can_file(request.user, unit):
        raise PermissionDenied
    if request.method != "POST":
        context = {"unit": unit, "year": year_obj, "quarter": quarter, "form": ImportForm()}
        return render(request, "assessment/report_import.html", context)
    form = ImportForm(request.POST, request.FILES)
    context = {"unit": unit, "year": year_obj, "quarter": quarter, "form": form}
    result = None
    if form.is_valid():
        result = report_import.read_upload(
            form.cleaned_data["file"],
            unit=unit,
            year=year,
            quarter=quarter,
            codes={t.indicator.code for t in targets},
        )
        if result.file_error:
            form.add_error("file", result.file_error)
    if form.errors:
        # A file that cannot be used at all is bad input: said at the field, and a 400.
        return render(request, "assessment/report_import.html", context, status=400)
    by_code = {t.indicator.code: t for t in targets}
    stored = {r.target_id: r for r in Report.objects.filter(target__in=targets, quarter=quarter)}
    rows = []
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
        rows.append([row.line, row.code, str(row.value), row.progress, report.version if report else None])
    payload = {
        "rows": rows,
        "errors": [
            [e.line, e.code, e.message, ["" if v is None else str(v) for v in e.cells]] for e in result.errors
        ],
    }
    token = pending.hold(user=request.user, scope=_scope(unit, year_obj, quarter), payload=payload)
    context.update(
        preview=_preview_rows(payload, by_code, stored),
        errors=result.errors,
        skipped=result.skipped,
        token=token,
    )
    return render(request, "assessment/report_import.html", context)


@login_required
def report_import_confirm(request, unit_pk: int, year: int, quarter: int):
    unit, year_obj, targets = _page(request, unit_pk, year, quarter)
    if request.method != "POST" or not _can_file(request.user, unit):
        raise PermissionDenied
    scope = _scope(unit, year_obj, quarter)
    payload = pending.take(user=request.user, scope=scope, token=request.POST.get("token"))
    if not payload or not payload["rows"]:
        messages.error(request, "这次导入的预览已失效（可能已经导入，或已超过两小时），请重新上传。")
        return redirect("assessment:report_import", unit_pk=unit.pk, year=year, quarter=quarter)
    by_code = {t.indicator.code: t for t in targets}
    inputs = [
        report_services.RowInput(
            target=by_code[code], value=Decimal(value), progress=progress, version=version, files=[]
        )
        for _line, code, value, progress, version in payload["rows"]
        if code in by_code
    ]
    try:
        conflicts = report_services.save_reports(
            unit, year_obj, quarter, inputs, user=request.user, submit=False, today=timezone.localdate()
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("assessment:report_entry", unit_pk=unit.pk, year=year, quarter=quarter)
    if conflicts:
        return _conflict_page(request, unit, year_obj, quarter, payload, conflicts, by_code)
    messages.success(request, f"已从 Excel 导入 {len(inputs)} 项，保存为草稿；核对后请点“提交审核”。")
    return redirect("assessment:report_entry", unit_pk=unit.pk, year=year, quarter=quarter)


def _conflict_page(request, unit, year, quarter, payload, conflicts, by_code):
    """Nothing was imported: the rows someone saved since the preview are shown with both values;
    confirming again (on the versions now stored) is the user's choice to overwrite them."""
    now_stored = {c.target.pk: c.stored for c in conflicts}
    for row in payload["rows"]:
        target = by_code.get(row[1])
        if target is not None and target.pk in now_stored:
            row[4] = now_stored[target.pk].version
    token = pending.hold(user=request.user, scope=_scope(unit, year, quarter), payload=payload)
    stored = {r.target_id: r for r in Report.objects.filter(target__in=by_code.values(), quarter=quarter)}
    messages.error(
        request,
        f"预览之后有其他人保存了其中 {len(conflicts)} 项，本次未导入任何数据。请核对下方标出的数值："
        "如以导入的为准，请再次点“确认导入”。",
    )
    return render(
        request,
        "assessment/report_import.html",
        {
            "unit": unit,
            "year": year,
            "quarter": quarter,
            "form": ImportForm(),
            "preview": _preview_rows(payload, by_code, stored),
            "errors": [],
            "skipped": 0,
            "token": token,
            "conflicts": conflict_notes(conflicts, yours="导入"),
        },
    )


@login_required
def report_import_failed(request, unit_pk: int, year: int, quarter: int):
    unit, year_obj, _ = _page(request, unit_pk, year, quarter)
    payload = pending.peek(
        user=request.user, scope=_scope(unit, year_obj, quarter), token=request.GET.get("token")
    )
    errors = [
        report_import.RowError(line, code, message, cells)
        for line, code, message, cells in (payload or {"errors": []})["errors"]
    ]
    response = HttpResponse(report_import.failed_rows_workbook(errors), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = attachment(f"{unit.name}-{year}年第{quarter}季度未导入的行.xlsx")
    return response
