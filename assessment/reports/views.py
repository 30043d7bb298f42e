"""季度填报: units file their quarter, the 安委办 reviews it, everyone sees the overview."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessment.models import Evidence, Report, ReportStatus
from responsibility import exports, roles
from responsibility.access import get_unit_for_user, get_year, manager_required, require_manager
from responsibility.models import MembershipRole, Unit, Year
from responsibility.redirects import redirect_back
from responsibility.tables import table_page

from . import held
from . import services as report_services
from .forms import QuarterForm, ReopenForm, ReportRowForm, ReviewFilterForm, ReviewForm
from .overview import grid_workbook_response, quarter_grid
from .tables import ReviewTable


def _get_report_for_user(request, pk: int) -> Report:
    reports = Report.objects.visible_to(request.user).select_related("unit", "year", "target__indicator")
    return get_object_or_404(reports, pk=pk)


def current_quarter(year: Year, today) -> int:
    """The quarter being filed now: the first whose deadline is today or later (else Q4)."""
    upcoming = year.next_deadline(today)
    return upcoming[0] if upcoming else 4


def _can_file(user, unit: Unit) -> bool:
    return user.memberships.filter(unit=unit, role=MembershipRole.REPORTER).exists()


@login_required
def report_home(request):
    """Where 季度填报 in the menu leads: a reporter's own quarter, the overview for the city."""
    today = timezone.localdate()
    year = Year.objects.current(today)
    if year is None:
        raise Http404
    membership = request.user.memberships.select_related("unit").first()
    if membership is None:
        return redirect("assessment:quarter_overview")
    return redirect(
        "assessment:report_entry",
        unit_pk=membership.unit_id,
        year=year.year,
        quarter=current_quarter(year, today),
    )


def _rows(unit: Unit, year: Year, quarter: int, data=None, files=None) -> list[ReportRowForm]:
    targets = report_services.entered_targets(unit, year)
    reports = {
        (r.target_id, r.quarter): r
        for r in Report.objects.filter(target__in=targets, quarter__in=[quarter, quarter - 1])
        .select_related("submitted_by", "reviewed_by")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at")))
    }
    return [
        ReportRowForm(
            data,
            files,
            prefix=f"t{target.pk}",
            target=target,
            report=reports.get((target.pk, quarter)),
            previous=reports.get((target.pk, quarter - 1)),
        )
        for target in targets
    ]


@login_required
def report_entry(request, unit_pk: int, year: int, quarter: int):
    unit = get_unit_for_user(request, unit_pk)
    year_obj = get_year(year)
    if quarter not in (1, 2, 3, 4):
        raise Http404
    can_file = _can_file(request.user, unit)
    if request.method == "POST" and not can_file:
        raise PermissionDenied
    locked = report_services.is_locked(year_obj, quarter)
    if request.method == "POST" and locked:
        # Refused before any row is checked: the page says why, not which fields to fix.
        messages.error(request, f"{year}年第{quarter}季度已锁定，不能再填报。如需补报请联系市安委办。")
        return redirect(request.path)
    rows = _rows(unit, year_obj, quarter, request.POST or None, request.FILES or None)
    conflicts = {}
    if request.method == "POST":
        submit = "submit" in request.POST
        editable = [row for row in rows if row.editable]
        _attach_held(request.user, editable)
        _check(editable, submit=submit)
        valid = not any(row.errors for row in editable)
        if valid and editable:
            inputs = [
                report_services.RowInput(
                    target=row.target,
                    value=row.cleaned_data["value"],
                    progress=row.cleaned_data["progress"],
                    version=row.cleaned_data["version"],
                    files=row.cleaned_data["files"] + _held_files(row),
                )
                for row in editable
            ]
            try:
                found = report_services.save_reports(
                    unit,
                    year_obj,
                    quarter,
                    inputs,
                    user=request.user,
                    submit=submit,
                    today=timezone.localdate(),
                )
            except ValidationError as error:
                messages.error(request, error.messages[0])
                return redirect(request.path)
            if not found:
                held.release([row.held_upload for row in editable if row.held_upload is not None])
                if submit:
                    messages.success(request, f"已提交{year}年第{quarter}季度填报，等待市安委办审核。")
                else:
                    messages.success(request, f"已保存{year}年第{quarter}季度草稿，可随时继续填写。")
                return redirect(request.path)
            conflicts = conflict_notes(found)
            versions = {conflict.target.pk: conflict.stored.version for conflict in found}
            rows = _rebind(unit, year_obj, quarter, request, editable, versions=versions, submit=False)
            messages.error(
                request, "有其他人刚保存过本页的部分指标，您的填写未保存。请核对下方标出的数值后再保存。"
            )
        elif not editable:
            messages.info(request, "本季度没有可修改的项目。")
        else:
            if any(row.cleaned_data.get("files") for row in editable if hasattr(row, "cleaned_data")):
                rows = _rebind(unit, year_obj, quarter, request, editable, versions={}, submit=submit)
            messages.error(request, "有需要修改的地方，请看标红的栏目；已填写的内容都保留着。")
    report_services.attach_entry_warnings(unit, year_obj, rows)
    deadline = report_services.deadline(year_obj, quarter)
    today = timezone.localdate()
    return render(
        request,
        "assessment/report_entry.html",
        {
            "unit": unit,
            "year": year_obj,
            "quarter": quarter,
            "quarters": [1, 2, 3, 4],
            "rows": rows,
            "conflicts": conflicts,
            "can_file": can_file and not locked,
            "locked": locked,
            "deadline": deadline,
            "days_left": (deadline - today).days,
            "days_overdue": (today - deadline).days,
            "summary": _summary(rows),
        },
    )


