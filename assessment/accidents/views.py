"""The accident register: the 安委办 records, revises and imports accidents; everyone reads what
they may see (leaders and the 安委办 all, a unit the accidents of its territory or sector)."""

import copy
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from assessment.models import Accident, AccidentExemption, AccidentGrade, Industry
from assessment.rules import grading
from responsibility import roles
from responsibility.access import manager_required, require_manager
from responsibility.history import HistoryRow, history_rows, plain, who
from responsibility.models import Indicator, Unit, Year
from responsibility.tables import table_page

from . import services
from .counting import counting_preview
from .figures import UnitFigures, comparison_periods, figures_for_periods
from .forms import AccidentFilterForm, AccidentForm, ExemptionForm
from .queries import month_summary
from .tables import GRADE_CSS, AccidentTable, Change, UnitRow, flags_text

# --- the gate --------------------------------------------------------------------------


def _accidents(user):
    departments = Prefetch("departments", queryset=Unit.objects.in_city_order())
    return Accident.objects.visible_to(user).select_related("unit").prefetch_related(departments)


def _get_accident_for_user(request, pk: int) -> Accident:
    """The one way views fetch an accident: 404 unless it is in the user's territory or sector."""
    exemptions = Prefetch("exemptions", queryset=AccidentExemption.objects.select_related("unit"))
    return get_object_or_404(_accidents(request.user).prefetch_related(exemptions), pk=pk)


def _posted(request):
    """The form data on a POST (even an empty one, which should show what is missing), else None."""
    return request.POST if request.method == "POST" else None


# --- presentation helpers --------------------------------------------------------------


@login_required
def accident_list(request):
    """The register with its filters, and 同比 per unit and per month for the chosen year."""
    user = request.user
    today = timezone.localdate()
    data = request.GET.copy()
    if "year" not in data and (current_year := Year.objects.current(today)):
        data["year"] = str(current_year.year)
    units = Unit.objects.visible_to(user).in_city_order()
    form = AccidentFilterForm(data, units=units)
    accidents = form.filter(_accidents(user))
    chosen = form.cleaned_data if form.is_valid() else {}
    year = chosen.get("year")
    context = {"form": form, "year": year, "can_manage": roles.can_manage(user), "today": today}
    if year:
        # The same period: from the window's start to today, or the whole window once it is over.
        until = today if today < year.accident_window_end else None
        current, previous = comparison_periods(year, until=until)
        context.update(
            current=current,
            previous=previous,
            unit_rows=_unit_rows(units, figures_for_periods(current, previous), chosen.get("unit")),
            **month_summary(
                form.filter(Accident.objects.visible_to(user), with_year=False),
                chosen.get("unit"),
                current,
                previous,
            ),
        )
    return table_page(
        request,
        AccidentTable(accidents.order_by("-occurred_at", "-pk")),
        "assessment/accident_list.html",
        context,
        export_name="生产安全事故",
    )


def _unit_rows(units, figures: dict[int, UnitFigures], only: Unit | None) -> list[UnitRow]:
    """One row per unit the user may see (the chosen one only): active ones and any with accidents."""
    rows = []
    for unit in [only] if only else units:
        unit_figures = figures.get(unit.pk)
        if unit_figures is None:
            continue
        current, previous = unit_figures.current, unit_figures.previous
        if not unit.active and not current.count and not previous.count:
            continue
        rows.append(
            UnitRow(
                unit=unit,
                figures=unit_figures,
                count=Change(current.count, previous.count),
                deaths=Change(current.deaths, previous.deaths),
                larger_or_worse=current.count_at_least(grading.LARGER),
            )
        )
    return rows


# --- one accident ----------------------------------------------------------------------


@manager_required
def accident_create(request):
    form = AccidentForm(_posted(request))
    if form.is_valid():
        accident = services.record_accident(by=request.user, **form.cleaned_data)
        messages.success(request, f"已登记事故：{accident.title}（{accident.get_grade_display()}事故）。")
        return redirect(accident)
    return render(request, "assessment/accident_form.html", {"form": form})


