"""安全生产责任书: prepared and issued by the 安委办, signed by each unit, read by leaders."""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST, require_safe

from . import documents, exports, roles, services
from .access import get_year, manager_required, require_manager
from .history import history_rows
from .letter_forms import AmendForm, IssueForm, LetterFilterForm, PrepareLettersForm, SignForm, TargetFormSet
from .models import LetterStatus, ResponsibilityLetter, Target, Year
from .tables import LetterTable, table_page
from .uploads import safe_name


def _letters(user):
    return ResponsibilityLetter.objects.visible_to(user).select_related("year", "unit")


def _get_letter_for_user(request, pk: int) -> ResponsibilityLetter:
    """The one way views fetch a letter: 404 unless it is the user's unit's (or the user sees all)."""
    targets = Prefetch("targets", queryset=Target.objects.select_related("indicator"))
    return get_object_or_404(_letters(request.user).prefetch_related(targets), pk=pk)


@login_required
def letter_list(request):
    today = timezone.localdate()
    data = request.GET.copy()
    current = Year.objects.current(today)
    if "year" not in data and current:
        data["year"] = str(current.year)
    form = LetterFilterForm(data)
    letters = form.filter(_letters(request.user), today=today).order_by("year", "unit__sort_order")
    table = LetterTable(letters, today=today)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    progress = (
        services.signing_progress(year, today=today) if year and roles.sees_all_units(request.user) else []
    )
    return table_page(
        request,
        table,
        "responsibility/letter_list.html",
        {"form": form, "progress": progress, "year": year, "can_manage": roles.can_manage(request.user)},
        export_name="安全生产责任书",
    )


@manager_required
def letter_prepare(request):
    """Preview next year's letters (GET), then write them (POST): nothing is written before."""
    source = request.POST if request.method == "POST" else (request.GET or None)
    form = PrepareLettersForm(source)
    plans = None
    if form.is_valid():
        year = form.cleaned_data["year"]
        plans = services.plan_letters(year, cap_change_pct=form.cleaned_data["cap_change_pct"])
        if request.method == "POST":
            created = services.create_letters(year, plans)
            kept = sum(1 for plan in plans if plan.existing)
            messages.success(
                request,
                f"已生成 {len(created)} 份{year.year}年度责任书草稿"
                + (f"；{kept} 个单位已有责任书，未作改动" if kept else "")
                + "。请核对目标后下发。",
            )
            return redirect(f"{reverse('responsibility:letter_list')}?year={year.year}&status=draft")
    return render(
        request,
        "responsibility/letter_prepare.html",
        {"form": form, "plans": plans, "new_count": sum(1 for p in plans or [] if not p.existing)},
    )