def _summary(rows) -> dict:
    counts = {status: 0 for status in ReportStatus.values} | {"missing": 0}
    for row in rows:
        counts[row.report.status if row.report else "missing"] += 1
    return counts


def _shown(value) -> str:
    return "（空）" if value is None else f"{value.normalize():f}"


def conflict_notes(conflicts, *, yours: str = "填写") -> dict[int, str]:
    """For each refused row (target pk → words): who saved it and when, everything they saved
    (the value, and the 工作进展 text when it differs from the user's), and what the user had."""
    notes = {}
    for conflict in conflicts:
        stored, typed = conflict.stored, conflict.typed
        last = stored.history.select_related("history_user").first()
        who = last.history_user if last and last.history_user else "他人"
        theirs, mine = _shown(stored.value), _shown(typed.value)
        if stored.progress != typed.progress:
            theirs += f"，工作进展为“{stored.progress}”" if stored.progress else "，工作进展为空"
            mine += f"，工作进展为“{typed.progress}”" if typed.progress else "，工作进展为空"
        again = "保存" if yours == "填写" else "确认导入"
        notes[conflict.target.pk] = (
            f"{who} 于 {timezone.localtime(stored.updated_at):%Y-%m-%d %H:%M} 保存了 {theirs}，"
            f"您{yours}的是 {mine}。如以您的为准，请再次{again}。"
        )
    return notes


def _check(rows, *, submit: bool) -> None:
    for row in rows:
        row.is_valid()
        if submit:
            row.check_complete()  # every problem of the page at once, not one round per kind


def _attach_held(user, rows) -> None:
    """Give each row the files kept from its refused save, found by the token it carries (one query)."""
    tokens = {row.target: row.data.get(row.add_prefix("held")) for row in rows if row.is_bound}
    found = held.find(user=user, tokens={target: token for target, token in tokens.items() if token})
    for row in rows:
        row.held_upload = found.get(row.target.pk)


def _held_files(row) -> list:
    return held.files(row.held_upload) if row.held_upload is not None else []


def _rebind(unit, year, quarter, request, posted, *, versions: dict, submit: bool):
    """The page again after a refused save, keeping everything: what was typed, on the stored
    version where someone else saved (`versions`: target pk → version), so that saving again is the
    user's choice; and the files attached, kept server-side and offered again at their row."""
    data = request.POST.copy()
    for target_pk, version in versions.items():
        data[f"t{target_pk}-version"] = str(version)
    for row in posted:
        attached = (row.cleaned_data.get("files") or []) if hasattr(row, "cleaned_data") else []
        if attached:
            files = attached + _held_files(row)
            data[row.add_prefix("held")] = held.hold(user=request.user, target=row.target, files=files)
            if row.held_upload is not None:
                held.release([row.held_upload])
    rows = _rows(unit, year, quarter, data, None)
    editable = [row for row in rows if row.editable]
    _attach_held(request.user, editable)
    _check(editable, submit=submit)
    return rows


