"""Every scoring and veto rule at its bound, one below and one above: plain values, no database.

Each table reads as the rule's decisions: a row names the rule, its parameters and the input, and
says what the unit gets. Whole numbers step by one (deaths, accidents); decimals (完成率, score lines,
grade bands, bonus cap, item deductions) by 0.01. The year-configured variants are here too
(larger_count 3, death_cap_percent 120, pass_line 65, bands 85/75/55, bonus cap 3, disabled rules,
applies_to per unit kind); tests/assessment/results/test_boundaries_engine.py runs the same bounds
through `assess_year` on a catalog of invented codes.
"""

from collections import Counter
from decimal import Decimal
from itertools import count

import pytest

from assessment.rules import ranking, scoring, vetoes
from assessment.rules.grading import ESPECIALLY_MAJOR, LARGER, MAJOR, ORDINARY
from assessment.rules.guardrails import report_warnings

D = Decimal
EXCELLENT, GOOD, PASS, FAIL = scoring.EXCELLENT, scoring.GOOD, scoring.PASS, scoring.FAIL


def row(*values, id):
    return pytest.param(*values, id=id)


# ---------------------------------------------------------------- scoring rules

# cap_deduction: full weight while deaths ≤ cap; −per_unit for each one over; floor 0.
CAP_DEDUCTION = [
    # weight, cap, per_unit, deaths → points, reason fragment
    row(12, 3, 1, 2, "12.00", "未超控制数3人，得满分", id="cap 3: 2 deaths → full 12"),
    row(12, 3, 1, 3, "12.00", "未超控制数3人，得满分", id="cap 3: 3 deaths (at the cap) → full 12"),
    row(12, 3, 1, 4, "11.00", "超1人，扣1分", id="cap 3: 4 deaths → 11"),
    row(30, 4, 2, 4, "30.00", "得满分", id="cap 4, −2 each: 4 deaths → full 30"),
    row(30, 4, 2, 5, "28.00", "超1人，扣2分", id="cap 4, −2 each: 5 deaths → 28"),
    row(12, 3, "0.5", 4, "11.50", "扣0.5分", id="cap 3, −0.5 each: 4 deaths → 11.5"),
    row(12, 0, 1, 0, "12.00", "得满分", id="cap 0: no death → full 12"),
    row(12, 0, 1, 1, "11.00", "超1人，扣1分", id="cap 0: 1 death → 11"),
    # the floor: the deduction reaches the weight at cap + 12
    row(12, 3, 1, 14, "1.00", "扣11分", id="floor: 11 over → 1"),
    row(12, 3, 1, 15, "0.00", "扣12分", id="floor: 12 over (= weight) → 0"),
    row(12, 3, 1, 16, "0.00", "扣13分，扣完为止", id="floor: 13 over → 0, 扣完为止"),
]


@pytest.mark.parametrize("weight, cap, per_unit, deaths, points, fragment", CAP_DEDUCTION)
def test_cap_deduction(weight, cap, per_unit, deaths, points, fragment):
    result = scoring.score_cap_deduction(weight, D(cap), deaths, params={"per_unit": per_unit})
    assert result.points == D(points)
    assert fragment in result.reason


# Sector caps: each sector's excess is deducted, at its own cap.
# fmt: off
SECTOR_CAPS = [
    # road deaths, fire deaths (caps road 2, fire 1; −0.5 each) → points, reason fragment
    row(2, 1, "4.00", "甲类死亡2人（控制数2人）；乙类死亡1人（控制数1人），得满分", id="both sectors at their caps → full 4"),
    row(3, 1, "3.50", "甲类死亡3人（控制数2人，超1人）", id="road one over → 3.5"),
    row(3, 2, "3.00", "乙类死亡2人（控制数1人，超1人），扣1分", id="both one over → 3"),
]
# fmt: on


@pytest.mark.parametrize("road, fire, points, fragment", SECTOR_CAPS)
def test_sector_caps(road, fire, points, fragment):
    params = {"per_unit": "0.5", "caps": {"road": 2, "fire": 1}, "labels": {"road": "甲类", "fire": "乙类"}}
    result = scoring.score_cap_deduction(4, None, {"road": road, "fire": fire}, params=params)
    assert result.points == D(points)
    assert fragment in result.reason


