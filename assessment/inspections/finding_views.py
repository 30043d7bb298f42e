"""Pages of the findings (问题隐患): the list, one finding, rectification reported, verified, returned or closed, its files and its history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from assessment.models import DONE, Finding, FindingFile, FindingStatus, ListingLevel
from responsibility import exports, roles
from responsibility.history import HistoryRow, history_rows, plain
from responsibility.models import Unit
from responsibility.tables import table_page

from . import services
from .access import get_finding_for_user, require_inspector
from .forms import (
    FindingFilterForm,
    RectifyForm,
    RejectForm,
    StepForm,
)
from .queries import findings_summary
from .tables import FindingTable, finding_kind, finding_state

IMAGE_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}

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
    summary = findings_summary(findings, today)
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
    return _detail_page(request, get_finding_for_user(request, pk))


def _fresh(request, finding: Finding) -> Finding:
    return get_finding_for_user(request, finding.pk)


def _with_version(data, finding: Finding):
    """The user's typed data on the stored version: sending it again is then their own choice."""
    data = data.copy()
    data["version"] = str(finding.version)
    return data


@require_POST
@login_required
def finding_rectify(request, pk: int):
    finding = get_finding_for_user(request, pk)
    if not roles.is_member(request.user, finding.unit_id):
        raise PermissionDenied
    step = "申请验收" if finding.major_hazard else "报送整改情况"
    return _apply_step(
        request,
        finding,
        RectifyForm(request.POST, request.FILES),
        form_name="rectify_form",
        act=lambda data: services.report_rectification(
            finding, by=request.user, text=data["rectification"], files=data["files"], version=data["version"]
        ),
        done=f"已{step}，等待督查组核查。",
    )


@require_POST
@login_required
def finding_verify(request, pk: int):
    finding = get_finding_for_user(request, pk)
    require_inspector(request)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "页面已过期，请刷新后再操作。")
        return redirect(finding)
    try:
        services.verify_finding(finding, by=request.user, version=form.cleaned_data["version"])
    except services.StaleFindingError as error:
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
    finding = get_finding_for_user(request, pk)
    require_inspector(request)
    return _apply_step(
        request,
        finding,
        RejectForm(request.POST),
        form_name="reject_form",
        act=lambda data: services.reject_rectification(
            finding, by=request.user, reason=data["reason"], version=data["version"]
        ),
        done=f"已退回整改，{finding.unit.name}会收到退回理由。",
    )


def _apply_step(request, finding: Finding, form, *, form_name: str, act, done: str):
    """A step on a finding from its form (整改 or 退回): `act(cleaned_data)` when the form is valid.
    On a stale page (someone acted meanwhile) the detail page again, showing what was typed on the
    stored version with the conflict, so sending it again is the user's choice; a refusal of the
    whole step is a message, one of its fields an error on the form."""
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except services.StaleFindingError as error:
            finding = _fresh(request, finding)
            form = type(form)(_with_version(request.POST, finding))
            form.is_valid()
            return _detail_page(request, finding, conflict=error.messages[0], **{form_name: form})
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                messages.error(request, error.messages[0])
                return redirect(finding)
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect(finding)
    return _detail_page(request, finding, **{form_name: form})


@require_POST
@login_required
def finding_close(request, pk: int):
    finding = get_finding_for_user(request, pk)
    if not roles.can_manage(request.user):
        raise PermissionDenied
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "页面已过期，请刷新后再操作。")
        return redirect(finding)
    try:
        services.close_hazard(finding, by=request.user, version=form.cleaned_data["version"])
    except services.StaleFindingError as error:
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
        filename=exports.safe_filename(file.name),
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


def _step(older, record) -> tuple[str, str] | None:
    """The rectification step a history record made, as (action, details), or None."""
    if older is None or record.history_type == "+":
        level = plain(record.listing_level and ListingLevel(record.listing_level).label)
        kind = f"重大事故隐患（{level}）" if record.major_hazard else "问题"
        return "录入", f"{kind}：{services.short(record.problem, 40)}；整改期限 {record.deadline:%Y-%m-%d}"
    major = record.major_hazard
    move = (older.status, record.status)
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
    records = list(finding.history.select_related("history_user"))
    units = Unit.objects.in_bulk({r.unit_id for r in records})

    def show(name: str, value) -> str:
        if value in (None, ""):
            return "—"
        if name == "unit_id":
            return units[value].name if value in units else f"#{value}"
        if name == "listing_level":
            return ListingLevel(value).label
        if name == "problem":
            return services.short(value, 30)
        return plain(value)

    return history_rows(records, fields=TRACKED, show=show, step=_step, unchanged=None, limit=limit)
