"""督查 and 问题隐患: inspectors and the 安委办 record inspections with their findings; each unit
answers its own findings; inspectors verify or reject; the 安委办 closes a 重大事故隐患 (销号)."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from assessment.models import DONE, Finding, FindingFile, FindingStatus, Inspection, ListingLevel
from responsibility import roles
from responsibility.history import HistoryRow
from responsibility.models import Unit
from responsibility.tables import table_page

from . import services
from .forms import (
    FindingFilterForm,
    InspectionFilterForm,
    InspectionForm,
    RectifyForm,
    RejectForm,
    StepForm,
    finding_formset,
)
from .tables import FindingTable, InspectionTable, finding_kind, finding_state

IMAGE_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}


# --- the gates -------------------------------------------------------------------------


def _get_inspection_for_user(request, pk: int) -> Inspection:
    """The one way views fetch an inspection: 404 unless it looked at, or found a problem of, the user's unit."""
    inspections = Inspection.objects.visible_to(request.user).select_related("year", "created_by")
    return get_object_or_404(inspections, pk=pk)


def _get_finding_for_user(request, pk: int) -> Finding:
    """The one way views fetch a finding: 404 unless the user's unit must rectify it (or a city role)."""
    findings = Finding.objects.visible_to(request.user).select_related(
        "unit", "inspection", "rectified_by", "verified_by"
    )
    return get_object_or_404(findings, pk=pk)


def _require_inspector(request) -> None:
    if not roles.can_inspect(request.user):
        raise PermissionDenied


def _posted(request):
    return request.POST if request.method == "POST" else None


def _my_unit_ids(user) -> set[int] | None:
    """The units a unit member may see named; None for the city's roles, who see every unit."""
    if roles.sees_all_units(user):
        return None
    return {m.unit_id for m in user.memberships.all()}


# --- inspections -----------------------------------------------------------------------


def _counted(inspections, user, today):
    """Inspections with their findings counted (the user's own units' only, for a unit member)."""
    mine = Q() if roles.sees_all_units(user) else Q(findings__unit__memberships__user=user)
    not_done = mine & ~Q(findings__status__in=DONE)
    return inspections.annotate(
        finding_count=Count("findings", filter=mine & Q(findings__isnull=False), distinct=True),
        open_count=Count("findings", filter=not_done, distinct=True),
        overdue_count=Count("findings", filter=not_done & Q(findings__deadline__lt=today), distinct=True),
    )


@login_required
def inspection_list(request):
    user = request.user
    today = timezone.localdate()
    units = Unit.objects.visible_to(user).in_city_order()
    form = InspectionFilterForm(request.GET, units=units)
    # Filter through a subquery, so the counts below are never narrowed by the filters' joins.
    visible = Inspection.objects.filter(pk__in=Inspection.objects.visible_to(user).values("pk"))
    inspections = _counted(form.filter(visible), user, today).prefetch_related(
        Prefetch("units", queryset=Unit.objects.in_city_order())
    )
    table = InspectionTable(inspections.order_by("-date", "-pk"), visible_unit_ids=_my_unit_ids(user))
    return table_page(
        request,
        table,
        "assessment/inspection_list.html",
        {"form": form, "can_inspect": roles.can_inspect(user)},
        export_name="督查记录",
    )


def _typed_date(form, default=None):
    """The inspection date as typed, once valid: the findings' deadlines may not come before it."""
    if not form.is_bound:
        return default
    form.is_valid()
    return form.cleaned_data.get("date") or default


def _inspection_form_page(request, form, formset, inspection=None):
    return render(
        request,
        "assessment/inspection_form.html",
        {"form": form, "formset": formset, "inspection": inspection},
    )