# count_deduction: −per_unit for each occurrence; floor 0.
COUNT_DEDUCTION = [
    # weight, per_unit, count → points, reason fragment
    row(10, 5, 0, "10.00", "事故0起，得满分", id="−5 each: 0 → full 10"),
    row(10, 5, 1, "5.00", "事故1起，扣5分", id="−5 each: 1 → 5"),
    row(10, 5, 2, "0.00", "事故2起，扣10分", id="−5 each: 2 (= weight) → 0"),
    row(10, 5, 3, "0.00", "事故3起，扣15分，扣完为止", id="−5 each: 3 → 0, 扣完为止"),
    row(12, 1, 11, "1.00", "扣11分", id="−1 each: 11 → 1"),
    row(12, 1, 12, "0.00", "扣12分", id="−1 each: 12 (= weight) → 0"),
    row(12, 1, 13, "0.00", "扣13分，扣完为止", id="−1 each: 13 → 0, 扣完为止"),
]


@pytest.mark.parametrize("weight, per_unit, occurrences, points, fragment", COUNT_DEDUCTION)
def test_count_deduction(weight, per_unit, occurrences, points, fragment):
    params = {"per_unit": per_unit, "label": "事故", "unit": "起"}
    result = scoring.score_count_deduction(weight, occurrences, params=params)
    assert result.points == D(points)
    assert fragment in result.reason


# yoy_decrease: half the weight for fewer accidents, half for fewer deaths than last year.
YOY = [
    # (count now, before, deaths now, before) → points, reason fragment
    row((2, 3, 4, 5), "10.00", "起数同比下降（3→2）", id="both one fewer → full 10"),
    row((3, 3, 4, 5), "5.00", "起数未下降（3→3）", id="count level, deaths one fewer → 5"),
    row((4, 3, 4, 5), "5.00", "起数未下降（3→4）", id="count one more, deaths one fewer → 5"),
    row((2, 3, 5, 5), "5.00", "死亡人数未下降（5→5）", id="count one fewer, deaths level → 5"),
    row((2, 3, 6, 5), "5.00", "死亡人数未下降（5→6）", id="count one fewer, deaths one more → 5"),
    row((3, 3, 5, 5), "0.00", "得0分", id="both level → 0"),
    row((0, 0, 0, 0), "10.00", "连续两年为零", id="0 → 0 both → full 10"),
    row((1, 0, 0, 0), "5.00", "起数未下降（0→1）", id="0 → 1 accident, no deaths → 5"),
]


@pytest.mark.parametrize("figures, points, fragment", YOY)
def test_yoy_decrease(figures, points, fragment):
    result = scoring.score_yoy_decrease(10, figures)
    assert result.points == D(points)
    assert fragment in result.reason


# completion: weight × min(actual ÷ target, 1).
COMPLETION = [
    # weight, target, actual → points, reason fragment
    row(12, "10", "9.99", "11.99", "完成率99.9%", id="target 10: 9.99 → 11.99"),
    row(12, "10", "10", "12.00", "完成率100.0%，得12.00分", id="target 10: 10 → full 12"),
    row(12, "10", "10.01", "12.00", "完成率100.1%，得12.00分", id="target 10: 10.01 → full 12 (capped)"),
    row(12, "10", "0", "0.00", "完成率0.0%", id="target 10: 0 → 0"),
    row(12, "0", "0", "12.00", "未设目标值，得满分", id="target 0: nothing required → full 12"),
    row(12, None, "3", "12.00", "未设目标值，得满分", id="no target → full 12"),
    row(12, "10", None, "0.00", "无数据，不得分", id="no value → 0"),
]


@pytest.mark.parametrize("weight, target, actual, points, fragment", COMPLETION)
def test_completion(weight, target, actual, points, fragment):
    target = None if target is None else D(target)
    actual = None if actual is None else D(actual)
    result = scoring.score_completion(weight, target, actual)
    assert result.points == D(points)
    assert fragment in result.reason


BOOLEAN = [
    # done → points, reason (the engine passes "the measure is 0")
    row(True, "8.00", "已完成", id="done → full 8"),
    row(False, "0.00", "未完成", id="not done → 0"),
    row(None, "0.00", "无数据，不得分", id="no value → 0"),
]


@pytest.mark.parametrize("done, points, reason", BOOLEAN)
def test_boolean(done, points, reason):
    assert scoring.score_boolean(8, done) == scoring.TargetScore(D(points), reason)


