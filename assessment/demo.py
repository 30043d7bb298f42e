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

from assessment.models import Accident, Adjustment, Assessment, Deduction, Industry, Report, ReportStatus
from assessment.rules import grading
from responsibility.models import TERRITORIAL_KINDS, LetterStatus, Target, Unit, User, Year

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
    territory = list(Unit.objects.filter(kind__in=TERRITORIAL_KINDS).order_by("sort_order"))
    departments = {u.code: u for u in Unit.objects.exclude(kind__in=TERRITORIAL_KINDS)}
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
            )
            .select_related("letter__unit", "indicator")
            .order_by(
                "letter__unit__sort_order", "indicator__sort_order", "pk"
            )  # the same demo on any database
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
    from assessment.results.finalizing import finalize, publish

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


def seed_circulars(*, office: User, today) -> int:
    """2026's circulars: a published 第三季度 情况通报 (its notices written at once, so the demo
    inboxes show it) and a draft 催报通报. Skipped when 2026 has circulars already."""
    from assessment.circulars import drafting as circular_drafting
    from assessment.circulars import services as circular_services
    from assessment.models import Circular, CircularKind

    year = Year.objects.filter(year=2026).first()
    if year is None or Circular.objects.filter(year=year).exists():
        return 0
    situation = circular_drafting.draft_circular(year, 3, CircularKind.SITUATION, user=office, today=today)
    published = circular_services.publish_circular(situation, user=office, version=situation.version)
    circular_services.notify_readers(published, circular_services.recipient_ids())
    circular_drafting.draft_circular(year, 3, CircularKind.REMINDER, user=office, today=today)
    return 2


# 2026's inspections: (date, kind, team, unit codes, summary, findings); each finding is
# (unit, problem, major hazard listing level or "", deadline, steps), a step "submit:MM-DD",
# "reject:MM-DD:reason", "verify:MM-DD" or "close:MM-DD" (销号) in 2026. Findings of 梁溪区 in
# every state, one of them overdue; 重大事故隐患 listed, awaiting 销号 and closed.
DEMO_INSPECTIONS = [
    (
        "2026-03-18",
        "assessment_patrol",
        "市安委会第一考核巡查组 王建国（组长）、陈晓明、刘芳",
        ["liangxi", "xishan", "zhujian"],
        "一季度考核巡查，重点检查城镇燃气、危化品储存和建筑施工安全。",
        [
            (
                "liangxi",
                "老旧小区燃气管道锈蚀严重，未落实定期巡检制度",
                "",
                "2026-05-31",
                ["submit:05-20", "verify:05-26"],
            ),
            (
                "xishan",
                "某化工企业危化品仓库超量储存，与周边建筑防火间距不足",
                "city",
                "2026-06-30",
                ["submit:06-20", "verify:06-28", "close:07-03"],
            ),
            (
                "zhujian",
                "在建工地塔式起重机未按规定进行定期检验",
                "",
                "2026-04-30",
                ["submit:04-25", "verify:04-28"],
            ),
        ],
    ),
    (
        "2026-06-12",
        "unannounced",
        "市安委办第二暗访组 张伟（组长）、赵磊",
        ["liangxi", "huishan", "binhu"],
        "以“四不两直”方式暗访商业综合体、粉尘涉爆企业和景区。",
        [
            ("liangxi", "某商业综合体消防通道被占用，两处安全出口上锁", "", "2026-09-30", []),
            (
                "huishan",
                "某金属制品企业粉尘涉爆除尘系统未按规范设置泄爆装置",
                "district",
                "2026-10-31",
                ["submit:10-25", "verify:10-30"],
            ),
            (
                "binhu",
                "景区游船救生衣配备数量不足，部分已过期",
                "",
                "2026-07-31",
                [
                    "submit:07-20",
                    "reject:07-24:救生衣更换凭证不全，请补充采购和配发记录",
                    "submit:07-29",
                    "verify:08-03",
                ],
            ),
        ],
    ),
    (
        "2026-09-08",
        "inspection",
        "市安委会第三督查组 李强（组长）、周婷",
        ["liangxi", "zhujian", "jiangyin"],
        "督查安全生产治本攻坚三年行动推进情况。",
        [
            (
                "liangxi",
                "某深基坑工程监测数据未按规定频次上报",
                "",
                "2026-12-15",
                ["submit:10-20", "reject:10-23:未提供第三方监测报告，请补充后重新报送"],
            ),
            ("zhujian", "某房建项目高支模专项施工方案未经专家论证即组织施工", "city", "2026-12-31", []),
            ("jiangyin", "港区危化品码头装卸现场未设置可燃气体报警装置", "", "2026-11-30", ["submit:11-20"]),
        ],
    ),
    (
        "2026-11-10",
        "patrol",
        "市安委办巡查组 孙涛、吴静",
        ["liangxi", "xinwu"],
        "年末安全生产巡查。",
        [
            ("liangxi", "农贸市场电气线路私拉乱接，未穿管保护", "", "2026-12-20", ["submit:11-25"]),
            ("xinwu", "某电子企业有限空间作业未执行审批制度", "", "2026-12-10", []),
        ],
    ),
]