@require_POST
@manager_required
def letter_issue_all(request):
    year = get_year(request.POST.get("year"))
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写签发人和下发日期。")
        return redirect(f"{reverse('responsibility:letter_list')}?year={year.year}&status=draft")
    drafts = ResponsibilityLetter.objects.filter(year=year, status=LetterStatus.DRAFT).values_list(
        "pk", flat=True
    )
    try:
        issued = services.issue_letters(year, list(drafts), **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        numbers = f"（{issued[0].doc_number} 至 {issued[-1].doc_number}）" if issued else ""
        messages.success(request, f"已下发 {len(issued)} 份{year.year}年度责任书{numbers}，等待各单位签订。")
    return redirect(f"{reverse('responsibility:letter_list')}?year={year.year}")


@login_required
def letter_detail(request, pk: int):
    letter = _get_letter_for_user(request, pk)
    return _detail_page(request, letter)


def _detail_page(request, letter, *, sign_form=None, amend_form=None):
    user = request.user
    can_manage = roles.can_manage(user)
    can_sign = letter.status == LetterStatus.ISSUED and roles.can_sign_for(user, letter.unit_id)
    targets = list(letter.targets.all())
    words = documents.shown_words(letter)["targets"]
    for target in targets:  # what the letter says: its words as issued, today's for a draft
        target.shown = words.get(target.indicator.code) or target.commitment
    history = history_rows(
        Target.history.filter(letter_id=letter.pk).select_related("indicator", "history_user"),
        label=lambda h: h.indicator.code,
        unchanged=None,
        merge_bulk=True,
        limit=50,
    )
    return render(
        request,
        "responsibility/letter_detail.html",
        {
            "letter": letter,
            "targets": targets,
            "total_weight": sum(t.weight for t in targets),
            "versions": letter.versions.select_related("amended_by"),
            "history": history,
            "can_manage": can_manage,
            "can_sign": can_sign,
            "sign_form": sign_form or (SignForm(letter=letter) if can_sign else None),
            "amend_form": amend_form or AmendForm(),
            "issue_form": IssueForm(),
            "overdue": letter.is_overdue_to_sign(timezone.localdate()),
            "differs": can_manage and bool(documents.differences(letter)),
        },
    )


@login_required
def letter_targets(request, pk: int):
    letter = _get_letter_for_user(request, pk)
    require_manager(request)
    if letter.targets_locked:
        messages.error(request, "已签订的责任书目标已锁定；如需调整请先“修订”，修订后由单位重新签订。")
        return redirect(letter)
    formset = TargetFormSet(
        request.POST or None, instance=letter, queryset=letter.targets.select_related("indicator")
    )
    if request.method == "POST" and formset.is_valid():
        services.save_targets(letter, formset)
        messages.success(request, f"已保存{letter.unit}的目标，合计 100 分。")
        return redirect(letter)
    return render(request, "responsibility/letter_targets.html", {"letter": letter, "formset": formset})


@require_POST
@login_required
def letter_issue(request, pk: int):
    letter = _get_letter_for_user(request, pk)
    require_manager(request)
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写签发人和下发日期。")
        return redirect(letter)
    try:
        issued = services.issue_letters(letter.year, [letter.pk], **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if issued:
            messages.success(request, f"已下发，文号 {issued[0].doc_number}，等待{letter.unit}签订。")
        else:
            messages.info(request, "该责任书已下发过，未作改动。")
    return redirect(letter)


@require_POST
@login_required
def letter_sign(request, pk: int):
    letter = _get_letter_for_user(request, pk)
    if not roles.can_sign_for(request.user, letter.unit_id):
        raise PermissionDenied
    form = SignForm(request.POST, request.FILES, letter=letter)
    if form.is_valid():
        try:
            services.sign_letter(
                letter,
                signer_name=form.cleaned_data["signer_name"],
                signed_on=form.cleaned_data["signed_on"],
                scan=form.cleaned_data["scan"],
                scan_name=safe_name(form.cleaned_data["scan"].name),
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"已登记签订：{letter.unit}{letter.year.year}年度责任书，目标已锁定。")
        return redirect(letter)
    return _detail_page(request, letter, sign_form=form)


@require_POST
@login_required
def letter_amend(request, pk: int):
    letter = _get_letter_for_user(request, pk)
    require_manager(request)
    form = AmendForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, letter, amend_form=form)
    try:
        letter = services.amend_letter(
            letter, reason=form.cleaned_data["reason"], user=request.user, today=timezone.localdate()
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(letter)
    messages.success(request, f"已生成第 {letter.version} 版，请调整目标；调整后须由{letter.unit}重新签订。")
    return redirect("responsibility:letter_targets", pk=letter.pk)


@login_required
def letter_print(request, pk: int):
    letter = _get_letter_for_user(request, pk)
    context = documents.letter_document_context(letter) | {"back_url": letter.get_absolute_url()}
    return HttpResponse(render_to_string("responsibility/letter_document.html", context, request=request))


@login_required
def letter_pdf(request, pk: int):
    letter = _get_letter_for_user(request, pk)
    response = HttpResponse(documents.render_letter_pdf(letter), content_type="application/pdf")
    name = f"{letter.unit.name}-{letter.year.year}年度安全生产责任书.pdf"
    response["Content-Disposition"] = exports.attachment(name)
    return response


@login_required
def letter_scan(request, pk: int, version: int | None = None):
    """The signed scan, only through the user's scope, always as a download."""
    letter = _get_letter_for_user(request, pk)
    if version is None or version == letter.version:
        path = letter.scan.name
    else:
        path = get_object_or_404(letter.versions, version=version).scan
    if not path:
        raise Http404
    storage = ResponsibilityLetter._meta.get_field("scan").storage
    suffix = Path(path).suffix
    name = f"{letter.unit.name}-{letter.year.year}年度责任书-第{version or letter.version}版签订件{suffix}"
    return FileResponse(storage.open(path, "rb"), as_attachment=True, filename=exports.safe_filename(name))


# --- 责任书 and changed rules: the letters whose words the rules no longer write ----------------


def notify_letters_differ(request, year: Year) -> None:
    """After the rules changed: say how many of the year's issued letters now say something else."""
    count = len(documents.letters_that_differ(year))
    if count:
        url = reverse("responsibility:letter_differences", args=[year.year])
        messages.warning(
            request,
            format_html(
                '{}年度有 {} 份已下发的责任书与现行规则的表述不一致，<a href="{}">逐份核对并修订</a>。',
                year.year,
                count,
                url,
            ),
        )


def _differences_page(request, year: Year, *, failed: tuple[int, AmendForm] | None = None):
    reason = f"{year.year}年度考核规则调整，责任书表述随之修订。"
    rows = []
    for letter, found in documents.letters_that_differ(year):
        auto_id = f"id_letter{letter.pk}_%s"  # one reason field per letter on the page
        if failed and failed[0] == letter.pk:
            form = failed[1]
            form.auto_id = auto_id
        else:
            form = AmendForm(initial={"reason": reason}, auto_id=auto_id)
        rows.append({"letter": letter, "differences": found, "form": form})
    return render(request, "responsibility/letter_differences.html", {"year": year, "rows": rows})


@require_safe
@manager_required
def letter_differences(request, year: int):
    """The year's issued letters that say something other than today's rules, what each said and
    what the rules now say, with a button to amend (signed) or reword (not yet signed) each."""
    return _differences_page(request, get_year(year))


@require_POST
@login_required
def letter_reword(request, pk: int):
    letter = _get_letter_for_user(request, pk)
    require_manager(request)
    if letter.status == LetterStatus.SIGNED:
        form = AmendForm(request.POST)
        if not form.is_valid():
            return _differences_page(request, letter.year, failed=(letter.pk, form))
        letter = services.amend_letter(
            letter, reason=form.cleaned_data["reason"], user=request.user, today=timezone.localdate()
        )
        messages.success(
            request,
            f"已生成{letter.unit}第 {letter.version} 版责任书，表述按现行规则；须由{letter.unit}重新签订。",
        )
    else:
        try:
            services.reword_letter(letter)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"{letter.unit}的责任书表述已按现行规则更新，尚待其签订。")
    return redirect("responsibility:letter_differences", year=letter.year.year)
