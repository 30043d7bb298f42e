"""Ranking tables per group and each unit's assessment: provisional until the year is finalized."""

from collections.abc import Sequence

import django_tables2 as tables
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from assessment.models import Accident, Adjustment, Assessment, AssessmentGrade, Finding
from assessment.rules import ranking
from assessment.rules.vetoes import shown_all
from responsibility import documents, exports, roles
from responsibility.access import get_unit_for_user, get_year
from responsibility.models import Unit, UnitGroup, Year
from responsibility.tables import table_page

from . import assessing, charts, finalize_views, finalizing, keeping
from .adjustment_forms import ReopenForm


def group_sizes(year: Year, *, final: bool) -> dict[str, int]:
    """How many units each group lists (the ranking's tabs), by UnitGroup value: one query."""
    if not final:
        return keeping.kept_group_sizes(year)
    rows = Assessment.objects.filter(year=year).values("group").annotate(n=Count("pk")).order_by()
    return {row["group"]: row["n"] for row in rows}


class RankingTable(tables.Table):
    # an unranked unit (未签订) sorts after the ranked ones
    rank = tables.Column("名次", order_by=("rank_order",), attrs={"td": {"class": "text-center"}})
    change = tables.Column(
        "较上年", orderable=False, attrs={"th": {"title": "较上年定稿名次"}, "td": {"class": "text-center"}}
    )
    quarter_change = tables.Column("较上季度", orderable=False, attrs={"td": {"class": "text-center"}})
    name = tables.Column("责任单位")
    score = tables.Column("总分", attrs={"td": {"class": "text-end fw-semibold"}})
    base = tables.Column("基础分", attrs={"td": {"class": "text-end"}})
    bonus = tables.Column("加分", attrs={"td": {"class": "text-end"}})
    penalty = tables.Column("扣分", attrs={"td": {"class": "text-end"}})
    grade = tables.Column("等级")
    tier = tables.Column("等次")
    vetoes = tables.Column("一票否决", orderable=False, empty_values=())  # render also when none
    yellow = tables.Column("黄牌警告", visible=False, default="")  # shown with the vetoes; exported alone
    note = tables.Column("缺报 · 未签订", visible=False, default="")  # shown beside the score; exported alone

    class Meta:
        row_attrs = {
            "class": lambda record: (
                "table-danger" if record["vetoed"] else "" if record["ranked"] else "unranked"
            )
        }
        # The page's cells are written by this template from the rows; the spreadsheet takes the
        # rows' plain values (numbers as numbers, texts without markup).
        template_name = "assessment/ranking_table.html"

    def __init__(self, data, *, quarter_note: str = "", item_headers: Sequence[str] = (), **kwargs):
        """`item_headers`: one hidden, exported column per indicator (`item_0` … in the rows)."""
        items = [
            (f"item_{i}", tables.Column(header, visible=False, orderable=False))
            for i, header in enumerate(item_headers)
        ]
        super().__init__(data, extra_columns=items, **kwargs)
        self.columns["quarter_change"].column.attrs["th"] = {"title": quarter_note}


def _change_css(change: str) -> str:
    return "status-green" if change.startswith("▲") else "status-red" if change.startswith("▼") else ""


GRADE_CSS = {AssessmentGrade.EXCELLENT: "status-green", AssessmentGrade.FAIL: "status-red"}


def _change(result: assessing.UnitResult, before: dict[int, int] | None) -> str:
    """▲▼ against earlier ranks ({unit id: rank}); "—" when there is nothing to compare with."""
    return "—" if before is None else ranking.rank_change(result.rank, before.get(result.unit.id))