# item_deduction: the weight minus the assessors' deductions; floor 0.
ITEM_DEDUCTION = [
    # deductions on a weight of 20 → points, reason fragment
    row([], "20.00", "无扣分项，得满分", id="no items → full 20"),
    row(["19.99"], "0.01", "共扣19.99分", id="19.99 deducted → 0.01"),
    row(["12", "8"], "0.00", "共扣20分", id="20 deducted (= weight) → 0"),
    row(["12", "8.01"], "0.00", "共扣20.01分，扣完为止", id="20.01 deducted → 0, 扣完为止"),
]


@pytest.mark.parametrize("items, points, fragment", ITEM_DEDUCTION)
def test_item_deduction(items, points, fragment):
    deductions = [scoring.Deduction(D(p), f"问题{i}") for i, p in enumerate(items, start=1)]
    result = scoring.score_item_deduction(20, deductions)
    assert result.points == D(points)
    assert fragment in result.reason


# The total: base + bonus (capped) − penalty, floored at 0.
TOTALS = [
    # base, bonus, penalty, bonus cap → bonus kept, total
    row("90", "4.99", "0", "5", "4.99", "94.99", id="cap 5: bonus 4.99 → 4.99"),
    row("90", "5", "0", "5", "5.00", "95.00", id="cap 5: bonus 5 → 5"),
    row("90", "5.01", "0", "5", "5.00", "95.00", id="cap 5: bonus 5.01 → 5"),
    row("90", "2.99", "0", "3", "2.99", "92.99", id="cap 3: bonus 2.99 → 2.99"),
    row("90", "3", "0", "3", "3.00", "93.00", id="cap 3: bonus 3 → 3"),
    row("90", "3.01", "0", "3", "3.00", "93.00", id="cap 3: bonus 3.01 → 3"),
    row("90", "4", "0", "0", "0.00", "90.00", id="cap 0: no bonus counts"),
    row("10", "0", "9.99", "5", "0.00", "0.01", id="penalty 9.99 on 10 → 0.01"),
    row("10", "0", "10", "5", "0.00", "0.00", id="penalty 10 on 10 → 0"),
    row("10", "0", "10.01", "5", "0.00", "0.00", id="penalty 10.01 on 10 → 0 (floor)"),
]


@pytest.mark.parametrize("base, bonus, penalty, cap, kept, total", TOTALS)
def test_totals(base, bonus, penalty, cap, kept, total):
    result = scoring.total(D(base), D(bonus), D(penalty), bonus_cap=D(cap))
    assert (result.bonus, result.total) == (D(kept), D(total))


# Grade bands: lower bound included, compared at two decimals as shown.
GRADES = [
    # bands, total → grade
    *(
        row(bands, total, grade, id=f"bands {'/'.join(map(str, bands))}: {total} → {label}")
        for bands, rows in (
            (
                (90, 80, 60),
                [
                    ("90.01", EXCELLENT, "优秀"),
                    ("90", EXCELLENT, "优秀"),
                    ("89.99", GOOD, "良好"),
                    ("80.01", GOOD, "良好"),
                    ("80", GOOD, "良好"),
                    ("79.99", PASS, "合格"),
                    ("60.01", PASS, "合格"),
                    ("60", PASS, "合格"),
                    ("59.99", FAIL, "不合格"),
                    ("89.995", EXCELLENT, "优秀 (shown 90.00)"),
                    ("89.994", GOOD, "良好 (shown 89.99)"),
                ],
            ),
            (
                (85, 75, 55),
                [
                    ("85.01", EXCELLENT, "优秀"),
                    ("85", EXCELLENT, "优秀"),
                    ("84.99", GOOD, "良好"),
                    ("75.01", GOOD, "良好"),
                    ("75", GOOD, "良好"),
                    ("74.99", PASS, "合格"),
                    ("55.01", PASS, "合格"),
                    ("55", PASS, "合格"),
                    ("54.99", FAIL, "不合格"),
                ],
            ),
        )
        for total, grade, label in rows
    ),
]


@pytest.mark.parametrize("bands, total, grade", GRADES)
def test_grade_bands(bands, total, grade):
    assert scoring.grade(D(total), bands=tuple(D(b) for b in bands), vetoed=False) == grade


def test_a_vetoed_unit_is_unqualified_above_every_band():
    assert scoring.grade(D(100), vetoed=True) == FAIL


# ---------------------------------------------------------------- veto rules and 黄牌


