"""The demo city's record: ten years of accidents and the quarterly reports of 2025 and 2026.

Deterministic (a fixed seed), so every fresh demo tells the same story: accidents falling with
noise, a few 较大 each year, one 重大 in 2019; 2025's four quarters approved, assessed,
finalized and published (a bonus, a penalty, a manual veto); 2026's first three quarters in mixed
states, with 梁溪区 and 市住房城乡建设局 still owing part of Q3, and its assessment provisional.
"""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from responsibility.models import LetterStatus, Target, Unit, User, Year

from . import grading
from .models import Accident, Adjustment, Assessment, Deduction, Industry, Report, ReportStatus

SEED = 2026
YEARS = range(2017, 2027)

# industry → (share of accidents, codes of the supervising departments)
INDUSTRIES = {
    Industry.ROAD: (45, ["gongan", "jiaotong"]),
    Industry.INDUSTRY_TRADE: (20, ["yingji"]),
    Industry.CONSTRUCTION: (15, ["zhujian"]),
    Industry.FIRE: (8, ["xiaofang"]),
    Industry.HAZCHEM: (4, ["yingji"]),
    Industry.SPECIAL_EQUIPMENT: (4, ["shichang"]),
    Industry.WATERWAY: (4, ["haishi", "jiaotong"]),
}
PLACES = ["街道", "镇", "工业园", "高速公路", "港区", "建筑工地", "物流园"]
TITLES = {
    Industry.ROAD: "道路交通事故",
    Industry.INDUSTRY_TRADE: "机械伤害事故",
    Industry.CONSTRUCTION: "高处坠落事故",
    Industry.FIRE: "火灾事故",
    Industry.HAZCHEM: "危化品泄漏事故",
    Industry.SPECIAL_EQUIPMENT: "起重伤害事故",
    Industry.WATERWAY: "船舶碰撞事故",
}


def seed_accidents(*, today) -> int:
    """Ten years of the register, 2017 to today. Skipped when the register has anything."""
    if Accident.objects.exists():
        return 0
    rng = random.Random(SEED)
    territory = list(
        Unit.objects.filter(kind__in=["district", "county_city", "dev_zone"]).order_by("sort_order")
    )
    departments = {u.code: u for u in Unit.objects.exclude(kind__in=["district", "county_city", "dev_zone"])}
    industries = list(INDUSTRIES)
    weights = [INDUSTRIES[i][0] for i in industries]
    created = 0
    for year in YEARS:
        # Fewer accidents each year, with noise: about 60 in 2017, about 30 in 2026.
        count = round(62 - 3.3 * (year - 2017) + rng.uniform(-4, 4))
        last_day = today if year == today.year else datetime(year, 12, 31).date()
        span = (last_day - datetime(year, 1, 1).date()).days
        if year == today.year:
            count = round(count * span / 365)
        for n in range(count):
            industry = rng.choices(industries, weights)[0]
            unit = rng.choice(territory)
            deaths = 1 if rng.random() < 0.85 else 2
            injuries = rng.choice([0, 0, 0, 1, 2])
            loss = Decimal(rng.randint(20, 300))
            if n == 0 and year in (2017, 2018, 2020, 2022, 2023, 2025, 2026) or (n == 1 and year == 2017):
                deaths = rng.choice([3, 3, 4])  # 较大
            if year == 2019 and n == 0:
                deaths, injuries, loss = 10, 6, Decimal(2300)  # the 重大 years ago
            day = datetime(year, 1, 1).date() + timedelta(days=rng.randint(0, span))
            occurred = timezone.make_aware(
                datetime.combine(day, time(rng.randint(6, 22), rng.choice([0, 15, 30, 45])))
            )
            accident = Accident(
                occurred_at=occurred,
                place=f"{unit.name}{rng.choice(PLACES)}",
                title=f"{unit.name}“{day:%m·%d}”{TITLES[industry]}",
                industry=industry,
                unit=unit,
                deaths=deaths,
                serious_injuries=injuries,
                direct_loss=loss,
                reported_late=rng.random() < 0.05,
                concealed=year == 2018 and n == 3,
            )
            accident.grade = grading.accident_grade(deaths, injuries, loss)
            accident.save()
            accident.departments.set([departments[c] for c in INDUSTRIES[industry][1] if c in departments])
            created += 1
    return created


def _value(target: Target, quarter: int, rng: random.Random) -> Decimal:
    """A plausible cumulative value: task completion in % climbing through the year."""
    share = {1: 22, 2: 48, 3: 74, 4: 97}[quarter]
    return Decimal(min(100, share + rng.randint(-6, 6)))


