"""The year-end assessment's inputs: the 安委办's 加减分 for a year and the assessors' 考核扣分 per unit.

Both pages are read by whoever sees the ranking (the 安委办, leaders and inspectors): the inputs
explain the scores they see there. Only the 安委办 writes, and only until the year is finalized.
Units see neither page; their adjustments show on their own assessment page once published.
"""

from dataclasses import dataclass
from decimal import Decimal

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from assessment.models import Adjustment, Deduction
from responsibility import roles
from responsibility.access import get_unit_for_user, get_year, require_manager
from responsibility.history import HistoryRow, history_rows
from responsibility.models import (
    GROUP_OF_KIND,
    LetterStatus,
    ResponsibilityLetter,
    Target,
    Unit,
    Year,
    kind_order,
)
from responsibility.redirects import is_own_path
from responsibility.tables import LocalDateTimeColumn, table_page

from . import adjustments as services
from .adjustment_forms import AdjustmentFilterForm, AdjustmentForm, DeductionForm

ZERO = Decimal(0)
HISTORY_LIMIT = 30


def _require_city_role(request) -> None:
    """The inputs are read by those who see the ranking; a unit's own people get a 403."""
    if not roles.sees_all_units(request.user):
        raise PermissionDenied


# --- 加减分 -------------------------------------------------------------------------------


def _get_adjustment_for_user(request, pk: int) -> Adjustment:
    """The one way views fetch an adjustment: 404 unless its unit is one the user may see."""
    adjustments = Adjustment.objects.filter(unit__in=Unit.objects.visible_to(request.user))
    return get_object_or_404(adjustments.select_related("year", "unit"), pk=pk)


def describe_adjustment(adjustment) -> str:
    """+3.00 分：… / −2.00 分：… / 一票否决（弄虚作假）：… (also for a history record)."""
    if adjustment.manual_veto:
        return f"一票否决（弄虚作假）：{adjustment.reason}"
    return f"{_signed(adjustment.points)} 分：{adjustment.reason}"


def _signed(points: Decimal) -> str:
    return f"+{points:.2f}" if points > 0 else f"−{-points:.2f}"


