"""通报 drafted from the data: the period's figures per unit, and a title and body written from them.

    circular = draft_circular(2026, 3, CircularKind.SITUATION, user=request.user)   # a saved draft
    figures = circular_figures(year, 3, today=date(2026, 10, 12))                # the tables alone
    title, body = write_text(figures, CircularKind.REMINDER)                     # the words alone

`figures` is plain JSON (it is stored on the circular, so the published text and its PDF never
change when the data does). Every table lists units in the city's order (板块, then departments,
then enterprises, each by `Unit.sort_order`) and each row names its group:
- reporting: per unit with entered targets on a signed letter, for the quarter (for the year: each
  quarter whose deadline has passed), how many reports are due, on time (submitted or approved and
  not late), late (submitted or approved with the late flag) and missing (nothing submitted or
  approved: a draft or a returned report is still owed), with what is owed and what came late;
- accidents: per active unit, accidents and deaths this period against the same period last year
  and 双下降 (accidents.figures_for_periods: 属地 and 监管部门, exemptions applied), with the city's
  totals counted once per accident; a quarter runs from its first day to its last or to today;
- inspections: per active unit, the inspections of the period that visited it, the findings they
  recorded against it, and the rectification rate: verified or closed ÷ findings that are due (past
  their deadline) or already done; overdue = due and not done;
- ranking: per group, the provisional ranking (at the quarter's end for a quarter; the finalized
  snapshot for a finalized year), with vetoes and 黄牌; absent when no unit has a signed letter.

A fixed number of queries whatever the number of units (about 20 with the save).
"""

from datetime import date

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from assessment.accidents.figures import Period, comparison_periods, figures_for_periods, shift_years
from assessment.models import (
    DONE,
    QUARTERS,
    Accident,
    AssessmentTier,
    Circular,
    CircularKind,
    Finding,
    Inspection,
    Report,
    ReportStatus,
)
from assessment.results import assessing, finalizing
from assessment.rules import grading
from responsibility.documents import chinese_date
from responsibility.models import GROUP_OF_KIND, IndicatorSource, LetterStatus, Target, Unit, Year

QUARTER_NAMES = dict(QUARTERS)
FILED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
SALUTATION = "各板块、各有关部门、各市属企业："


def period_label(year: int, period: int) -> str:
    """2026年第三季度, or 2026年度 for the whole year (period 0)."""
    return f"{year}年{QUARTER_NAMES[period]}" if period else f"{year}年度"


def quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * quarter - 2, 1)


def accident_periods(year: Year, period: int, today: date) -> tuple[Period, Period]:
    """This period and the same one last year. A quarter: its days up to today; the year: the
    accident window up to today (accidents.comparison_periods)."""
    if not period:
        return comparison_periods(year, until=today)
    start, end = quarter_start(year.year, period), assessing.quarter_end(year.year, period)
    end = min(end, today)
    return Period(start, end), Period(shift_years(start, -1), shift_years(end, -1))


def reporting_quarters(year: Year, period: int, today: date) -> list[int]:
    """The quarters whose reports a circular counts: the quarter itself; for the year, each quarter
    whose deadline has passed (or, before the first deadline, those that have ended)."""
    if period:
        return [period]
    passed = [q for q, deadline in year.deadlines() if deadline < today]
    return passed or [q for q in range(1, 5) if assessing.quarter_end(year.year, q) < today]