@login_required
def accident_detail(request, pk: int):
    accident = _get_accident_for_user(request, pk)
    return _detail_page(request, accident)


def _detail_page(request, accident: Accident, *, exemption_form=None):
    can_manage = roles.can_manage(request.user)
    exemptions = list(accident.exemptions.all())
    exempted = {e.unit_id for e in exemptions}
    attributed = [accident.unit, *accident.departments.all()]
    exemptible = services.exemptible_units(accident)
    if can_manage and exemption_form is None and exemptible:
        exemption_form = ExemptionForm(units=exemptible)
    today = timezone.localdate()
    return render(
        request,
        "assessment/accident_detail.html",
        {
            "accident": accident,
            "flags": flags_text(accident),
            "grade_css": GRADE_CSS[accident.grade],
            "counted": [unit for unit in attributed if unit.pk not in exempted],
            "exemptions": exemptions,
            "exemption_form": exemption_form if can_manage else None,
            "deadline": accident.revision_deadline(),
            "in_revision_window": today <= accident.revision_deadline(),
            "history": accident_history_rows(accident),
            "can_manage": can_manage,
        },
    )


@login_required
def accident_edit(request, pk: int):
    accident = _get_accident_for_user(request, pk)
    require_manager(request)
    old_grade = accident.get_grade_display()
    # The form works on a copy: the page keeps showing the stored accident while errors are fixed.
    form = AccidentForm(_posted(request), instance=copy.copy(accident))
    if form.is_valid():
        try:
            revised = services.revise_accident(accident, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if revised is None:
                messages.info(request, "没有改动，未保存。")
            elif revised.get_grade_display() != old_grade:
                messages.success(
                    request, f"已保存修改；事故等级由{old_grade}变为{revised.get_grade_display()}。"
                )
            else:
                messages.success(request, "已保存修改，已记入修改记录。")
            return redirect(accident)
    return render(request, "assessment/accident_form.html", {"form": form, "accident": accident})


@require_POST
@login_required
def accident_exemption_add(request, pk: int):
    accident = _get_accident_for_user(request, pk)
    require_manager(request)
    form = ExemptionForm(request.POST, units=services.exemptible_units(accident))
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            services.add_exemption(accident, unit=unit, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            form.add_error("unit", error)
        else:
            messages.success(request, f"已登记{unit}免责：该事故不再计入{unit}的考核。")
            return redirect(accident)
    return _detail_page(request, accident, exemption_form=form)


@require_POST
@login_required
def accident_exemption_remove(request, pk: int, exemption_pk: int):
    accident = _get_accident_for_user(request, pk)
    require_manager(request)
    exemption = get_object_or_404(accident.exemptions.select_related("unit"), pk=exemption_pk)
    services.remove_exemption(exemption, by=request.user)
    messages.success(request, f"已撤销{exemption.unit}的免责：该事故重新计入{exemption.unit}的考核。")
    return redirect(accident)


# --- history ---------------------------------------------------------------------------

LABELS = {"unit_id": "属地单位", "revision_reason": "修改原因"}
TRACKED = [
    "occurred_at",
    "title",
    "place",
    "industry",
    "unit_id",
    "deaths",
    "serious_injuries",
    "direct_loss",
    "grade",
    "reported_late",
    "concealed",
    "falsely_reported",
    "revision_reason",
]
# The fields a revision is shown by, with their labels; the departments (监管部门) come last.
COMPARED = {
    **{name: LABELS.get(name) or Accident._meta.get_field(name).verbose_name for name in TRACKED},
    "department_names": "监管部门",
}
SAME_RECORDING = timedelta(seconds=10)


def _show(name: str, value, units: dict) -> str:
    if name == "department_names":
        return "、".join(value) or "—"
    if value in (None, ""):
        return "—"
    if name == "occurred_at":
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if name == "direct_loss":
        return f"{value:.2f} 万元"
    if name == "unit_id":
        return units[value].name if value in units else f"#{value}"
    if name == "industry":
        return Industry(value).label
    if name == "grade":
        return AccidentGrade(value).label
    return plain(value)


def _departments_recorded_with(added, record) -> bool:
    """Whether `record` is the departments written just after `added` recorded the accident."""
    return (
        added.history_type == "+"
        and who(added) == who(record)
        and record.history_date - added.history_date < SAME_RECORDING
        and all(getattr(added, name) == getattr(record, name) for name in TRACKED)
    )


def accident_history_rows(accident: Accident, *, limit: int = 50) -> list[HistoryRow]:
    """The accident's changes, newest first, each with who made it: figures, departments, exemptions.

    The departments kept by django-simple-history (a many-to-many field) are read in one query and
    compared by name. Recording an accident writes a second record for its departments; it reads
    as part of the 新增 row.
    """
    records = list(accident.history.select_related("history_user").order_by("history_date", "history_id"))
    department_history = type(records[0]).departments.model if records else None
    departments: dict[int, list[str]] = {record.history_id: [] for record in records}
    if department_history:
        for history_id, name in (
            department_history.objects.filter(history__in=[r.history_id for r in records])
            .order_by("unit__sort_order", "unit__name")
            .values_list("history_id", "unit__name")
        ):
            departments[history_id].append(name)
    exemption_records = list(
        AccidentExemption.history.filter(accident_id=accident.pk).select_related("history_user")
    )
    unit_ids = {r.unit_id for r in records} | {r.unit_id for r in exemption_records}
    units = Unit.objects.in_bulk(unit_ids)

    kept, with_departments, previous = [], set(), None
    for record in records:
        record.department_names = departments[record.history_id]
        if previous is not None and _departments_recorded_with(previous, record):
            previous.department_names = record.department_names
            with_departments.add(previous.history_id)
        else:
            kept.append(record)
        previous = record

    def recorded(record) -> str:
        text = (
            f"登记事故：{record.title}（{_show('grade', record.grade, units)}，"
            f"死亡 {record.deaths} 人，重伤 {record.serious_injuries} 人，"
            f"直接经济损失 {_show('direct_loss', record.direct_loss, units)}）"
        )
        if record.history_id in with_departments:
            text += f"；监管部门：{_show('department_names', record.department_names, units)}"
        return text

    def exemption(older, record) -> tuple[str, str]:
        unit = _show("unit_id", record.unit_id, units)
        if record.history_type == "+":
            return "新增", f"{unit}免责：{record.reason}"
        if record.history_type == "-":
            return "删除", f"撤销{unit}的免责"
        return "修改", f"{unit}的免责理由：{record.reason}"

    rows = [
        *history_rows(
            kept,
            describe=recorded,
            fields=COMPARED,
            show=lambda name, value: _show(name, value, units),
            unchanged=None,
            limit=limit,
        ),
        *history_rows(exemption_records, step=exemption, limit=limit),
    ]
    rows.sort(key=lambda row: row.when, reverse=True)
    return rows[:limit]


# --- what an indicator counts ------------------------------------------------------------


@require_safe
@manager_required
def indicator_counting(request, pk: int):
    """指标库 preview: for a chosen unit and year, the accidents a derived indicator counts, as the
    assessment counts them ("梁溪区2026年计入：3起、死亡5人")."""
    indicator = get_object_or_404(Indicator, pk=pk)
    units = list(Unit.objects.in_city_order())
    years = list(Year.objects.order_by("-year"))
    unit = next((u for u in units if str(u.pk) == request.GET.get("unit")), None)
    year = next((y for y in years if str(y.year) == request.GET.get("year")), years[0] if years else None)
    preview, accidents = None, []
    if unit and year:
        preview, ids = counting_preview(indicator, unit, year)
        accidents = list(Accident.objects.filter(pk__in=ids).select_related("unit").order_by("occurred_at"))
    return render(
        request,
        "assessment/indicator_counting.html",
        {
            "indicator": indicator,
            "units": units,
            "years": years,
            "unit": unit,
            "year": year,
            "preview": preview,
            "accidents": accidents,
            "grades": "、".join(
                AccidentGrade(g).label for g in AccidentGrade.values if g in indicator.grades
            ),
            "industries": "、".join(Industry(i).label for i in Industry.values if i in indicator.industries),
        },
    )