def given(
    kind="district",
    *,
    ordinary=0,
    larger=0,
    major=0,
    especially=0,
    concealed=(),
    deaths=0,
    cap=None,
    total=None,
    pass_line=60,
    manual=(),
    hazards=0,
):
    """One unit's year: so many accidents of each grade (ids numbered from 1, worst first), the
    grades of its 瞒报/谎报 accidents, deaths against a cap, a total, manual vetoes and hazards."""
    ids = count(1)
    grades = ((ESPECIALLY_MAJOR, especially), (MAJOR, major), (LARGER, larger), (ORDINARY, ordinary))
    ids_by_grade = {grade: tuple(next(ids) for _ in range(n)) for grade, n in grades}
    return vetoes.VetoInput(
        kind=kind,
        ids_by_grade=ids_by_grade,
        concealed_or_false=tuple((next(ids), grade) for grade in concealed),
        deaths=deaths,
        death_cap=None if cap is None else D(cap),
        total=None if total is None else D(total),
        manual_vetoes=tuple(manual),
        hazard_ids=tuple(range(900, 900 + hazards)),
        pass_line=D(pass_line),
    )


V3_AT_3 = {"V3": {"larger_count": 3}}
V7_AT_120 = {"V7": {"death_cap_percent": 120}}
V8_AT_65 = {"V8": {"pass_line": 65}}