def _rows(
    results, year: Year, *, last_year: dict | None = None, last_quarter: dict | None = None, item_codes=()
) -> list[dict]:
    """Table rows of `results`, with ▲▼ against last year's and last quarter's ranks, and the points
    of each indicator in `item_codes` as `item_0` … (absent when the unit has no such target)."""
    rows = [
        {
            "rank": r.rank,
            "change": _change(r, last_year),
            "quarter_change": _change(r, last_quarter),
            "name": r.unit.name,
            "url": reverse("assessment:assessment_detail", args=[year.year, r.unit.id]),
            "score": r.score,
            "base": r.base,
            "bonus": r.bonus,
            "penalty": r.penalty,
            "grade": r.grade_label,
            "grade_css": GRADE_CSS.get(r.grade, ""),
            "tier": r.tier_label,
            "vetoed": r.vetoed,
            "vetoes": shown_all(r.vetoes),
            "yellow": shown_all(r.yellow_cards),
            "ranked": r.ranked,
            "rank_order": r.rank if r.ranked else len(results) + 1,
            "status": r.status_label,
            "why": r.why,
            "missing": r.missing_total,
            "note": result_note(r),
            **{f"item_{i}": points for i, points in _item_points(r, item_codes)},
        }
        for r in results
    ]
    for row in rows:
        row |= {
            "change_css": _change_css(row["change"]),
            "quarter_change_css": _change_css(row["quarter_change"]),
        }
    return rows


def result_note(result: assessing.UnitResult) -> str:
    """What stands beside a unit's score: "缺报 2 项", or "未签订：责任书已下发，尚未签订"."""
    if not result.ranked:
        return f"{result.status_label}：{result.why}（不参加排名）"
    return f"缺报 {result.missing_total} 项" if result.missing_total else ""


def _item_points(result: assessing.UnitResult, codes) -> list[tuple[int, object]]:
    points = {item.code: item.points for item in result.items}
    return [(i, points[code]) for i, code in enumerate(codes) if code in points]


def _item_headers(results) -> tuple[list[str], list[str]]:
    """The indicators of the group's units in catalog order, and their export headers
    ("A1 死亡人数控制（30分）"; the weight only when it is the same for every unit)."""
    names, weights = {}, {}
    for r in results:
        for item in r.items:
            names.setdefault(item.code, item.name)
            weights.setdefault(item.code, set()).add(item.weight)
    headers = [
        f"{code} {name}"
        + (f"（{next(iter(weights[code])).normalize():f}分）" if len(weights[code]) == 1 else "")
        for code, name in names.items()
    ]
    return list(names), headers


DETAIL_HEADER = ["名次", "责任单位", "类别", "指标代码", "名称", "分值", "得分", "说明"]


def _detail_rows(results) -> list[list]:
    """The 明细 sheet: each unit's targets with points and reasons, then its vetoes and 黄牌."""
    rows = [DETAIL_HEADER]
    for r in results:
        name = r.unit.name
        if not r.ranked:
            rows.append([None, name, r.status_label, "", "", None, None, r.why])
        rows += [[r.rank, name, "考核指标", i.code, i.name, i.weight, i.points, i.reason] for i in r.items]
        rows += [[r.rank, name, "一票否决", None, v.name, None, None, v.reason] for v in r.vetoes]
        rows += [[r.rank, name, "黄牌警告", None, v.name, None, None, v.reason] for v in r.yellow_cards]
    return rows


def compared_quarter(year: Year, today, *, final: bool) -> int | None:
    """The quarter whose provisional ranking 较上季度 compares with: the last one that has ended, and
    Q3 once the year is over or final (Q4's provisional ranking is the final one in all but name)."""
    return finalizing.COMPARED_QUARTER if final else keeping.provisional_quarter(year, today)


def quarter_note(year: Year, quarter: int | None) -> str:
    if quarter is None:
        return "本年度尚无已结束的季度，无从比较"
    end = assessing.quarter_end(year.year, quarter)
    return f"较第{quarter}季度末（{end:%Y-%m-%d}）暂定排名"


def _last_year_ranks(year: Year) -> dict[int, int] | None:
    """Last year's final ranks by unit id; None while last year has no snapshot (one query)."""
    rows = Assessment.objects.filter(year__year=year.year - 1).values_list("unit_id", "rank")
    return dict(rows) or None


