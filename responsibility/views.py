"""Pages for setting up the system: units, years and the indicator catalog, and the home page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import roles, services
from .access import get_unit_for_user, get_year, manager_required, require_manager
from .forms import IndicatorForm, UnitFilterForm, UnitForm, WeightsForm, YearForm
from .history import history_rows
from .letter_views import notify_letters_differ
from .models import (
    Indicator,
    LetterStatus,
    Unit,
    UnitKind,
    Year,
    weight_totals,
)
from .tables import IndicatorTable, UnitTable, YearTable, table_page

# --- units -----------------------------------------------------------------------------


@login_required
def unit_list(request):
    form = UnitFilterForm(request.GET)
    units = form.filter(Unit.objects.visible_to(request.user)).in_city_order()
    return table_page(
        request,
        UnitTable(units),
        "responsibility/unit_list.html",
        {"form": form, "can_manage": roles.can_manage(request.user)},
        export_name="责任单位",
    )


@login_required
def unit_detail(request, pk: int):
    unit = get_unit_for_user(request, pk)
    members = unit.memberships.select_related("user").order_by("role", "user__name")
    history = (
        history_rows(unit.history.select_related("history_user"), describe=lambda h: f"{h.name}（{h.code}）")
        if roles.can_manage(request.user)
        else []
    )
    return render(
        request,
        "responsibility/unit_detail.html",
        {"unit": unit, "members": members, "history": history, "can_manage": roles.can_manage(request.user)},
    )


@manager_required
def unit_create(request):
    form = UnitForm(request.POST or None)
    if form.is_valid():
        unit = services.save_unit(form)
        messages.success(request, f"已新增责任单位：{unit.name}。")
        return redirect(unit)
    return render(request, "responsibility/unit_form.html", {"form": form})


@login_required
def unit_edit(request, pk: int):
    unit = get_unit_for_user(request, pk)
    require_manager(request)
    form = UnitForm(request.POST or None, instance=unit)
    if form.is_valid():
        services.save_unit(form)
        messages.success(request, f"已保存{unit.name}的信息。")
        return redirect(unit)
    return render(request, "responsibility/unit_form.html", {"form": form, "unit": unit})


@require_POST
@login_required
def unit_set_active(request, pk: int):
    unit = get_unit_for_user(request, pk)
    require_manager(request)
    active = request.POST.get("active") == "1"
    services.set_unit_active(unit, active=active)
    if active:
        messages.success(request, f"已重新启用{unit.name}。")
    else:
        messages.success(request, f"已停用{unit.name}；其历史记录全部保留。")
    return redirect(unit)


# --- years -----------------------------------------------------------------------------


@login_required
def year_list(request):
    return table_page(
        request,
        YearTable(Year.objects.all()),
        "responsibility/year_list.html",
        {"can_manage": roles.can_manage(request.user)},
    )


@login_required
def year_detail(request, year: int):
    year_obj = get_year(year)
    can_manage = roles.can_manage(request.user)
    history = (
        history_rows(year_obj.history.select_related("history_user"), describe=lambda h: f"{h.year}年度")
        if can_manage
        else []
    )
    return render(
        request,
        "responsibility/year_detail.html",
        {"year": year_obj, "can_manage": can_manage, "history": history},
    )


@manager_required
def year_create(request):
    form = YearForm(request.POST or None)
    if form.is_valid():
        year = services.save_year(form)
        messages.success(request, f"已新增{year}，状态为{year.get_status_display()}。")
        return redirect(year)
    return render(request, "responsibility/year_form.html", {"form": form})


@manager_required
def year_edit(request, year: int):
    year_obj = get_year(year)
    form = YearForm(request.POST or None, instance=year_obj)
    if form.is_valid():
        services.save_year(form)
        messages.success(request, f"已保存{year_obj}的设置。")
        return redirect(year_obj)
    return render(request, "responsibility/year_form.html", {"form": form, "year": year_obj})


# --- indicator catalog -----------------------------------------------------------------


def _get_indicator_for_user(request, pk: int) -> Indicator:
    # The catalog is city-wide reference data, readable by everyone who logs in.
    return get_object_or_404(Indicator, pk=pk)


@login_required
def indicator_list(request):
    show = request.GET.get("show")
    indicators = Indicator.objects.all() if show == "all" else Indicator.objects.active()
    totals = weight_totals(Indicator.objects.active())
    table = IndicatorTable(indicators, weight_totals=totals)
    return table_page(
        request,
        table,
        "responsibility/indicator_list.html",
        {"can_manage": roles.can_manage(request.user), "kinds": UnitKind.choices, "show": show},
        export_name="考核指标库",
    )


@manager_required
def indicator_create(request):
    form = IndicatorForm(request.POST or None)
    if form.is_valid():
        indicator = services.save_indicator(form)
        messages.success(request, f"已新增指标 {indicator.code}。请在“分值设置”中为适用的单位类别分配分值。")
        return redirect("responsibility:indicator_list")
    return render(request, "responsibility/indicator_form.html", {"form": form})


@login_required
def indicator_edit(request, pk: int):
    indicator = _get_indicator_for_user(request, pk)
    can_manage = roles.can_manage(request.user)
    if request.method == "POST":
        require_manager(request)
    form = IndicatorForm(request.POST or None, instance=indicator)
    if not can_manage:
        for field in form.fields.values():
            field.disabled = True
    elif form.is_valid():
        services.save_indicator(form)
        messages.success(request, f"已保存指标 {indicator.code}。")
        issued = [LetterStatus.ISSUED, LetterStatus.SIGNED]
        years = Year.objects.filter(letters__targets__indicator=indicator, letters__status__in=issued)
        for year in years.distinct().order_by("year"):
            notify_letters_differ(request, year)
        return redirect("responsibility:indicator_list")
    history = (
        history_rows(indicator.history.select_related("history_user"), describe=lambda h: h.name)
        if can_manage
        else []
    )
    return render(
        request,
        "responsibility/indicator_form.html",
        {"form": form, "indicator": indicator, "can_manage": can_manage, "history": history},
    )


@manager_required
def indicator_weights(request, kind: str):
    if kind not in UnitKind.values:
        raise Http404
    indicators = list(Indicator.objects.active())
    form = WeightsForm(request.POST or None, kind=kind, indicators=indicators)
    if form.is_valid():
        changed = services.save_weights(form.changed_indicators())
        label = UnitKind(kind).label
        messages.success(request, f"已保存{label}的指标分值（{changed} 项有改动），合计 100 分。")
        return redirect(reverse("responsibility:indicator_list") + "#weights")
    return render(
        request,
        "responsibility/indicator_weights.html",
        {
            "form": form,
            "kind": UnitKind(kind),
            "kinds": UnitKind.choices,
            "unit_count": Unit.objects.active().filter(kind=kind).count(),
        },
    )