@login_required
def inspection_create(request):
    _require_inspector(request)
    form = InspectionForm(_posted(request))
    formset = finding_formset(_posted(request), request.FILES or None, inspection_date=_typed_date(form))
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            inspection = services.record_inspection(
                by=request.user, findings=formset.inputs(), **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = inspection.findings.count()
            messages.success(
                request,
                f"已录入{inspection}，发现问题 {count} 项"
                + ("，已通知责任单位按期整改。" if count else "。"),
            )
            return redirect(inspection)
    return _inspection_form_page(request, form, formset)


def _findings_of(inspection: Inspection, user):
    return (
        Finding.objects.visible_to(user)
        .filter(inspection=inspection)
        .select_related("unit")
        .prefetch_related(Prefetch("files", queryset=FindingFile.objects.order_by("uploaded_at", "pk")))
        .order_by("unit__sort_order", "deadline", "pk")
    )


@login_required
def inspection_detail(request, pk: int):
    inspection = _get_inspection_for_user(request, pk)
    user, today = request.user, timezone.localdate()
    findings = list(_findings_of(inspection, user))
    visible = _my_unit_ids(user)
    units = [u for u in inspection.units.in_city_order() if visible is None or u.pk in visible]
    rows = [(f, *finding_state(f, today), finding_kind(f)) for f in findings]
    can_edit = roles.can_inspect(user) and services.editable(inspection)
    return render(
        request,
        "assessment/inspection_detail.html",
        {
            "inspection": inspection,
            "units": units,
            "rows": rows,
            "can_inspect": roles.can_inspect(user),
            "can_edit": can_edit,
            "open_count": sum(not f.done for f in findings),
            "overdue_count": sum(f.is_overdue(today) for f in findings),
        },
    )


@login_required
def inspection_edit(request, pk: int):
    inspection = _get_inspection_for_user(request, pk)
    _require_inspector(request)
    if not services.editable(inspection):
        messages.error(request, "已有单位报送了整改情况，本次督查不能再修改。")
        return redirect(inspection)
    findings = list(_findings_of(inspection, request.user))
    # The form works on a copy: the page keeps showing the stored inspection while errors are fixed.
    form = InspectionForm(_posted(request), instance=copy.copy(inspection))
    formset = finding_formset(
        _posted(request),
        request.FILES or None,
        findings=findings,
        inspection_date=_typed_date(form, inspection.date),
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = {name: form.cleaned_data[name] for name in ("kind", "date", "team", "units", "summary")}
        try:
            services.revise_inspection(inspection, by=request.user, findings=formset.inputs(), **data)
        except services.Conflict as error:
            messages.error(request, error.messages[0])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已保存对{inspection}的修改。")
            return redirect(inspection)
    return _inspection_form_page(request, form, formset, inspection)


# --- findings --------------------------------------------------------------------------


def _open_first(findings):
    """Findings still to be done first (by deadline), then the finished ones."""
    done_last = Case(When(status__in=DONE, then=Value(1)), default=Value(0), output_field=IntegerField())
    return findings.alias(done_last=done_last).order_by("done_last", "deadline", "pk")


@login_required
def finding_list(request):
    user = request.user
    today = timezone.localdate()
    sees_all = roles.sees_all_units(user)
    form = FindingFilterForm(request.GET, units=Unit.objects.in_city_order() if sees_all else None)
    findings = form.filter(Finding.objects.visible_to(user), today=today)
    summary = findings.aggregate(
        pending=Count("pk", filter=~Q(status__in=DONE)),
        overdue=Count("pk", filter=~Q(status__in=DONE) & Q(deadline__lt=today)),
        submitted=Count("pk", filter=Q(status=FindingStatus.SUBMITTED)),
        to_close=Count("pk", filter=Q(status=FindingStatus.VERIFIED, major_hazard=True)),
    )
    table = FindingTable(_open_first(findings.select_related("unit", "inspection")), today=today)
    return table_page(
        request,
        table,
        "assessment/finding_list.html",
        {"form": form, "summary": summary, "sees_all": sees_all, "can_inspect": roles.can_inspect(user)},
        export_name="问题隐患",
    )


STEP_NAMES = ["挂牌督办", "整改", "申请验收", "验收", "销号"]
# How far a 重大事故隐患 has come along STEP_NAMES, by status (the number of steps done).
STEPS_DONE = {
    FindingStatus.OPEN: 1,
    FindingStatus.SUBMITTED: 3,
    FindingStatus.VERIFIED: 4,
    FindingStatus.CLOSED: 5,
}


def _detail_page(request, finding: Finding, *, rectify_form=None, reject_form=None, conflict: str = ""):
    user, today = request.user, timezone.localdate()
    is_member = roles.is_member(user, finding.unit_id)
    can_inspect = roles.can_inspect(user)
    files = list(finding.files.select_related("uploaded_by").order_by("uploaded_at", "pk"))
    status = finding.status
    can_rectify = is_member and status == FindingStatus.OPEN
    if rectify_form is None and can_rectify:
        rectify_form = RectifyForm(
            initial={"version": finding.version, "rectification": finding.rectification}
        )
    can_check = can_inspect and status == FindingStatus.SUBMITTED
    if reject_form is None and can_check:
        reject_form = RejectForm(initial={"version": finding.version})
    css, words = finding_state(finding, today)
    steps = []
    if finding.major_hazard:
        done = STEPS_DONE[status]
        steps = [(name, i < done, i == done) for i, name in enumerate(STEP_NAMES)]
    return render(
        request,
        "assessment/finding_detail.html",
        {
            "finding": finding,
            "kind": finding_kind(finding),
            "state_css": css,
            "state_words": words,
            "days_left": (finding.deadline - today).days,
            "days_overdue": (today - finding.deadline).days,
            "photos": [f for f in files if f.purpose == FindingFile.PHOTO],
            "evidence": [f for f in files if f.purpose == FindingFile.EVIDENCE],
            "steps": steps,
            "rectify_form": rectify_form,
            "can_rectify": can_rectify,
            "reject_form": reject_form,
            "can_check": can_check,
            "can_close": roles.can_manage(user) and finding.major_hazard and status == FindingStatus.VERIFIED,
            "is_member": is_member,
            "conflict": conflict,
            "history": finding_history_rows(finding),
        },
    )


@login_required
def finding_detail(request, pk: int):
    return _detail_page(request, _get_finding_for_user(request, pk))


def _fresh(request, finding: Finding) -> Finding:
    return _get_finding_for_user(request, finding.pk)


def _with_version(data, finding: Finding):
    """The user's typed data on the stored version: sending it again is then their own choice."""
    data = data.copy()
    data["version"] = str(finding.version)
    return data


@require_POST
@login_required
def finding_rectify(request, pk: int):
    finding = _get_finding_for_user(request, pk)
    if not roles.is_member(request.user, finding.unit_id):
        raise PermissionDenied
    form = RectifyForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.report_rectification(
                finding,
                by=request.user,
                text=data["rectification"],
                files=data["files"],
                version=data["version"],
            )
        except services.Conflict as error:
            finding = _fresh(request, finding)
            form = RectifyForm(_with_version(request.POST, finding))
            form.is_valid()
            return _detail_page(request, finding, rectify_form=form, conflict=error.messages[0])
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                messages.error(request, error.messages[0])
                return redirect(finding)
            form.add_error(None, error)
        else:
            step = "申请验收" if finding.major_hazard else "报送整改情况"
            messages.success(request, f"已{step}，等待督查组核查。")
            return redirect(finding)
    return _detail_page(request, finding, rectify_form=form)


@require_POST
@login_required
def finding_verify(request, pk: int):
    finding = _get_finding_for_user(request, pk)
    _require_inspector(request)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "页面已过期，请刷新后再操作。")
        return redirect(finding)
    try:
        services.verify_finding(finding, by=request.user, version=form.cleaned_data["version"])
    except services.Conflict as error:
        return _detail_page(request, _fresh(request, finding), conflict=error.messages[0])
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if finding.major_hazard:
            messages.success(request, "已验收通过，待市安委办销号。")
        else:
            messages.success(request, "已核查通过，该问题整改办结。")
    return redirect(finding)


@require_POST
@login_required
def finding_reject(request, pk: int):
    finding = _get_finding_for_user(request, pk)
    _require_inspector(request)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.reject_rectification(
                finding,
                by=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except services.Conflict as error:
            finding = _fresh(request, finding)
            form = RejectForm(_with_version(request.POST, finding))
            form.is_valid()
            return _detail_page(request, finding, reject_form=form, conflict=error.messages[0])
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                messages.error(request, error.messages[0])
                return redirect(finding)
            form.add_error(None, error)
        else:
            messages.success(request, f"已退回整改，{finding.unit.name}会收到退回理由。")
            return redirect(finding)
    return _detail_page(request, finding, reject_form=form)


@require_POST
@login_required
def finding_close(request, pk: int):
    finding = _get_finding_for_user(request, pk)
    if not roles.can_manage(request.user):
        raise PermissionDenied
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "页面已过期，请刷新后再操作。")
        return redirect(finding)
    try:
        services.close_hazard(finding, by=request.user, version=form.cleaned_data["version"])
    except services.Conflict as error:
        return _detail_page(request, _fresh(request, finding), conflict=error.messages[0])
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "重大事故隐患已销号。")
    return redirect(finding)