def seed_reports(*, office: User, today) -> int:
    """2025 all approved; 2026 Q1–Q2 approved and Q3 mixed. Skipped for a year that has reports."""
    rng = random.Random(SEED + 1)
    created = 0
    for year in Year.objects.filter(year__in=[2025, 2026]).order_by("year"):
        if Report.objects.filter(year=year).exists():
            continue
        targets = list(
            Target.objects.filter(
                letter__year=year, letter__status=LetterStatus.SIGNED, indicator__source="entered"
            ).select_related("letter__unit", "indicator")
        )
        deadlines = dict(year.deadlines())
        quarters = [1, 2, 3, 4] if year.year < today.year else [q for q, d in year.deadlines() if d < today]
        reports = []
        for target in targets:
            unit = target.letter.unit
            for quarter in quarters:
                due = deadlines[quarter]
                state, late = ReportStatus.APPROVED, False
                comment = ""
                if year.year == today.year and quarter == max(quarters):
                    roll = rng.random()
                    owing = unit.code in ("liangxi", "zhujian") and target.indicator.code in (
                        "C2",
                        "G1",
                        "DC1",
                        "DG1",
                    )
                    if owing:
                        continue  # still owed: reminders and late reporting have something to show
                    if roll < 0.12:
                        continue
                    if roll < 0.22:
                        state, comment = ReportStatus.RETURNED, "佐证材料不全，请补充整改台账后重新提交"
                    elif roll < 0.42:
                        state, late = ReportStatus.SUBMITTED, roll < 0.32
                submitted = timezone.make_aware(
                    datetime.combine(
                        due + timedelta(days=rng.randint(3, 9) if late else -rng.randint(1, 8)), time(10)
                    )
                )
                reports.append(
                    Report(
                        target=target,
                        unit=unit,
                        year=year,
                        quarter=quarter,
                        value=_value(target, quarter, rng),
                        progress="按计划推进，相关台账已归档。",
                        status=state,
                        late=late,
                        submitted_at=submitted,
                        reviewed_by=office if state != ReportStatus.SUBMITTED else None,
                        reviewed_at=submitted + timedelta(days=2)
                        if state != ReportStatus.SUBMITTED
                        else None,
                        review_comment=comment,
                    )
                )
        Report.objects.bulk_create(reports, batch_size=2000)
        created += len(reports)
    return created


DEDUCTION_REASONS = [
    "安委会全体会议未按季度召开",
    "隐患排查治理台账不完整",
    "安全生产专项整治进度滞后",
    "执法检查计划完成率不足",
    "责任清单未及时更新",
    "事故调查报告未按期公开",
]


def seed_assessment(*, office: User) -> dict[str, int]:
    """2025's year end: the assessors' deductions, a bonus, a penalty and a manual veto, then
    finalized and published. Each part is skipped when it is there already; 2026 stays provisional.
    """
    from .finalizing import finalize, publish

    done = {"deductions": 0, "adjustments": 0, "assessments": 0}
    year = Year.objects.filter(year=2025).first()
    if year is None:
        return done
    rng = random.Random(SEED + 2)
    if not Deduction.objects.filter(target__letter__year=year).exists():
        targets = Target.objects.filter(
            letter__year=year, letter__status=LetterStatus.SIGNED, indicator__rule="item_deduction"
        ).order_by("letter__unit__sort_order", "indicator__sort_order")
        deductions = [
            Deduction(
                target=target,
                points=Decimal(rng.choice(["0.5", "1", "1.5", "2", "3"])),
                reason=rng.choice(DEDUCTION_REASONS),
                created_by=office,
            )
            for target in targets
            if rng.random() < 0.6
        ]
        Deduction.objects.bulk_create(deductions)
        done["deductions"] = len(deductions)
    if not Adjustment.objects.filter(year=year).exists():
        units = {
            u.code: u for u in Unit.objects.filter(code__in=["binhu", "jiangyin", "chengguan", "nongye"])
        }
        for code, points, reason, basis, veto in (
            ("binhu", "3", "获评省级安全发展示范城市", "苏安委〔2025〕12号", False),
            ("jiangyin", "2", "安全生产工作获省政府通报表扬", "苏政办〔2025〕45号", False),
            ("chengguan", "-1", "燃气专项整治工作被省安委办通报批评", "苏安办〔2025〕30号", False),
            ("nongye", "0", "渔业船舶安全检查记录弄虚作假", "锡安委〔2025〕21号", True),
        ):
            if code in units:
                Adjustment.objects.create(
                    year=year,
                    unit=units[code],
                    points=Decimal(points),
                    reason=reason,
                    basis=basis,
                    manual_veto=veto,
                    created_by=office,
                )
                done["adjustments"] += 1
    if not Assessment.objects.filter(year=year).exists():
        done["assessments"] = finalize(year, user=office)
        publish(year, user=office)
    return done
