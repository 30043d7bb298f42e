"""Ranking tables per group and each unit's assessment: provisional until the year is finalized."""

import django_tables2 as tables
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from responsibility import roles
from responsibility.models import UnitGroup, Year
from responsibility.views import get_unit_for_user, table_page

from . import assessing, finalizing, ranking
from .models import Adjustment, Assessment


def year_results(year: Year, *, today) -> tuple[list[assessing.UnitResult], bool]:
    """The finalized snapshot when there is one, else what each unit would score today."""
    snapshot = finalizing.snapshot_results(year)
    if snapshot is not None:
        return snapshot, True
    return assessing.assess_year(year, today=today), False


class RankingTable(tables.Table):
    rank = tables.Column("名次", attrs={"td": {"class": "text-center"}})
    change = tables.Column("较上年", orderable=False, attrs={"td": {"class": "text-center"}})
    name = tables.Column("责任单位")
    score = tables.Column("总分", attrs={"td": {"class": "text-end fw-semibold"}})
    base = tables.Column("基础分", attrs={"td": {"class": "text-end"}})
    bonus = tables.Column("加分", attrs={"td": {"class": "text-end"}})
    penalty = tables.Column("扣分", attrs={"td": {"class": "text-end"}})
    grade = tables.Column("等级")
    tier = tables.Column("等次")
    vetoes = tables.Column("一票否决", orderable=False, empty_values=())  # render also when none

    class Meta:
        row_attrs = {"class": lambda record: "table-danger" if record["vetoed"] else ""}

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', record["url"], record["name"])

    def value_name(self, record):
        return record["name"]

    def render_score(self, value):
        return f"{value:.2f}"

    render_base = render_bonus = render_penalty = render_score

    def render_change(self, value):
        css = "status-green" if value.startswith("▲") else "status-red" if value.startswith("▼") else ""
        return format_html('<span class="{}">{}</span>', css, value)

    def render_grade(self, record):
        css = {"优秀": "status-green", "不合格": "status-red"}.get(record["grade"], "")
        return format_html('<span class="{}">{}</span>', css, record["grade"])

    def render_vetoes(self, record):
        if record["vetoed"]:
            return format_html('<span class="status-red">✗ {}</span>', record["vetoes"])
        if record["yellow"]:
            return format_html('<span class="status-amber">▲ 黄牌：{}</span>', record["yellow"])
        return "—"

    def value_vetoes(self, record):
        return record["vetoes"] or (f"黄牌：{record['yellow']}" if record["yellow"] else "")


def _rows(results, previous, year: Year) -> list[dict]:
    before = {r.unit.id: r.rank for r in previous or []}
    return [
        {
            "rank": r.rank,
            "change": ranking.rank_change(r.rank, before.get(r.unit.id)) if previous else "—",
            "name": r.unit.name,
            "url": reverse("assessment:assessment_detail", args=[year.year, r.unit.id]),
            "score": r.score,
            "base": r.base,
            "bonus": r.bonus,
            "penalty": r.penalty,
            "grade": r.grade,
            "tier": r.tier,
            "vetoed": r.vetoed,
            "vetoes": "；".join(f"{v.code} {v.reason}" for v in r.vetoes),
            "yellow": "；".join(v.reason for v in r.yellow_cards),
        }
        for r in results
    ]


@login_required
def ranking_table(request):
    if not roles.sees_all_units(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    year = _year_from(request, today)
    group = request.GET.get("group") or UnitGroup.TERRITORY
    if group not in UnitGroup.values:
        raise Http404
    results, final = year_results(year, today=today)
    previous_year = Year.objects.filter(year=year.year - 1).first()
    previous = finalizing.snapshot_results(previous_year) if previous_year else None
    in_group = [r for r in results if r.unit.group == group]
    table = RankingTable(_rows(in_group, previous, year), order_by="rank")
    return table_page(
        request,
        table,
        "assessment/ranking.html",
        {
            "year": year,
            "years": Year.objects.order_by("-year"),
            "group": UnitGroup(group),
            "groups": UnitGroup.choices,
            "final": final,
            "counts": {g: sum(1 for r in results if r.unit.group == g) for g in UnitGroup.values},
        },
        export_name=f"{year.year}年度考核排名-{UnitGroup(group).label}",
    )


def _year_from(request, today) -> Year:
    number = request.GET.get("year")
    if number:
        if not number.isdigit():
            raise Http404
        return get_object_or_404(Year, year=int(number))
    year = Year.objects.current(today)
    if year is None:
        raise Http404
    return year


@login_required
def unit_assessment(request, year: int, unit_pk: int):
    """One unit's year: every target's points and reason, adjustments, vetoes with their records."""
    unit = get_unit_for_user(request, unit_pk)
    year_obj = get_object_or_404(Year, year=year)
    if not roles.sees_all_units(request.user):
        # A unit sees its own assessment once it is published, and not before.
        get_object_or_404(Assessment.objects.visible_to(request.user), year=year_obj, unit=unit)
    results, final = year_results(year_obj, today=timezone.localdate())
    result = next((r for r in results if r.unit.id == unit.pk), None)
    if result is None:
        raise Http404
    adjustments = Adjustment.objects.filter(year=year_obj, unit=unit).order_by("created_at")
    return render(
        request,
        "assessment/unit_assessment.html",
        {"unit": unit, "year": year_obj, "result": result, "final": final, "adjustments": adjustments},
    )