# fmt: off
VETOES = [
    # year's config, the unit's year → vetoes, 黄牌, a fragment of the first one's reason
    # V1 any 特别重大, every kind (threshold 1: no 黄牌)
    row({}, given(), [], [], None, id="V1: no accident → nothing"),
    row({}, given("dept_general", especially=1), ["V1"], [], "特别重大事故1起（否决线1起）", id="V1: 1 特别重大 (department) → veto"),
    row({}, given("enterprise", especially=2), ["V1", "V5"], [], "特别重大事故2起", id="V1: 2 特别重大 (enterprise) → veto"),
    row({"V1": {"enabled": False}}, given(especially=1), ["V2"], [], "重大及以上事故1起", id="V1 off: 1 特别重大 (district) → V2 still, worse counts as 重大"),
    row({"V1": {"enabled": False}}, given("dept_professional", especially=1), [], ["V4"], "重大及以上事故1起（否决线2起），再发生1起即否决", id="V1 off: 1 特别重大 (department) → V4 黄牌"),
    # V2 板块 with ≥ 1 重大
    row({}, given(larger=1), [], ["V3"], None, id="V2: 0 重大 (1 较大) → V3 黄牌 only"),
    row({}, given(major=1), ["V2"], [], "重大及以上事故1起（否决线1起）", id="V2: 1 重大 (district) → veto"),
    row({}, given("county_city", major=1), ["V2"], [], None, id="V2: 1 重大 (county_city) → veto"),
    row({}, given("dev_zone", major=2), ["V2", "V3"], [], None, id="V2: 2 重大 (dev_zone) → V2 and V3"),
    row({}, given("dept_professional", major=1), [], ["V4"], None, id="V2 applies_to: 1 重大 (department) → no V2, V4 黄牌"),
    # V3 板块 with ≥ 2 较大 (or worse)
    row({}, given(larger=1), [], ["V3"], "较大及以上事故1起（否决线2起），再发生1起即否决", id="V3 larger_count=2: 1 较大 → 黄牌"),
    row({}, given(larger=2), ["V3"], [], "较大及以上事故2起（否决线2起）", id="V3 larger_count=2: 2 较大 → veto"),
    row({}, given(larger=3), ["V3"], [], "较大及以上事故3起", id="V3 larger_count=2: 3 较大 → veto"),
    row({}, given(ordinary=5), [], [], None, id="V3: 5 一般 → nothing"),
    row(V3_AT_3, given(larger=1), [], [], None, id="V3 larger_count=3: 1 较大 → nothing"),
    row(V3_AT_3, given(larger=2), [], ["V3"], "较大及以上事故2起（否决线3起）", id="V3 larger_count=3: 2 较大 → 黄牌"),
    row(V3_AT_3, given(larger=3), ["V3"], [], "较大及以上事故3起（否决线3起）", id="V3 larger_count=3: 3 较大 → veto"),
    row(V3_AT_3, given(larger=4), ["V3"], [], None, id="V3 larger_count=3: 4 较大 → veto"),
    row({"V2": {"enabled": False}}, given(major=1), [], ["V3"], None, id="V2 off: 1 重大 → V3 黄牌 (counts as 较大)"),
    row({"V2": {"enabled": False}}, given(major=1, larger=1), ["V3"], [], "较大及以上事故2起", id="V2 off: 1 重大 + 1 较大 → V3"),
    row({"V3": {"enabled": False}}, given(larger=2), [], [], None, id="V3 off: 2 较大 → nothing, no 黄牌"),
    row({"V3": {"yellow": False}}, given(larger=1), [], [], None, id="V3 without 黄牌: 1 较大 → nothing"),
    row({}, given("dept_general", larger=2), [], [], None, id="V3 applies_to: 2 较大 (department) → nothing"),
    # V4 部门 with ≥ 2 重大 (or worse) in its sector
    row({}, given("dept_general", major=1), [], ["V4"], "重大及以上事故1起（否决线2起）", id="V4 major_count=2: 1 重大 → 黄牌"),
    row({}, given("dept_professional", major=2), ["V4"], [], "重大及以上事故2起（否决线2起）", id="V4 major_count=2: 2 重大 → veto"),
    row({}, given("dept_professional", major=3), ["V4"], [], None, id="V4 major_count=2: 3 重大 → veto"),
    row({}, given("dept_professional", major=1, especially=1), ["V1", "V4"], [], None, id="V4: 1 重大 + 1 特别重大 → V1 and V4"),
    row({"V4": {"major_count": 3}}, given("dept_professional", major=2), [], ["V4"], None, id="V4 major_count=3: 2 重大 → 黄牌"),
    # V5 市属企业 with 1 重大 or ≥ 2 较大
    row({}, given("enterprise", larger=1), [], ["V5"], "较大及以上事故1起（否决线2起）", id="V5 larger_count=2: 1 较大 → 黄牌"),
    row({}, given("enterprise", larger=2), ["V5"], [], "较大及以上事故2起（否决线2起）", id="V5 larger_count=2: 2 较大 → veto"),
    row({}, given("enterprise", larger=3), ["V5"], [], None, id="V5 larger_count=2: 3 较大 → veto"),
    row({}, given("enterprise", major=1), ["V5"], [], "重大及以上事故1起（否决线1起）", id="V5 major_count=1: 1 重大 → veto"),
    row({"V5": {"major_count": None}}, given("enterprise", major=1), [], ["V5"], None, id="V5 major_count off: 1 重大 → 黄牌 (counts as 较大)"),
    row({}, given("district", larger=1, major=0), [], ["V3"], None, id="V5 applies_to: 1 较大 (district) → V3 黄牌, not V5"),
    # V6 瞒报/谎报 of a 较大-or-worse accident
    row({}, given(concealed=[ORDINARY]), [], [], None, id="V6: 瞒报 一般 → nothing"),
    row({}, given("dept_general", concealed=[LARGER]), ["V6"], [], "瞒报或谎报较大及以上事故1起", id="V6: 瞒报 较大 → veto"),
    row({}, given("dept_general", concealed=[MAJOR]), ["V6"], [], None, id="V6: 瞒报 重大 → veto"),
    row({"V6": {"concealed_grade": MAJOR}}, given(concealed=[LARGER]), [], [], None, id="V6 concealed_grade=重大: 瞒报 较大 → nothing"),
    row({"V6": {"concealed_grade": MAJOR}}, given("enterprise", concealed=[MAJOR]), ["V6"], [], "重大及以上事故1起", id="V6 concealed_grade=重大: 瞒报 重大 → veto"),
    row({"V6": {"concealed_grade": ORDINARY}}, given(concealed=[ORDINARY]), ["V6"], [], "瞒报或谎报事故1起", id="V6 concealed_grade=一般: 瞒报 一般 → veto"),
    row({"V6": {"enabled": False}}, given(concealed=[LARGER]), [], [], None, id="V6 off: 瞒报 较大 → nothing"),
    # V7 deaths ≥ 150 % of the cap; 黄牌 from 100 %
    row({}, given(deaths=3, cap=4), [], [], None, id="V7 150% of cap 4: 3 deaths → nothing"),
    row({}, given(deaths=4, cap=4), [], ["V7"], "死亡4人，已达控制数4人的100%，达到6人即否决", id="V7 150% of cap 4: 4 deaths (at the cap) → 黄牌"),
    row({}, given(deaths=5, cap=4), [], ["V7"], None, id="V7 150% of cap 4: 5 deaths → 黄牌"),
    row({}, given(deaths=6, cap=4), ["V7"], [], "死亡6人，控制数4人，达到控制数的150%（≥6人）", id="V7 150% of cap 4: 6 deaths → veto"),
    row({}, given(deaths=7, cap=4), ["V7"], [], None, id="V7 150% of cap 4: 7 deaths → veto"),
    row({}, given(deaths=4, cap=3), [], ["V7"], "达到5人即否决", id="V7 150% of cap 3 (4.5 → 5 people): 4 deaths → 黄牌"),
    row({}, given(deaths=5, cap=3), ["V7"], [], "（≥5人）", id="V7 150% of cap 3 (4.5 → 5 people): 5 deaths → veto"),
    row(V7_AT_120, given(deaths=5, cap=5), [], ["V7"], "达到6人即否决", id="V7 death_cap_percent=120 of cap 5: 5 deaths → 黄牌"),
    row(V7_AT_120, given(deaths=6, cap=5), ["V7"], [], "达到控制数的120%（≥6人）", id="V7 death_cap_percent=120 of cap 5: 6 deaths → veto"),
    row(V7_AT_120, given(deaths=7, cap=5), ["V7"], [], None, id="V7 death_cap_percent=120 of cap 5: 7 deaths → veto"),
    row({}, given(deaths=0, cap=0), [], [], None, id="V7 cap 0: no death → nothing"),
    row({}, given(deaths=1, cap=0), ["V7"], [], "（≥1人）", id="V7 cap 0: 1 death → veto"),
    row({}, given(deaths=9), [], [], None, id="V7 without a cap: 9 deaths → nothing"),
    row({"V7": {"enabled": False}}, given(deaths=6, cap=4), [], [], None, id="V7 off: 6 deaths of cap 4 → nothing, no 黄牌"),
    row({"V7": {"applies_to": ["district"]}}, given("enterprise", deaths=6, cap=4), [], [], None, id="V7 applies_to district only: enterprise 6 of 4 → nothing"),
    # V8 a total under the 合格 line (the year's, or the rule's pass_line)
    row({}, given(total="59.99"), ["V8"], [], "考核总分59.99分，低于合格线60分", id="V8 line 60: 59.99 → veto"),
    row({}, given(total="60"), [], [], None, id="V8 line 60: 60.00 → nothing"),
    row({}, given(total="60.01"), [], [], None, id="V8 line 60: 60.01 → nothing"),
    row({}, given(total="59.995"), [], [], None, id="V8 line 60: 59.995 (shown 60.00, graded 合格) → nothing"),
    row({}, given(total="59.994"), ["V8"], [], "考核总分59.99分", id="V8 line 60: 59.994 (shown 59.99) → veto"),
    row({}, given(total="59.985"), ["V8"], [], "考核总分59.99分", id="V8 line 60: 59.985 reads 59.99 (half up, as shown)"),
    row(V8_AT_65, given(total="64.99"), ["V8"], [], "低于合格线65分", id="V8 pass_line=65: 64.99 → veto"),
    row(V8_AT_65, given(total="65"), [], [], None, id="V8 pass_line=65: 65.00 → nothing"),
    row(V8_AT_65, given(total="65.01"), [], [], None, id="V8 pass_line=65: 65.01 → nothing"),
    row({}, given(total="54.99", pass_line=55), ["V8"], [], "低于合格线55分", id="V8 year's 合格 line 55: 54.99 → veto"),
    row({}, given(total="55", pass_line=55), [], [], None, id="V8 year's 合格 line 55: 55.00 → nothing"),
    row({}, given(total="55.01", pass_line=55), [], [], None, id="V8 year's 合格 line 55: 55.01 → nothing"),
    row({}, given(total=None), [], [], None, id="V8: total not known → nothing"),
    row({"V8": {"enabled": False}}, given(total="10"), [], [], None, id="V8 off: 10 → nothing"),
    # V9 manual veto (弄虚作假), V10 挂牌督办 重大隐患 not fixed
    row({}, given(manual=["伪造台账"]), ["V9"], [], "弄虚作假：伪造台账", id="V9: one manual veto → veto"),
    row({"V9": {"enabled": False}}, given(manual=["伪造台账"]), [], [], None, id="V9 off: manual veto → nothing"),
    row({}, given(hazards=1), ["V10"], [], "挂牌督办重大隐患1项", id="V10: 1 hazard (district) → veto"),
    row({}, given("dept_general", hazards=1), ["V10"], [], None, id="V10: 1 hazard (department) → veto"),
    row({}, given("enterprise", hazards=1), [], [], None, id="V10 applies_to: 1 hazard (enterprise) → nothing"),
    # a veto supersedes every 黄牌
    row({}, given(larger=1, deaths=4, cap=4, total="59.99"), ["V8"], [], None, id="V8 and two 黄牌 → V8 only"),
]
# fmt: on


