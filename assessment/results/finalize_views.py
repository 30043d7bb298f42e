"""The 安委办's buttons on the ranking page: 定稿, 发布 and 重新打开 the year-end assessment.

Each is a POST that calls `finalizing` and returns to the ranking with a message saying how many
units it touched; a refused action (e.g. publishing a year not yet finalized) says why, and a
reopening without a reason shows the error at the reason's field on the ranking.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from responsibility.access import get_year, manager_required
from responsibility.models import LetterStatus, Target, UnitGroup, Year

from . import finalizing
from .adjustment_forms import ReopenForm

REFUSED_REOPEN = "refused_reopen"  # session key: a reopen refused for want of a reason


def _back_to_ranking(request, year: Year, *, anchor: str = ""):
    params = {"year": year.year}
    group = request.GET.get("group")
    if group in UnitGroup.values:
        params["group"] = group
    return redirect(f"{reverse('assessment:ranking')}?{urlencode(params)}{'#' + anchor if anchor else ''}")


def refused_reopen_form(request, year: Year) -> ReopenForm | None:
    """The reopen form just refused for `year`, bound to what was typed, to show at the field once."""
    refused = request.session.pop(REFUSED_REOPEN, None)
    if refused is None or refused["year"] != year.year:
        return None
    form = ReopenForm({"reason": refused["reason"]})
    form.is_valid()
    return form


@require_POST
@manager_required
def assessment_finalize(request, year: int):
    year_obj = get_year(year)
    assessed = Target.objects.filter(
        letter__year=year_obj, letter__status=LetterStatus.SIGNED, letter__unit__active=True
    )
    if not assessed.exists():
        messages.error(request, f"{year_obj.year}年度还没有已签订责任书的单位，没有可定稿的考核结果。")
        return _back_to_ranking(request, year_obj)
    try:
        count = finalizing.finalize(year_obj, user=request.user)
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"已定稿{year_obj.year}年度年终考核：{count} 个单位的考核结果（总分、等级和名次，未签订单位及其原因）已锁定，"
            "不再随填报和事故变化。核对无误后请发布。",
        )
    return _back_to_ranking(request, year_obj)


@require_POST
@manager_required
def assessment_publish(request, year: int):
    year_obj = get_year(year)
    try:
        count = finalizing.publish(year_obj, user=request.user)
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"已发布{year_obj.year}年度年终考核结果：{count} 个单位现在可以查看本单位的考核结果。"
        )
    return _back_to_ranking(request, year_obj)


@require_POST
@manager_required
def assessment_reopen(request, year: int):
    year_obj = get_year(year)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        # Back to the ranking (not re-rendered here: its tabs and sort links are relative to the
        # page's own URL), where `refused_reopen_form` shows the error at the field.
        request.session[REFUSED_REOPEN] = {"year": year_obj.year, "reason": request.POST.get("reason", "")}
        messages.error(request, "未重新打开：请在“重新打开”下说明原因。")
        return _back_to_ranking(request, year_obj, anchor="assessment-panel")
    reason = form.cleaned_data["reason"]
    try:
        count = finalizing.reopen(year_obj, user=request.user, reason=reason)
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"已重新打开{year_obj.year}年度年终考核（原因：{reason}）：撤回 {count} 个单位的定稿结果，"
            "分数重新按填报和事故预估；加减分和考核扣分可以修改，改完请重新定稿。",
        )
    return _back_to_ranking(request, year_obj)