@require_POST
@login_required
def evidence_delete(request, pk: int):
    evidence = get_object_or_404(
        Evidence.objects.select_related("report__unit", "report__year"),
        pk=pk,
        report__in=Report.objects.visible_to(request.user),
    )
    report = evidence.report
    if not _can_file(request.user, report.unit):
        raise PermissionDenied
    try:
        report_services.delete_evidence(evidence, user=request.user)
    except ValidationError as error:
        messages.error(request, f"{error.messages[0]}佐证材料未删除。")
    else:
        messages.success(request, f"已删除佐证材料「{evidence.name}」。")
    return redirect(
        "assessment:report_entry", unit_pk=report.unit_id, year=report.year.year, quarter=report.quarter
    )


@login_required
def evidence_download(request, pk: int):
    evidence = get_object_or_404(
        Evidence.objects.select_related("report"), pk=pk, report__in=Report.objects.visible_to(request.user)
    )
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=exports.safe_filename(evidence.name)
    )


# --- review (安委办) ---------------------------------------------------------------------


@manager_required
def review_queue(request):
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = ReportStatus.SUBMITTED
    form = ReviewFilterForm(data)
    reports = form.filter(
        Report.objects.select_related("unit", "year", "target__indicator", "submitted_by")
    ).order_by("year", "quarter", "unit__sort_order", "target__indicator__sort_order")
    table = ReviewTable(reports)
    return table_page(
        request, table, "assessment/review_queue.html", {"form": form}, export_name="季度填报审核"
    )


@require_POST
@manager_required
def report_review(request, pk: int):
    report = _get_report_for_user(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        _apply_review(request, [report], form.cleaned_data["action"], form.cleaned_data["comment"])
    return redirect_back(request, "assessment:review_queue")


@require_POST
@manager_required
def report_review_unit(request, unit_pk: int, year: int, quarter: int):
    unit = get_unit_for_user(request, unit_pk)
    reports = list(
        Report.objects.filter(unit=unit, year__year=year, quarter=quarter, status=ReportStatus.SUBMITTED)
    )
    form = ReviewForm(request.POST)
    if form.is_valid() and reports:
        _apply_review(request, reports, form.cleaned_data["action"], form.cleaned_data["comment"])
    elif not reports:
        messages.info(request, f"{unit}第{quarter}季度没有待审核的填报。")
    return redirect_back(request, "assessment:review_queue")


def _apply_review(request, reports, action, comment):
    try:
        if action == "approve":
            n = report_services.approve(reports, user=request.user, comment=comment)
            messages.success(request, f"已通过 {n} 项填报，数据已锁定。")
        else:
            n = report_services.return_reports(reports, user=request.user, comment=comment)
            messages.success(request, f"已退回 {n} 项填报，单位修改后可重新提交。")
    except ValidationError as error:
        messages.error(request, error.messages[0])


@require_POST
@login_required
def report_reopen(request, pk: int):
    report = _get_report_for_user(request, pk)
    require_manager(request)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "重新打开已通过的填报须说明原因。")
    else:
        try:
            report_services.reopen(report, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"已重新打开{report}，退回单位修改。")
    return redirect_back(request, "assessment:review_queue")


# --- quarter overview ------------------------------------------------------------------


@login_required
def quarter_overview(request):
    today = timezone.localdate()
    current = Year.objects.current(today)
    data = request.GET.copy()
    if current:
        data.setdefault("year", str(current.year))
        data.setdefault("quarter", str(current_quarter(current, today)))
    form = QuarterForm(data)
    if not form.is_valid():
        raise Http404
    year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    grid = quarter_grid(year, quarter, units=Unit.objects.visible_to(request.user), today=today)
    if request.GET.get("_export") == "xlsx":
        return grid_workbook_response(grid, year, quarter)
    return render(
        request,
        "assessment/quarter_overview.html",
        {
            "form": form,
            "grid": grid,
            "year": year,
            "quarter": quarter,
            "locked": report_services.is_locked(year, quarter),
            "can_manage": roles.can_manage(request.user),
        },
    )


@require_POST
@manager_required
def quarter_lock(request):
    form = QuarterForm(request.POST)
    if not form.is_valid():
        raise Http404
    year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    if request.POST.get("action") == "unlock":
        report_services.unlock_quarter(year, quarter, user=request.user)
        messages.success(request, f"已解除{year.year}年第{quarter}季度的锁定，单位可以继续补报（计为迟报）。")
    else:
        report_services.lock_quarter(year, quarter, user=request.user)
        messages.success(request, f"已锁定{year.year}年第{quarter}季度，单位不能再填报。")
    return redirect(f"{reverse('assessment:quarter_overview')}?year={year.year}&quarter={quarter}")