def _pct(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def _iso(day: date) -> str:
    return day.isoformat()


def _unit_row(unit) -> dict:
    group = GROUP_OF_KIND[unit.kind]
    return {"unit_id": unit.pk, "unit": unit.name, "group": group.label}


def _reporting(year: Year, quarters: list[int], units: list, today: date) -> dict:
    deadlines = dict(year.deadlines())
    targets = list(
        Target.objects.filter(
            letter__year=year,
            letter__status=LetterStatus.SIGNED,
            letter__unit__in=[u.pk for u in units],
            indicator__source=IndicatorSource.ENTERED,
        )
        .order_by("indicator__sort_order", "indicator__code")
        .values_list("pk", "indicator__code", "indicator__name", "letter__unit_id")
    )
    reports = {
        (target_id, quarter): (status, late)
        for target_id, quarter, status, late in Report.objects.filter(
            year=year, quarter__in=quarters
        ).values_list("target_id", "quarter", "status", "late")
    }
    rows = {
        u.pk: _unit_row(u) | {"due": 0, "on_time": 0, "late": 0, "missing": 0, "owed": [], "came_late": []}
        for u in units
    }
    for quarter in quarters:
        for target_id, code, name, unit_id in targets:
            row = rows[unit_id]
            row["due"] += 1
            status, late = reports.get((target_id, quarter), ("", False))
            item = {"quarter": quarter, "code": code, "name": name}
            if status not in FILED:
                row["missing"] += 1
                row["owed"].append(item)
            elif late:
                row["late"] += 1
                row["came_late"].append(item)
            else:
                row["on_time"] += 1
    listed = [row for row in rows.values() if row["due"]]
    for row in listed:
        row["rate"] = _pct(row["on_time"], row["due"])
    totals = {key: sum(row[key] for row in listed) for key in ("due", "on_time", "late", "missing")}
    totals["rate"] = _pct(totals["on_time"], totals["due"])
    return {
        "quarters": quarters,
        "deadlines": {str(q): _iso(deadlines[q]) for q in quarters},
        "overdue": bool(quarters) and all(deadlines[q] < today for q in quarters),
        "rows": listed,
        "totals": totals,
    }


def _city_accidents(current: Period, previous: Period) -> dict:
    """The city's accidents and deaths, each accident counted once (one query)."""
    found = Accident.objects.filter(current.q() | previous.q()).aggregate(
        n=Count("pk", filter=current.q()),
        dead=Coalesce(Sum("deaths", filter=current.q()), 0),
        n_before=Count("pk", filter=previous.q()),
        dead_before=Coalesce(Sum("deaths", filter=previous.q()), 0),
    )
    row = {
        "count": found["n"],
        "deaths": found["dead"],
        "count_before": found["n_before"],
        "deaths_before": found["dead_before"],
    }
    row["double_decrease"] = row["count"] < row["count_before"] and row["deaths"] < row["deaths_before"]
    return row


def _accidents(year: Year, period: int, units: list, today: date) -> dict:
    current, previous = accident_periods(year, period, today)
    figures = figures_for_periods(current, previous)
    rows = []
    for unit in units:
        f = figures[unit.pk]
        rows.append(
            _unit_row(unit)
            | {
                "count": f.current.count,
                "count_before": f.previous.count,
                "deaths": f.current.deaths,
                "deaths_before": f.previous.deaths,
                "larger": f.current.count_at_least(grading.LARGER),
                "double_decrease": f.double_decrease,
            }
        )
    return {
        "current": {"start": _iso(current.start), "end": _iso(current.end)},
        "previous": {"start": _iso(previous.start), "end": _iso(previous.end)},
        "rows": rows,
        "totals": _city_accidents(current, previous),
    }


def _inspections(year: Year, period: int, units: list, today: date) -> dict:
    inspections = Inspection.objects.filter(year=year)
    if period:
        end = min(assessing.quarter_end(year.year, period), today)
        inspections = inspections.filter(date__gte=quarter_start(year.year, period), date__lte=end)
    visits = dict(
        Inspection.units.through.objects.filter(inspection__in=inspections.values("pk"))
        .values("unit_id")
        .annotate(n=Count("inspection_id", distinct=True))
        .values_list("unit_id", "n")
    )
    counts = {
        row["unit_id"]: row
        for row in Finding.objects.filter(inspection__in=inspections.values("pk"))
        .values("unit_id")
        .annotate(
            findings=Count("pk"),
            major=Count("pk", filter=Q(major_hazard=True)),
            done=Count("pk", filter=Q(status__in=DONE)),
            due=Count("pk", filter=Q(status__in=DONE) | Q(deadline__lt=today)),
        )
        .order_by()
    }
    rows = []
    for unit in units:
        found = counts.get(unit.pk, {})
        visited, findings = visits.get(unit.pk, 0), found.get("findings", 0)
        if not (visited or findings):
            continue
        done, due = found.get("done", 0), found.get("due", 0)
        rows.append(
            _unit_row(unit)
            | {
                "inspections": visited,
                "findings": findings,
                "major": found.get("major", 0),
                "due": due,
                "done": done,
                "overdue": due - done,
                "rate": _pct(done, due),
            }
        )
    totals = {key: sum(row[key] for row in rows) for key in ("findings", "major", "due", "done", "overdue")}
    totals["inspections"] = inspections.count()
    totals["rate"] = _pct(totals["done"], totals["due"])
    return {"rows": rows, "totals": totals}


def _veto_text(veto) -> str:
    """死亡人数超控制数：死亡7人，控制数4人… (the rule's name, then why; 黄牌 lists drop the word)."""
    name = veto.name.removesuffix("（黄牌）")
    if not veto.reason or veto.reason == name:
        return name
    return veto.reason if veto.reason.startswith(name) else f"{name}：{veto.reason}"


def _ranking(year: Year, period: int, today: date) -> dict | None:
    results, final = None, False
    if not period:
        results = finalizing.snapshot_results(year)
        final = results is not None
    if results is None:
        results = assessing.assess_year(year, today=today, through_quarter=period or None)
    if not results:
        return None
    groups: dict[str, dict] = {}
    vetoed, yellow = [], []
    for r in results:
        group = groups.setdefault(r.unit.group, {"label": r.unit.group_label, "rows": []})
        group["rows"].append(
            {
                "unit_id": r.unit.id,
                "unit": r.unit.name,
                "rank": r.rank,
                "score": f"{r.score:.2f}",
                "grade": r.grade_label,
                "tier": r.tier_label,
                "vetoed": r.vetoed,
            }
        )
        if r.vetoed:
            vetoed.append(
                {
                    "unit": r.unit.name,
                    "group": r.unit.group_label,
                    "reasons": [_veto_text(v) for v in r.vetoes],
                }
            )
        elif r.yellow_cards:
            yellow.append(
                {
                    "unit": r.unit.name,
                    "group": r.unit.group_label,
                    "reasons": [_veto_text(v) for v in r.yellow_cards],
                }
            )
    return {"final": final, "groups": list(groups.values()), "vetoed": vetoed, "yellow": yellow}


def circular_figures(year: Year, period: int, *, today: date) -> dict:
    """The tables a circular for `period` (0: the year, 1–4: a quarter) is written from."""
    units = list(Unit.objects.active().in_city_order().only("pk", "name", "kind", "sort_order"))
    return {
        "year": year.year,
        "period": period,
        "period_label": period_label(year.year, period),
        "as_of": _iso(today),
        "reporting": _reporting(year, reporting_quarters(year, period, today), units, today),
        "accidents": _accidents(year, period, units, today),
        "inspections": _inspections(year, period, units, today),
        "ranking": _ranking(year, period, today),
    }


# --- the words ---------------------------------------------------------------------------------

TITLES = {
    CircularKind.SITUATION: "关于{label}安全生产责任目标落实情况的通报",
    CircularKind.REMINDER: "关于催报{label}安全生产责任目标完成情况的通报",
    CircularKind.PRAISE: "关于对{label}安全生产责任目标落实较好单位予以表扬的通报",
    CircularKind.CRITICISM: "关于对{label}安全生产责任目标落实不力单位予以批评的通报",
}


def _names(rows, limit: int | None = None) -> str:
    names = [row["unit"] for row in rows]
    if limit and len(names) > limit:
        return "、".join(names[:limit]) + f"等{len(names)}个单位"
    return "、".join(names)


def _items(items: list[dict], *, with_quarter: bool) -> str:
    def one(item):
        prefix = QUARTER_NAMES[item["quarter"]] if with_quarter else ""
        return f"{prefix}{item['code']}“{item['name']}”"

    return "、".join(one(item) for item in items)


def _change(now: int, before: int, what: str) -> str:
    if now == before:
        return f"{what}与去年同期持平"
    word = "上升" if now > before else "下降"
    change = abs(now - before)
    share = f"，{word}{change * 100 / before:.1f}%" if before else ""
    return f"{what}同比{'增加' if now > before else '减少'}{change}{share}"


def _reporting_paragraph(f: dict) -> str:
    rep = f["reporting"]
    t = rep["totals"]
    if not t["due"]:
        return f"{f['period_label']}暂无应报的责任目标。"
    late = [row for row in rep["rows"] if row["late"]]
    missing = [row for row in rep["rows"] if row["missing"]]
    text = (
        f"{f['period_label']}，各责任单位应报责任目标{t['due']}项，按时报送{t['on_time']}项，"
        f"按时报送率{t['rate']}；迟报{t['late']}项，未报{t['missing']}项。"
    )
    if late:
        text += f"迟报的单位有：{_names(late)}。"
    if missing:
        text += f"{'逾期' if rep['overdue'] else '截至目前'}未报的单位有：{_names(missing)}。"
    if not (late or missing):
        text += "各单位均按时报送。"
    return text


def _accident_paragraph(f: dict) -> str:
    acc = f["accidents"]
    t = acc["totals"]
    text = (
        f"{f['period_label']}（{chinese_date(date.fromisoformat(acc['current']['start']))}至"
        f"{chinese_date(date.fromisoformat(acc['current']['end']))}），全市共发生生产安全事故{t['count']}起、"
        f"死亡{t['deaths']}人，{_change(t['count'], t['count_before'], '事故起数')}，"
        f"{_change(t['deaths'], t['deaths_before'], '死亡人数')}"
    )
    text += "，实现事故起数和死亡人数“双下降”。" if t["double_decrease"] else "，未实现“双下降”。"
    territory = [row for row in acc["rows"] if row["group"] == "板块"]
    both = [row for row in territory if row["double_decrease"]]
    rising = [row for row in acc["rows"] if row["deaths"] > row["deaths_before"]]
    larger = [row for row in acc["rows"] if row["larger"]]
    if both:
        text += f"{_names(both)}实现“双下降”。"
    if rising:
        text += f"{_names(rising)}死亡人数同比上升。"
    if larger:
        text += f"{_names(larger)}发生较大及以上生产安全事故。"
    return text


def _inspection_paragraph(f: dict) -> str:
    t = f["inspections"]["totals"]
    if not (t["inspections"] or t["findings"]):
        return f"{f['period_label']}暂无督查记录。"
    text = (
        f"{f['period_label']}，市安委会共开展督查{t['inspections']}次，发现问题隐患{t['findings']}项"
        f"（其中重大事故隐患{t['major']}项），应整改{t['due']}项，已整改销号{t['done']}项，整改率{t['rate']}。"
    )
    overdue = [row for row in f["inspections"]["rows"] if row["overdue"]]
    if overdue:
        text += (
            "逾期未完成整改的单位有："
            + "、".join(f"{row['unit']}（{row['overdue']}项）" for row in overdue)
            + "。"
        )
    return text


def _ranking_paragraph(f: dict) -> str:
    ranking = f["ranking"]
    if not ranking:
        return ""
    word = "年终考核" if ranking["final"] else "考核预排名"
    tops = []
    for group in ranking["groups"]:
        first = [row["unit"] for row in group["rows"] if row["rank"] == 1 and not row["vetoed"]]
        if first:
            tops.append(f"{group['label']}{'、'.join(first)}")
    text = f"根据{word}，各组第一名分别为：{'；'.join(tops)}。" if tops else ""
    return text


def _veto_paragraph(f: dict) -> str:
    ranking = f["ranking"]
    if not ranking or not (ranking["vetoed"] or ranking["yellow"]):
        return ""
    parts = []
    if ranking["vetoed"]:
        parts.append(
            "触发一票否决的单位有："
            + "；".join(f"{row['unit']}（{'；'.join(row['reasons'])}）" for row in ranking["vetoed"])
            + "。"
        )
    if ranking["yellow"]:
        parts.append(
            "距一票否决一步之遥、予以黄牌警告的单位有："
            + "；".join(f"{row['unit']}（{'；'.join(row['reasons'])}）" for row in ranking["yellow"])
            + "。"
        )
    return "".join(parts)


def _situation(f: dict) -> list[str]:
    label = f["period_label"]
    paragraphs = [
        SALUTATION,
        f"现将{label}全市安全生产责任目标落实情况通报如下：",
        "一、目标任务填报情况",
        _reporting_paragraph(f),
        "二、生产安全事故情况",
        _accident_paragraph(f),
        "三、督查检查和隐患整改情况",
        _inspection_paragraph(f),
    ]
    ranking, veto = _ranking_paragraph(f), _veto_paragraph(f)
    if ranking or veto:
        paragraphs += ["四、考核排名和预警情况", ranking + veto]
    paragraphs += [
        f"{'五' if ranking or veto else '四'}、下一步工作要求",
        "各地各部门要对照责任书目标任务，逐项查找差距，压紧压实安全生产责任，按时如实报送目标完成情况，"
        "对督查发现的问题隐患按期整改到位，坚决防范遏制各类生产安全事故。",
    ]
    return paragraphs


def _reminder(f: dict) -> list[str]:
    rep = f["reporting"]
    with_quarter = len(rep["quarters"]) > 1
    missing = [row for row in rep["rows"] if row["missing"]]
    late = [row for row in rep["rows"] if row["late"]]
    paragraphs = [SALUTATION]
    due = "、".join(
        f"{QUARTER_NAMES[int(q)]}{chinese_date(date.fromisoformat(d))}" for q, d in rep["deadlines"].items()
    )
    if missing:
        paragraphs.append(
            f"按照安全生产责任目标考核有关要求，各责任单位应于规定时限（{due}）前报送{f['period_label']}"
            f"目标完成情况。截至{chinese_date(date.fromisoformat(f['as_of']))}，以下{len(missing)}个单位仍有目标未报送：",
        )
        paragraphs += [
            f"{row['unit']}：{_items(row['owed'], with_quarter=with_quarter)}，共{row['missing']}项。"
            for row in missing
        ]
    else:
        paragraphs.append(
            f"截至{chinese_date(date.fromisoformat(f['as_of']))}，各责任单位{f['period_label']}目标均已报送。"
        )
    if late:
        paragraphs.append(
            "以下单位未在规定时限内报送，记为迟报："
            + "；".join(
                f"{row['unit']}（{_items(row['came_late'], with_quarter=with_quarter)}）" for row in late
            )
            + "。"
        )
    paragraphs.append(
        "请上述单位高度重视，立即组织补报，并对迟报、漏报原因作出说明。迟报、漏报情况将纳入年终考核扣分。"
    )
    return paragraphs


def _praise(f: dict) -> list[str]:
    label = f["period_label"]
    rep = f["reporting"]
    ranking = f["ranking"]
    paragraphs = [SALUTATION]
    best = []
    if ranking:
        for group in ranking["groups"]:
            # A circular's figures keep the labels its tables show (tier: 第一等次 …).
            first = [
                row["unit"]
                for row in group["rows"]
                if row["tier"] == AssessmentTier.FIRST.label and not row["vetoed"]
            ]
            if first:
                best.append(f"{group['label']}：{'、'.join(first)}")
    on_time = [row for row in rep["rows"] if row["due"] and row["on_time"] == row["due"]]
    paragraphs.append(
        f"{label}，各地各部门认真履行安全生产责任，全市安全生产形势总体稳定。为树立典型、激励先进，现对以下单位予以通报表扬。"
    )
    if best:
        word = "年终考核" if ranking["final"] else "考核预排名"
        paragraphs.append(f"一、{word}位列第一等次的单位（{'；'.join(best)}）。")
    if on_time:
        paragraphs.append(
            f"{'二' if best else '一'}、按时、全部报送目标完成情况的单位（{_names(on_time)}）。"
        )
    if f["accidents"]["totals"]["double_decrease"]:
        paragraphs.append(_accident_paragraph(f))
    if not (best or on_time):
        paragraphs.append("（本期暂无符合表扬条件的单位，请根据实际情况修改。）")
    paragraphs.append(
        "希望受到表扬的单位珍惜荣誉、再接再厉，其他单位要学习先进、对标找差，共同推动全市安全生产形势持续稳定向好。"
    )
    return paragraphs


def _criticism(f: dict) -> list[str]:
    label = f["period_label"]
    rep = f["reporting"]
    late = [row for row in rep["rows"] if row["late"]]
    missing = [row for row in rep["rows"] if row["missing"]]
    vetoed = (f["ranking"] or {}).get("vetoed", [])
    overdue = [row for row in f["inspections"]["rows"] if row["overdue"]]
    paragraphs = [SALUTATION, f"{label}，部分单位落实安全生产责任不到位，现予以通报批评。"]
    n = 0
    numbers = "一二三四五"
    if late or missing:
        parts = []
        if late:
            parts.append(f"迟报目标完成情况的单位：{_names(late)}")
        if missing:
            parts.append(f"{'逾期' if rep['overdue'] else '截至目前'}未报的单位：{_names(missing)}")
        paragraphs.append(f"{numbers[n]}、{'；'.join(parts)}。")
        n += 1
    if vetoed:
        paragraphs.append(
            f"{numbers[n]}、触发一票否决的单位："
            + "；".join(f"{row['unit']}（{'；'.join(row['reasons'])}）" for row in vetoed)
            + "。"
        )
        n += 1
    if overdue:
        paragraphs.append(
            f"{numbers[n]}、问题隐患逾期未整改的单位："
            + "、".join(f"{row['unit']}（{row['overdue']}项）" for row in overdue)
            + "。"
        )
        n += 1
    if not n:
        paragraphs.append("（本期暂无符合批评条件的单位，请根据实际情况修改。）")
    paragraphs.append(
        "被批评单位要深刻反思，认真查找原因，于10个工作日内将整改情况书面报送市安委办。"
        "市安委办将持续跟踪督办，并将有关情况纳入年终考核。"
    )
    return paragraphs


WRITERS = {
    CircularKind.SITUATION: _situation,
    CircularKind.REMINDER: _reminder,
    CircularKind.PRAISE: _praise,
    CircularKind.CRITICISM: _criticism,
}


def write_text(figures: dict, kind: str) -> tuple[str, str]:
    """The title and the body (paragraphs separated by a blank line) for `figures` and `kind`."""
    title = TITLES[kind].format(label=figures["period_label"])
    paragraphs = [p for p in WRITERS[kind](figures) if p]
    return title, "\n\n".join(paragraphs)


def _as_year(year: Year | int) -> Year:
    return year if isinstance(year, Year) else Year.objects.get(year=year)


def draft_circular(
    year: Year | int, period: int, kind: str, *, user=None, today: date | None = None
) -> Circular:
    """Save and return a draft circular for `year` (a Year or its number) and `period` (0: the year,
    1–4: a quarter) of `kind`, its figures taken from the data as of `today` (default: the local date)."""
    year = _as_year(year)
    today = today or timezone.localdate()
    figures = circular_figures(year, period, today=today)
    title, body = write_text(figures, kind)
    return Circular.objects.create(
        year=year, period=period, kind=kind, title=title, body=body, figures=figures, created_by=user
    )


def redraft(circular: Circular, *, today: date | None = None) -> Circular:
    """The circular's figures, title and body written again from today's data (not saved)."""
    today = today or timezone.localdate()
    circular.figures = circular_figures(circular.year, circular.period, today=today)
    circular.title, circular.body = write_text(circular.figures, circular.kind)
    return circular