@require_GET
@login_required
def finding_file(request, pk: int):
    """A photo or an evidence file, through its finding's gate: images inline, PDFs as downloads."""
    file = get_object_or_404(
        FindingFile.objects.select_related("finding"),
        pk=pk,
        finding__in=Finding.objects.visible_to(request.user),
    )
    image = IMAGE_TYPES.get(file.kind)
    response = FileResponse(
        file.file.open("rb"),
        as_attachment=image is None or "download" in request.GET,
        filename=file.name,
        content_type=image or ("application/pdf" if file.kind == "pdf" else "application/octet-stream"),
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- history ---------------------------------------------------------------------------

TRACKED = {
    "unit_id": "责任单位",
    "problem": "发现的问题",
    "major_hazard": "重大事故隐患",
    "listing_level": "挂牌督办级别",
    "deadline": "整改期限",
}


def _show(name: str, value, units: dict) -> str:
    if value in (None, ""):
        return "—"
    if name == "unit_id":
        return units[value].name if value in units else f"#{value}"
    if name == "listing_level":
        return ListingLevel(value).label
    if isinstance(value, bool):
        return "是" if value else "否"
    if name == "problem":
        return services.short(value, 30)
    return str(value)


def _step(previous, record) -> tuple[str, str] | None:
    """The rectification step a history record made, as (action, details), or None."""
    major = record.major_hazard
    move = (previous.status, record.status)
    if move == (FindingStatus.OPEN, FindingStatus.SUBMITTED):
        return ("申请验收" if major else "报送整改", f"整改情况：{services.short(record.rectification, 60)}")
    if move == (FindingStatus.SUBMITTED, FindingStatus.VERIFIED):
        return ("验收通过" if major else "核查通过", "")
    if move == (FindingStatus.SUBMITTED, FindingStatus.OPEN):
        return ("退回整改", f"退回理由：{record.rejection_reason}")
    if move == (FindingStatus.VERIFIED, FindingStatus.CLOSED):
        return ("销号", "")
    return None


def finding_history_rows(finding: Finding, *, limit: int = 50) -> list[HistoryRow]:
    """The finding's life, newest first: recorded, revised, rectified, verified or rejected, closed."""
    records = list(finding.history.select_related("history_user").order_by("history_date", "history_id"))
    units = Unit.objects.in_bulk({r.unit_id for r in records})
    rows: list[HistoryRow] = []
    previous = None
    for record in records:
        who = str(record.history_user) if record.history_user else "系统"
        if previous is None or record.history_type == "+":
            kind = (
                f"重大事故隐患（{_show('listing_level', record.listing_level, units)}）"
                if record.major_hazard
                else "问题"
            )
            rows.append(
                HistoryRow(
                    record.history_date,
                    "录入",
                    who,
                    f"{kind}：{services.short(record.problem, 40)}；整改期限 {record.deadline:%Y-%m-%d}",
                )
            )
        elif step := _step(previous, record):
            rows.append(HistoryRow(record.history_date, step[0], who, step[1]))
        else:
            changes = [
                f"{label}：{_show(name, getattr(previous, name), units)} → {_show(name, getattr(record, name), units)}"
                for name, label in TRACKED.items()
                if getattr(previous, name) != getattr(record, name)
            ]
            if changes:
                rows.append(HistoryRow(record.history_date, "修改", who, "；".join(changes)))
        previous = record
    rows.reverse()
    return rows[:limit]