@pytest.mark.parametrize("config, unit_year, vetoed, yellow, fragment", VETOES)
def test_veto_rules(config, unit_year, vetoed, yellow, fragment):
    rules = vetoes.rules_from_config(config)
    found = vetoes.check_vetoes(unit_year, rules)
    cards = vetoes.yellow_cards(unit_year, rules)
    assert [veto.code for veto in found] == vetoed
    assert [card.code for card in cards] == yellow
    if fragment:
        assert fragment in (found or cards)[0].reason


# ---------------------------------------------------------------- 等次 and guardrails

TIERS = [
    # unvetoed units in the group, proportions → units per tier (第一, 第二, 第三)
    row(4, ("0.3", "0.4"), (1, 2, 1), id="30/40 of 4: 1.2 → 1, 2.8 → 3"),
    row(5, ("0.3", "0.4"), (2, 2, 1), id="30/40 of 5: 1.5 → 2, 3.5 → 4 (half up)"),
    row(6, ("0.3", "0.4"), (2, 2, 2), id="30/40 of 6: 1.8 → 2, 4.2 → 4"),
    row(1, ("0.3", "0.4"), (1, 0, 0), id="30/40 of 1: at least one in the first"),
    row(6, ("0.25", "0.5"), (2, 3, 1), id="25/50 of 6: 1.5 → 2, 4.5 → 5"),
]