def _group_from(request) -> UnitGroup:
    group = request.GET.get("group") or UnitGroup.TERRITORY
    if group not in UnitGroup.values:
        raise Http404
    return UnitGroup(group)


@login_required
def ranking_table(request):
    if not roles.sees_all_units(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    year = _year_from(request, today)
    group = _group_from(request)
    # The per-indicator columns and the 明细 sheet go only into the spreadsheet: the page reads the
    # shown group's rows without their breakdowns (reading every unit's was most of its time).
    exporting = bool(exports.requested_format(request))
    kept, final = keeping.year_results(year, today=today, group=group, items=exporting)
    in_group = kept.results
    quarter = compared_quarter(year, today, final=final)
    if final:  # frozen: as kept at 定稿, whatever has changed since
        last_quarter = finalizing.snapshot_quarter_ranks(year)
    else:
        last_quarter = keeping.kept_quarter_ranks(year, quarter)
    # Hidden on the page, the per-indicator columns would still cost a bound column each per row.
    codes, headers = _item_headers(in_group) if exporting else ((), ())
    rows = _rows(
        in_group,
        year,
        last_year=_last_year_ranks(year),
        last_quarter=last_quarter,
        item_codes=codes,
    )
    note = quarter_note(year, quarter)
    sizes = group_sizes(year, final=final)
    table = RankingTable(rows, quarter_note=note, item_headers=headers, order_by="rank")
    return table_page(
        request,
        table,
        "assessment/ranking.html",
        {
            "year": year,
            "years": Year.objects.order_by("-year"),
            "group": group,
            "groups": UnitGroup.choices,
            "final": final,
            "kept": kept,
            "quarter_note": note,
            "counts": {g: sizes.get(g, 0) for g in UnitGroup.values},
            **_office_panel(request, year, final, in_group),
        },
        export_name=f"{year.year}年度考核排名-{group.label}",
        export_sheets=lambda: {"明细": _detail_rows(in_group)},
    )


def _office_panel(request, year: Year, final: bool, in_group) -> dict:
    """For the 安委办: the year's state with its 定稿 / 发布 / 重新打开 buttons, and the inputs' pages."""
    if not roles.can_manage(request.user):
        return {}
    published = final and Assessment.objects.filter(year=year, published_at__isnull=False).exists()
    units = Unit.objects.filter(pk__in=[r.unit.id for r in in_group]).in_city_order()
    return {
        "can_manage": True,
        "published": published,
        "reopen_form": finalize_views.refused_reopen_form(request, year) or ReopenForm(),
        "group_units": units.values_list("pk", "name"),
    }


def _year_from(request, today) -> Year:
    number = request.GET.get("year")
    if number:
        if not number.isdigit():
            raise Http404
        return get_year(number)
    year = Year.objects.current(today)
    if year is None:
        raise Http404
    return year


@login_required
def unit_assessment(request, year: int, unit_pk: int):
    """One unit's year: every target's points and reason, adjustments, vetoes with their records."""
    unit = get_unit_for_user(request, unit_pk)
    year_obj = get_year(year)
    if not roles.sees_all_units(request.user):
        # A unit sees its own assessment once it is published, and not before.
        get_object_or_404(Assessment.objects.visible_to(request.user), year=year_obj, unit=unit)
    kept, final = keeping.year_results(year_obj, today=timezone.localdate(), unit_id=unit.pk)
    result = next(iter(kept.results), None)
    if result is None and not final and kept.computed_at is None:
        context = {"unit": unit, "year": year_obj, "kept": kept, "final": final}
        return render(request, "assessment/kept_pending.html", context)  # being computed, in the background
    if result is None:
        raise Http404
    adjustments = Adjustment.objects.filter(year=year_obj, unit=unit).order_by("created_at")
    context = {
        "unit": unit,
        "year": year_obj,
        "result": result,
        "final": final,
        "kept": kept,
        "adjustments": adjustments,
    }
    context["vetoes"] = [(v, _veto_records(v, year_obj, unit)) for v in result.vetoes]
    return render(request, "assessment/unit_assessment.html", context)


# The rules whose records are not accidents (assessing.py: V9 弄虚作假 names adjustments, V10 findings).
MANUAL_RULE, HAZARD_RULE = "V9", "V10"


def _veto_records(veto, year: Year, unit: Unit) -> list[tuple[str, str]]:
    """(url, label) of each record behind a veto, named by what it is, never by its id: an accident
    by its title and date (梁溪区某工地坍塌事故（2026-03-12）), a finding by its problem, a manual
    veto as the 认定记录 of the day it was entered (its 事由 is in the reason). Records since deleted are left out."""
    ids = list(veto.record_ids)
    if not ids:
        return []
    if veto.code == HAZARD_RULE:
        found = {f.pk: f for f in Finding.objects.filter(pk__in=ids)}
        return [
            (reverse("assessment:finding_detail", args=[pk]), _short(found[pk].problem))
            for pk in ids
            if pk in found
        ]
    if veto.code == MANUAL_RULE:
        url = reverse("assessment:adjustment_list", args=[year.year]) + f"?unit={unit.pk}"
        found = {a.pk: a for a in Adjustment.objects.filter(pk__in=ids)}
        return [
            (url, f"认定记录（{timezone.localdate(found[pk].created_at):%Y-%m-%d}）")
            for pk in ids
            if pk in found
        ]
    found = {a.pk: a for a in Accident.objects.filter(pk__in=ids)}
    return [
        (reverse("assessment:accident_detail", args=[pk]), accident_label(found[pk]))
        for pk in ids
        if pk in found
    ]


def accident_label(accident) -> str:
    """An accident as a person names it: its title and the day it happened."""
    return f"{accident.title}（{timezone.localdate(accident.occurred_at):%Y-%m-%d}）"


def _short(text: str, length: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


# --- the printed ranking -----------------------------------------------------------------

PRINT_TEMPLATE = "assessment/ranking_print.html"


def _print_context(request) -> dict:
    """A group's ranking for a meeting: one A4 landscape page with its scores as a bar chart."""
    if not roles.sees_all_units(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    year = _year_from(request, today)
    group = _group_from(request)
    kept, final = keeping.year_results(year, today=today, group=group, items=False)
    in_group = kept.results
    chart = charts.score_bars(
        [r.unit.name for r in in_group],
        [r.score for r in in_group],
        vetoed=[r.vetoed for r in in_group],
        notes=[
            r.status_label if not r.ranked else f"缺报{r.missing_total}项" if r.missing_total else ""
            for r in in_group
        ],
        title=f"{group.label}考核得分",
        width=360,  # printed 80 mm wide: small enough a viewBox that the names stay legible
    )
    return {
        "title": f"{year.year}年度安全生产目标责任考核排名（{group.label}）",
        "year": year,
        "group": group,
        "final": final,
        "kept": kept,
        "date": documents.chinese_date(today),
        "office_name": settings.OFFICE_NAME,
        "rows": _rows(in_group, year, last_year=_last_year_ranks(year)),
        "chart": mark_safe(chart),  # charts escapes every text it draws
        "file_name": f"{year.year}年度考核排名-{group.label}",
    }


@login_required
def ranking_print(request):
    context = _print_context(request)
    query = f"?year={context['year'].year}&group={context['group'].value}"
    context |= {
        "back_url": reverse("assessment:ranking") + query,
        "pdf_url": reverse("assessment:ranking_pdf") + query,
    }
    return HttpResponse(render_to_string(PRINT_TEMPLATE, context))  # no request: it has no menu


@login_required
def ranking_pdf(request):
    context = _print_context(request)
    pdf = documents.html_to_pdf(render_to_string(PRINT_TEMPLATE, context))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = exports.attachment(f"{context['file_name']}.pdf")
    return response