class AdjustmentTable(tables.Table):
    unit = tables.Column(
        "责任单位",
        order_by=("unit_order", "unit__sort_order", "unit__name"),
        attrs={"td": {"class": "text-nowrap"}},
    )
    points = tables.Column(
        "分值", attrs={"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}
    )
    reason = tables.Column("事由", attrs={"td": {"style": "min-width: 14em"}})
    basis = tables.Column("文件依据", attrs={"td": {"class": "small"}})
    manual_veto = tables.Column("一票否决", attrs={"td": {"class": "text-nowrap"}})
    created_by = tables.Column("录入人", attrs={"td": {"class": "text-nowrap"}})
    created_at = LocalDateTimeColumn("录入时间", attrs={"td": {"class": "text-nowrap"}})
    delete = tables.TemplateColumn(
        template_name="assessment/includes/adjustment_delete.html",
        verbose_name="",
        orderable=False,
        exclude_from_export=True,
        empty_values=(),
    )

    class Meta:
        model = Adjustment
        fields = ["unit", "points", "reason", "basis", "manual_veto", "created_by", "created_at"]
        empty_text = "没有加减分。"
        row_attrs = {
            "data-adjustment": lambda record: record.pk,
            "class": lambda record: "table-danger" if record.manual_veto else "",
        }

    def render_points(self, record):
        if record.manual_veto:
            return "—"
        css = "status-green" if record.points > 0 else "status-amber"
        return format_html('<span class="{}">{}</span>', css, _signed(record.points))

    def value_points(self, record):
        return "" if record.manual_veto else _signed(record.points)

    def render_manual_veto(self, value):
        return mark_safe('<span class="status-red fw-semibold">✗ 弄虚作假</span>') if value else "—"

    def value_manual_veto(self, value):
        return "弄虚作假" if value else ""


def _adjustments(year: Year):
    return (
        Adjustment.objects.filter(year=year)
        .select_related("unit", "created_by")
        .alias(unit_order=kind_order("unit__"))
        .order_by("unit_order", "unit__sort_order", "unit__name", "created_at", "pk")
    )


def _over_cap(year: Year) -> list[tuple[str, Decimal]]:
    """(unit name, total bonus) of the units whose bonuses add up to more than the year's cap."""
    totals = services.bonus_totals(year)
    over = [pk for pk, total in totals.items() if total > year.bonus_cap]
    if not over:
        return []
    return [(unit.name, totals[unit.pk]) for unit in Unit.objects.filter(pk__in=over).in_city_order()]


def _adjustment_history(year: Year) -> list[HistoryRow]:
    records = (
        Adjustment.history.filter(year_id=year.pk)
        .select_related("history_user", "unit")
        .order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
    )
    return history_rows(
        records, describe=lambda r: f"{r.unit.name} {describe_adjustment(r)}", limit=HISTORY_LIMIT
    )


@login_required
def adjustment_list(request, year: int):
    """The year's 加减分 with their filters; the 安委办 adds one here (POST) until the year is finalized."""
    year_obj = get_year(year)
    _require_city_role(request)
    can_manage = roles.can_manage(request.user)
    final = services.is_final(year_obj)
    filter_form = AdjustmentFilterForm(request.GET)
    form = None
    if request.method == "POST":
        require_manager(request)
        form = AdjustmentForm(request.POST, year=year_obj)
        if form.is_valid():
            try:
                adjustment = services.add_adjustment(
                    year_obj,
                    unit=form.cleaned_data["unit"],
                    points=form.signed_points(),
                    reason=form.cleaned_data["reason"],
                    basis=form.cleaned_data["basis"],
                    manual_veto=form.manual_veto,
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                _added_messages(request, adjustment)
                return redirect(request.get_full_path())
    elif can_manage and not final:
        chosen_unit = filter_form.cleaned_data.get("unit") if filter_form.is_valid() else None
        form = AdjustmentForm(year=year_obj, initial={"unit": chosen_unit})
    table = AdjustmentTable(
        filter_form.filter(_adjustments(year_obj)),
        exclude=() if can_manage and not final else ("delete",),
    )
    return table_page(
        request,
        table,
        "assessment/adjustment_list.html",
        {
            "year": year_obj,
            "years": Year.objects.order_by("-year"),
            "filter_form": filter_form,
            "form": form,
            "final": final,
            "locked_message": services.locked_message(year_obj),
            "can_manage": can_manage,
            "over_cap": _over_cap(year_obj),
            "history": _adjustment_history(year_obj) if can_manage else [],
        },
        export_name=f"{year_obj.year}年度加减分",
    )


def _added_messages(request, adjustment: Adjustment) -> None:
    unit, year = adjustment.unit, adjustment.year
    if adjustment.manual_veto:
        messages.success(request, f"已录入{unit}的弄虚作假一票否决：{unit}{year.year}年度考核为不合格。")
        return
    messages.success(request, f"已录入{unit}{_signed(adjustment.points)} 分：{adjustment.reason}")
    if adjustment.points > 0:
        total = services.bonus_totals(year).get(unit.pk, ZERO)
        if total > year.bonus_cap:
            messages.warning(
                request,
                f"▲ {unit}{year.year}年度加分合计 {total:.2f} 分，超过加分上限 {year.bonus_cap:.2f} 分："
                f"计入总分的加分按 {year.bonus_cap:.2f} 分计。",
            )


@require_POST
@login_required
def adjustment_delete(request, pk: int):
    adjustment = _get_adjustment_for_user(request, pk)
    require_manager(request)
    year = adjustment.year
    try:
        services.delete_adjustment(adjustment, by=request.user)
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"已删除{adjustment.unit}的{describe_adjustment(adjustment)}；不再计入考核，修改记录中保留。",
        )
    list_url = reverse("assessment:adjustment_list", args=[year.year])
    back = request.POST.get("next", "")
    return redirect(back if is_own_path(back) and back.startswith(list_url) else list_url)


# --- 考核扣分 ------------------------------------------------------------------------------


def _get_deduction_for_user(request, pk: int) -> Deduction:
    """The one way views fetch a deduction: 404 unless its unit is one the user may see."""
    deductions = Deduction.objects.filter(target__letter__unit__in=Unit.objects.visible_to(request.user))
    return get_object_or_404(
        deductions.select_related("target__indicator", "target__letter__year", "target__letter__unit"), pk=pk
    )


@dataclass
class TargetRow:
    """One assessed target of the unit with its deductions and what is left of its weight."""

    target: Target
    deductions: list
    takes_deductions: bool

    @property
    def deducted(self) -> Decimal:
        return sum((d.points for d in self.deductions), ZERO)

    @property
    def remaining(self) -> Decimal:
        return max(self.target.weight - self.deducted, ZERO)

    @property
    def over(self) -> bool:
        return self.deducted > self.target.weight

    @property
    def per_item(self) -> str | None:
        """The catalog's standard deduction per item (params per_unit), to guide the assessor."""
        return {**self.target.indicator.params, **self.target.params}.get("per_unit")


def _target_rows(year: Year, unit: Unit) -> list[TargetRow]:
    deductions = Prefetch(
        "deductions", queryset=Deduction.objects.select_related("created_by").order_by("created_at", "pk")
    )
    targets = services.assessed_targets(year, unit).prefetch_related(deductions)
    return [TargetRow(t, list(t.deductions.all()), services.takes_deductions(t)) for t in targets]


def _deduction_history(rows: list[TargetRow]) -> list[HistoryRow]:
    records = (
        Deduction.history.filter(target_id__in=[row.target.pk for row in rows])
        .select_related("history_user", "target__indicator")
        .order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
    )
    return history_rows(
        records,
        describe=lambda r: f"{r.target.indicator.code} 扣 {r.points:.2f} 分：{r.reason}",
        limit=HISTORY_LIMIT,
    )


@login_required
def deduction_list(request, year: int, unit_pk: int):
    """A unit's assessed targets with the assessors' deductions; the 安委办 adds one here (POST)."""
    unit = get_unit_for_user(request, unit_pk)
    year_obj = get_year(year)
    _require_city_role(request)
    can_manage = roles.can_manage(request.user)
    final = services.is_final(year_obj)
    rows = _target_rows(year_obj, unit)
    deductible = [row.target for row in rows if row.takes_deductions]
    form = None
    if request.method == "POST":
        require_manager(request)
        form = DeductionForm(request.POST, targets=deductible)
        if form.is_valid():
            target = form.cleaned_data["target"]
            try:
                services.add_deduction(
                    target,
                    points=form.cleaned_data["points"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                _deducted_messages(request, target, form.cleaned_data["points"])
                return redirect(f"{request.path}?target={target.pk}")  # the next one is often for it too
    elif can_manage and not final and deductible:
        form = DeductionForm(targets=deductible, initial={"target": request.GET.get("target")})
    kinds = [kind for kind, group in GROUP_OF_KIND.items() if group == unit.group]
    signed = ResponsibilityLetter.objects.filter(year=year_obj, unit=unit, status=LetterStatus.SIGNED)
    return render(
        request,
        "assessment/deduction_list.html",
        {
            "unit": unit,
            "year": year_obj,
            "rows": rows,
            "form": form,
            "final": final,
            "locked_message": services.locked_message(year_obj),
            "can_manage": can_manage,
            "assessed": signed.exists(),
            "group_units": Unit.objects.filter(kind__in=kinds, letters__year=year_obj).in_city_order(),
            "history": _deduction_history(rows) if can_manage else [],
        },
    )


def _deducted_messages(request, target, points: Decimal) -> None:
    deducted = sum(target.deductions.values_list("points", flat=True), ZERO)
    remaining = max(target.weight - deducted, ZERO)
    code = target.indicator.code
    messages.success(
        request, f"已录入 {code} 扣 {points:.2f} 分；该项已扣 {deducted:.2f} 分，剩余 {remaining:.2f} 分。"
    )
    if deducted > target.weight:
        messages.warning(
            request,
            f"▲ {code} 扣分合计 {deducted:.2f} 分，已超过分值 {target.weight:.2f} 分：该项按 0 分计，不再倒扣。",
        )


@require_POST
@login_required
def deduction_delete(request, pk: int):
    deduction = _get_deduction_for_user(request, pk)
    require_manager(request)
    letter = deduction.target.letter
    try:
        services.delete_deduction(deduction, by=request.user)
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"已删除 {deduction.target.indicator.code} 的扣分（{deduction.points:.2f} 分：{deduction.reason}）；"
            "修改记录中保留。",
        )
    return redirect("assessment:deduction_list", year=letter.year.year, unit_pk=letter.unit_id)