@pytest.mark.parametrize("n, proportions, sizes", TIERS)
def test_tier_sizes(n, proportions, sizes):
    ranked = ranking.rank(ranking.Entry(i, "g", D(100 - i)) for i in range(n))
    ranked.append(ranking.Ranked(99, "g", D(100), True, n + 1))  # vetoed: third, not counted
    given_tiers = ranking.tiers(ranked, proportions=tuple(D(p) for p in proportions))
    assert given_tiers.pop(99) == ranking.THIRD_TIER
    tally = Counter(given_tiers.values())
    assert (tally[ranking.FIRST_TIER], tally[ranking.SECOND_TIER], tally[ranking.THIRD_TIER]) == sizes


RANK_TIES = [
    # two totals → tied (same rank) or not
    row("88.00", "88.004", True, id="88.004 shows 88.00 → tied"),
    row("88.00", "88.005", False, id="88.005 shows 88.01 → ranked above"),
    row("88.00", "87.99", False, id="87.99 → ranked below"),
]


@pytest.mark.parametrize("first, second, tied", RANK_TIES)
def test_ranking_ties_at_two_decimals(first, second, tied):
    a, b = ranking.rank([ranking.Entry(1, "g", D(first)), ranking.Entry(2, "g", D(second))])
    assert (a.rank == b.rank) is tied


# fmt: off
GUARDRAILS = [
    # value, last quarter, {completion target | register deaths} → warning fragments
    row("10", "10", {}, [], id="value = last quarter → none"),
    row("9.99", "10", {}, ["低于上季度"], id="0.01 below last quarter → warns"),
    row("30", "10", {}, [], id="3× last quarter → none"),
    row("30.01", "10", {}, ["是上季度 10 的 3.0 倍"], id="just over 3× last quarter → warns"),
    row("100", None, {"completion_target": D(100)}, [], id="completion at 100% → none"),
    row("100.01", None, {"completion_target": D(100)}, ["超过 100%"], id="completion over 100% → warns"),
    row("3", None, {"counts_deaths": True, "register_deaths": 3}, [], id="deaths = register → none"),
    row("2", None, {"counts_deaths": True, "register_deaths": 3}, ["事故台账记录本年已有 3 人死亡"], id="one death below the register → warns"),
]
# fmt: on


@pytest.mark.parametrize("value, previous, extra, fragments", GUARDRAILS)
def test_guardrails(value, previous, extra, fragments):
    warnings = report_warnings(D(value), None if previous is None else D(previous), **extra)
    assert len(warnings) == len(fragments)
    for warning, fragment in zip(warnings, fragments, strict=True):
        assert fragment in warning