def demo_png(width: int = 320, height: int = 200) -> bytes:
    """A small PNG of yellow and black warning stripes: the demo's 现场照片."""
    import struct
    import zlib

    stripes = [(245, 190, 30), (40, 40, 40)]
    raw = b"".join(
        b"\x00" + b"".join(bytes(stripes[((x + y) // 24) % 2]) for x in range(width)) for y in range(height)
    )

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _demo_upload(name: str, content: bytes, kind: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, content)
    upload.checked_kind, upload.safe_name = kind, name
    return upload


def seed_inspections(*, office: User, inspector: User) -> int:
    """2026's inspections and findings through the services (notices included), their dates set back
    to when each step happened. Skipped when 2026 has inspections already."""
    from assessment.inspections import services
    from assessment.models import DONE, Finding, FindingFile, Inspection, Notification
    from responsibility.demo import DEMO_SCAN

    year = Year.objects.filter(year=2026).first()
    if year is None or Inspection.objects.filter(year=year).exists():
        return 0
    units = {u.code: u for u in Unit.objects.all()}
    reporters = {}
    for user in User.objects.filter(memberships__role="reporter").prefetch_related("memberships__unit"):
        for membership in user.memberships.all():
            reporters.setdefault(membership.unit.code, user)
    photo = demo_png()

    def moment(day: str, hour: int = 10):
        month, dom = (int(part) for part in day.split("-")[-2:])
        return timezone.make_aware(datetime(2026, month, dom, hour))

    for day, kind, team, codes, summary, findings in DEMO_INSPECTIONS:
        when = datetime.fromisoformat(day).date()
        inspection = services.record_inspection(
            by=inspector,
            kind=kind,
            date=when,
            team=team,
            units=[units[code] for code in codes],
            summary=summary,
            findings=[
                services.FindingInput(
                    unit=units[code],
                    problem=problem,
                    deadline=datetime.fromisoformat(deadline).date(),
                    major_hazard=bool(level),
                    listing_level=level,
                    photos=[_demo_upload("现场照片.png", photo, "png")],
                )
                for code, problem, level, deadline, _ in findings
            ],
        )
        recorded = moment(day, 16)
        Inspection.objects.filter(pk=inspection.pk).update(created_at=recorded)
        inspection.history.update(history_date=recorded)
        for finding, (code, *_, steps) in zip(inspection.findings.order_by("pk"), findings, strict=True):
            moments = [recorded]
            for step in steps:
                action, day_text, *reason = step.split(":", 2)
                finding = Finding.objects.get(pk=finding.pk)
                if action == "submit":
                    evidence = _demo_upload("整改完成情况报告.pdf", DEMO_SCAN, "pdf")
                    finding = services.report_rectification(
                        finding,
                        by=reporters.get(code),
                        text="已落实整改：现场问题已全部消除，建立了日常巡查台账，明确了责任人。",
                        files=[evidence],
                        version=finding.version,
                    )
                    newest = finding.files.filter(purpose=FindingFile.EVIDENCE).latest("pk")
                    FindingFile.objects.filter(pk=newest.pk).update(uploaded_at=moment(day_text))
                elif action == "reject":
                    services.reject_rectification(
                        finding, by=inspector, reason=reason[0], version=finding.version
                    )
                elif action == "verify":
                    services.verify_finding(finding, by=inspector, version=finding.version)
                else:
                    services.close_hazard(finding, by=office, version=finding.version)
                moments.append(moment(day_text, 15 if action in ("verify", "close") else 10))
            _set_back(finding, moments)
            # The notices went out when the steps happened; those of finished findings were read.
            done = Finding.objects.filter(pk=finding.pk, status__in=DONE).exists()
            Notification.objects.filter(key__startswith=f"finding_new:{finding.pk}:").update(
                created_at=recorded, read_at=moments[-1] if done else None
            )
            for step, when in zip(steps, moments[1:], strict=True):
                if step.startswith("reject"):
                    Notification.objects.filter(key__startswith=f"finding_rejected:{finding.pk}:").update(
                        created_at=when
                    )
    return len(DEMO_INSPECTIONS)


def _set_back(finding, moments) -> None:
    """Give a demo finding's history and time stamps the days its steps happened on."""
    from assessment.models import Finding, FindingFile

    records = list(finding.history.order_by("history_id"))
    for record, when in zip(records, moments, strict=True):
        type(record).objects.filter(pk=record.pk).update(history_date=when)
    stored = Finding.objects.get(pk=finding.pk)
    stamps = {"created_at": moments[0]}
    last = dict(zip([r.status for r in records], moments, strict=True))
    if stored.rectified_at:
        stamps["rectified_at"] = last.get("submitted", moments[0])
    if stored.verified_at:
        stamps["verified_at"] = last.get("verified", moments[0])
    if stored.closed_at:
        stamps["closed_at"] = last.get("closed", moments[0])
    Finding.objects.filter(pk=finding.pk).update(**stamps)
    FindingFile.objects.filter(finding=finding, purpose=FindingFile.PHOTO).update(uploaded_at=moments[0])
