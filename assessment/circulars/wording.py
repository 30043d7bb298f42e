"""The words of a 通报: its title and paragraphs written from the period's figures (plain values in, text out)."""

from datetime import date

from assessment.models import QUARTERS, AssessmentTier, CircularKind
from responsibility.documents import chinese_date

QUARTER_NAMES = dict(QUARTERS)
SALUTATION = "各板块、各有关部门、各市属企业："

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
