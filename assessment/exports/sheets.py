"""What each sheet of the year's workbook holds: its columns, and its rows read from the database in chunks, in the city's order of units."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from assessment.models import (
    DONE,
    MAJOR_HAZARD_LABELS,
    Accident,
    AccidentExemption,
    AccidentGrade,
    Finding,
    FindingStatus,
    Industry,
    InspectionKind,
    ListingLevel,
    Report,
    ReportStatus,
)
from assessment.results import assessing
from responsibility.models import (
    GROUP_OF_KIND,
    IndicatorRule,
    IndicatorSource,
    LetterStatus,
    ResponsibilityLetter,
    Target,
    Unit,
    UnitKind,
    Year,
    city_order,
)

CHUNK = 2000
YES = "是"
TEXT, NUMBER, DATE, DATETIME, SCORE = "text", "number", "date", "datetime", "score"


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 12
    kind: str = TEXT  # what the cells hold: how they are cleaned and shown


def _yes(flag: bool) -> str:
    return YES if flag else ""


def _labels(choices) -> dict[str, str]:
    return {value: label for value, label in choices.choices}


UNIT_COLUMNS = [
    Column("单位代码", 14),
    Column("单位名称", 24),
    Column("类别", 12),
    Column("考核组别", 12),
    Column("主要负责人", 12),
    Column("分管负责人", 12),
    Column("责任书状态", 12),
    Column("文号", 20),
    Column("下发日期", 12, DATE),
    Column("签订日期", 12, DATE),
    Column("签订人", 12),
]


def unit_rows(year: Year) -> Iterator[tuple]:
    """Every unit with a letter for the year, and every active unit still without one."""
    letters = {
        row[0]: row[1:]
        for row in ResponsibilityLetter.objects.filter(year=year).values_list(
            "unit_id", "status", "doc_number", "issued_on", "signed_on", "signer_name"
        )
    }
    kinds, statuses = _labels(UnitKind), _labels(LetterStatus)
    units = Unit.objects.order_by(*city_order()).values_list(
        "pk", "code", "name", "kind", "leader_name", "deputy_name", "active"
    )
    for pk, code, name, kind, leader, deputy, active in units:
        letter = letters.get(pk)
        if letter is None and not active:
            continue
        status, doc_number, issued_on, signed_on, signer = letter or ("", "", None, None, "")
        yield (
            code,
            name,
            kinds.get(kind, kind),
            GROUP_OF_KIND[kind].label if kind in GROUP_OF_KIND else "",
            leader,
            deputy,
            statuses.get(status, "未制发"),
            doc_number,
            issued_on,
            signed_on,
            signer,
        )


# 目标指标 ----------------------------------------------------------------------------------

TARGET_COLUMNS = [
    Column("责任单位", 24),
    Column("单位代码", 14),
    Column("指标代码", 10),
    Column("指标名称", 30),
    Column("指标类别", 12),
    Column("评分规则", 22),
    Column("数据来源", 14),
    Column("分值", 8, NUMBER),
    Column("目标值", 10, NUMBER),
    Column("目标表述", 30),
]


COMMITMENT = Target.commitment.fget


def target_rows(year: Year) -> Iterator[tuple]:
    rules, sources = _labels(IndicatorRule), _labels(IndicatorSource)
    targets = (
        Target.objects.filter(letter__year=year)
        .order_by(*city_order("letter__unit__"), "indicator__sort_order", "indicator__code")
        .values_list(
            "letter__unit__name",
            "letter__unit__code",
            "indicator__code",
            "indicator__name",
            "indicator__category",
            "indicator__rule",
            "indicator__source",
            "weight",
            "target_value",
            "wording",
        )
        .iterator(chunk_size=CHUNK)
    )
    for unit, code, indicator_code, name, category, rule, source, weight, value, wording in targets:
        # What the letter prints: its own wording, or the one made from the rule and the value (the
        # model's property, on the fetched values rather than 18,000 model instances).
        commitment = COMMITMENT(
            SimpleNamespace(wording=wording, target_value=value, indicator=SimpleNamespace(rule=rule))
        )
        yield (
            unit,
            code,
            indicator_code,
            name,
            category,
            rules.get(rule, rule),
            sources.get(source, source),
            weight,
            value,
            commitment,
        )


# 季度填报 ----------------------------------------------------------------------------------

REPORT_COLUMNS = [
    Column("责任单位", 24),
    Column("指标代码", 10),
    Column("指标名称", 30),
    Column("季度", 6, NUMBER),
    Column("累计值", 10, NUMBER),
    Column("目标值", 10, NUMBER),
    Column("状态", 8),
    Column("迟报", 6),
    Column("提交时间", 17, DATETIME),
    Column("审核时间", 17, DATETIME),
    Column("工作进展", 40),
    Column("审核意见", 30),
]


def report_rows(year: Year) -> Iterator[list]:
    statuses = _labels(ReportStatus)
    reports = (
        Report.objects.filter(year=year)
        .order_by(
            *city_order("unit__"), "target__indicator__sort_order", "target__indicator__code", "quarter"
        )
        .values_list(
            "unit__name",
            "target__indicator__code",
            "target__indicator__name",
            "quarter",
            "value",
            "target__target_value",
            "status",
            "late",
            "submitted_at",
            "reviewed_at",
            "progress",
            "review_comment",
        )
        .iterator(chunk_size=CHUNK)
    )
    for row in reports:  # as fetched, but 状态 in Chinese and 迟报 as 是/blank
        row = list(row)
        row[6], row[7] = statuses.get(row[6], row[6]), _yes(row[7])
        yield row


# 事故 --------------------------------------------------------------------------------------

ACCIDENT_COLUMNS = [
    Column("发生时间", 17, DATETIME),
    Column("事故名称", 30),
    Column("地点", 24),
    Column("行业领域", 10),
    Column("属地", 16),
    Column("监管部门", 24),
    Column("死亡人数", 9, NUMBER),
    Column("重伤人数", 9, NUMBER),
    Column("直接经济损失（万元）", 12, SCORE),
    Column("等级", 9),
    Column("迟报", 6),
    Column("瞒报", 6),
    Column("谎报", 6),
    Column("免责单位", 24),
]


def accident_rows(year: Year) -> Iterator[tuple]:
    """The accidents of the year's window (accident_window_start … _end), oldest first."""
    window = Accident.objects.in_window(year)
    departments: dict[int, list[str]] = defaultdict(list)
    for accident_id, name in (
        Accident.departments.through.objects.filter(accident__in=window)
        .order_by(*city_order("unit__"))
        .values_list("accident_id", "unit__name")
    ):
        departments[accident_id].append(name)
    exempted: dict[int, list[str]] = defaultdict(list)
    for accident_id, name in (
        AccidentExemption.objects.filter(accident__in=window)
        .order_by(*city_order("unit__"))
        .values_list("accident_id", "unit__name")
    ):
        exempted[accident_id].append(name)
    industries, grades = _labels(Industry), _labels(AccidentGrade)
    accidents = (
        window.order_by("occurred_at", "pk")
        .values_list(
            "pk",
            "occurred_at",
            "title",
            "place",
            "industry",
            "unit__name",
            "deaths",
            "serious_injuries",
            "direct_loss",
            "grade",
            "reported_late",
            "concealed",
            "falsely_reported",
        )
        .iterator(chunk_size=CHUNK)
    )
    for (
        pk,
        occurred,
        title,
        place,
        industry,
        unit,
        deaths,
        injuries,
        loss,
        grade,
        late,
        hid,
        lied,
    ) in accidents:
        yield (
            occurred,
            title,
            place,
            industries.get(industry, industry),
            unit,
            "、".join(departments.get(pk, ())),
            deaths,
            injuries,
            loss,
            grades.get(grade, grade),
            _yes(late),
            _yes(hid),
            _yes(lied),
            "、".join(exempted.get(pk, ())),
        )


# 问题隐患 ----------------------------------------------------------------------------------

FINDING_COLUMNS = [
    Column("督查日期", 12, DATE),
    Column("督查方式", 10),
    Column("督查组", 20),
    Column("责任单位", 24),
    Column("发现的问题", 40),
    Column("重大事故隐患", 8),
    Column("挂牌督办", 14),
    Column("整改期限", 12, DATE),
    Column("整改状态", 16),
    Column("逾期", 6),
    Column("整改情况", 40),
    Column("整改报告时间", 17, DATETIME),
    Column("核查时间", 17, DATETIME),
    Column("销号时间", 17, DATETIME),
]


def finding_rows(year: Year, today: date) -> Iterator[tuple]:
    """The findings of the year's inspections; 逾期 as of `today` (past the deadline, not verified)."""
    kinds, levels, statuses = _labels(InspectionKind), _labels(ListingLevel), _labels(FindingStatus)
    findings = (
        Finding.objects.filter(inspection__year=year)
        .order_by("inspection__date", "inspection_id", *city_order("unit__"), "pk")
        .values_list(
            "inspection__date",
            "inspection__kind",
            "inspection__team",
            "unit__name",
            "problem",
            "major_hazard",
            "listing_level",
            "deadline",
            "status",
            "rectification",
            "rectified_at",
            "verified_at",
            "closed_at",
        )
        .iterator(chunk_size=CHUNK)
    )
    for (
        day,
        kind,
        team,
        unit,
        problem,
        major,
        level,
        deadline,
        status,
        fixed,
        rectified,
        verified,
        closed,
    ) in findings:
        label = MAJOR_HAZARD_LABELS[status] if major else statuses.get(status, status)
        yield (
            day,
            kinds.get(kind, kind),
            team,
            unit,
            problem,
            _yes(major),
            levels.get(level, level),
            deadline,
            label,
            _yes(status not in DONE and deadline < today),
            fixed,
            rectified,
            verified,
            closed,
        )


# 考核结果 ----------------------------------------------------------------------------------

RESULT_COLUMNS = [
    Column("考核组别", 12),
    Column("名次", 6, NUMBER),
    Column("责任单位", 24),
    Column("单位代码", 14),
    Column("基础分", 9, SCORE),
    Column("加分", 8, SCORE),
    Column("减分", 8, SCORE),
    Column("总分", 9, SCORE),
    Column("等级", 8),
    Column("等次", 10),
    Column("考核状态", 10),  # 已签订, or 未签订 / 无考核目标: not ranked, and why
    Column("未排名原因", 28),
    Column("缺报项数", 8, NUMBER),
    Column("缺报指标", 30),
    Column("一票否决", 8),
    Column("否决事由", 40),
    Column("黄牌警告", 40),
]


def result_rows(results: Iterable[assessing.UnitResult]) -> Iterator[tuple]:
    """Every unit of the year; an unranked one (未签订) has its status and why, and no points."""
    for r in results:
        yield (
            r.unit.group_label,
            r.rank,
            r.unit.name,
            r.unit.code,
            r.base,
            r.bonus,
            r.penalty,
            r.score,
            r.grade_label,
            r.tier_label,
            r.status_label,
            r.why,
            len(r.missing) if r.ranked else None,
            "、".join(f"{item.code} {item.name}" for item in r.missing),
            _yes(r.vetoed),
            "；".join(v.text for v in r.vetoes),  # as the ranking shows them: the rule's name, not its code
            "；".join(v.text for v in r.yellow_cards),
        )
