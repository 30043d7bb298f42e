"""A small city for the 通报 tests: three units with signed letters, the third quarter of 2026 half
reported, a few accidents against 2025, and one inspection with its findings.

    梁溪区 (district): E1 on time, E2 missing; 1 accident (2 deaths) against 2 (3 deaths) last year: 双下降
    锡山区 (district): E1 late, E2 on time; 1 accident (1 death, 住建局 supervising) against none
    住建局 (department): E1 a draft (missing), E2 returned (missing)
    inspection 2026-08-10 of 梁溪区 and 锡山区: 梁溪区 one finding verified, one overdue; 锡山区 one not yet due
"""

from datetime import date

from assessment.models import (
    Finding,
    FindingStatus,
    Inspection,
    ReportStatus,
)
from responsibility import roles
from responsibility.models import UnitKind
from tests.assessment.factories import at, make_accident, make_report
from tests.factories import make_indicator, make_letter, make_target, make_unit, make_user, make_year

TODAY = date(2026, 10, 12)  # after the third quarter's deadline (10 October)
WEIGHTS = {"district": "50.00", "dept_professional": "50.00"}


def sign_letter(year, unit, indicators, seq: int) -> dict:
    """`unit`'s signed letter, 50 points for each indicator: its targets by indicator code."""
    letter = make_letter(year, unit, seq=seq)
    return {indicator.code: make_target(letter, indicator, weight=50) for indicator in indicators}


def build_city(test_class) -> None:
    """Set the rows up on `test_class` (for setUpTestData)."""
    c = test_class
    c.year = make_year(2026)
    make_year(2025)
    c.e1 = make_indicator(code="E1", name="隐患排查治理", weights=WEIGHTS, sort_order=10)
    c.e2 = make_indicator(code="E2", name="安全宣传培训", weights=WEIGHTS, sort_order=20)
    c.liangxi = make_unit(name="梁溪区", code="liangxi", kind=UnitKind.DISTRICT, sort_order=10)
    c.xishan = make_unit(name="锡山区", code="xishan", kind=UnitKind.DISTRICT, sort_order=20)
    c.zhujian = make_unit(
        name="市住房城乡建设局", code="zhujian", kind=UnitKind.DEPT_PROFESSIONAL, sort_order=30
    )
    indicators = [c.e1, c.e2]
    liangxi = sign_letter(c.year, c.liangxi, indicators, 1)
    xishan = sign_letter(c.year, c.xishan, indicators, 2)
    zhujian = sign_letter(c.year, c.zhujian, indicators, 3)
    make_report(liangxi["E1"], value=50, status=ReportStatus.APPROVED)
    make_report(xishan["E1"], value=50, status=ReportStatus.SUBMITTED, late=True)
    make_report(xishan["E2"], value=50, status=ReportStatus.APPROVED)
    make_report(zhujian["E1"], value=50, status=ReportStatus.DRAFT)
    make_report(zhujian["E2"], value=50, status=ReportStatus.RETURNED)
    # Another quarter: not counted.
    make_report(liangxi["E2"], quarter=2, value=50, status=ReportStatus.APPROVED)

    make_accident(unit=c.liangxi, occurred_at=at(2026, 7, 15), deaths=2)
    make_accident(unit=c.liangxi, occurred_at=at(2025, 8, 1), deaths=2)
    make_accident(unit=c.liangxi, occurred_at=at(2025, 9, 3), deaths=1)
    make_accident(unit=c.xishan, occurred_at=at(2026, 9, 2), deaths=1, departments=[c.zhujian])
    make_accident(unit=c.xishan, occurred_at=at(2026, 5, 2), deaths=4)  # the second quarter

    inspection = Inspection.objects.create(
        year=c.year, date=date(2026, 8, 10), team="第一督查组 张三（组长）"
    )
    inspection.units.set([c.liangxi, c.xishan])
    Finding.objects.create(
        inspection=inspection,
        unit=c.liangxi,
        problem="消防通道堵塞",
        deadline=date(2026, 8, 30),
        status=FindingStatus.VERIFIED,
    )
    Finding.objects.create(
        inspection=inspection, unit=c.liangxi, problem="应急预案未演练", deadline=date(2026, 9, 1)
    )
    Finding.objects.create(
        inspection=inspection, unit=c.xishan, problem="台账不全", deadline=date(2026, 12, 1)
    )
    spring = Inspection.objects.create(year=c.year, date=date(2026, 4, 20), team="第二督查组")
    spring.units.set([c.zhujian])  # the second quarter: not in a third-quarter circular

    c.office = make_user(city_role=roles.OFFICE, name="赵安平")
    c.leader = make_user(city_role=roles.LEADER, name="周建明")
    c.inspector = make_user(city_role=roles.INSPECTOR)
    c.reporter = make_user(unit=c.liangxi, unit_role="reporter", name="孙丽", email="sunli@example.invalid")
    c.head = make_user(unit=c.liangxi, unit_role="head", name="李志强")
    c.xishan_reporter = make_user(unit=c.xishan, unit_role="reporter", name="王芳")
    c.zhujian_reporter = make_user(unit=c.zhujian, unit_role="reporter", name="周敏")


def add_units(year, indicators, n: int, *, start: int = 100) -> None:
    """`n` more districts, each with a signed letter, a late report, an accident and a finding."""
    inspection = Inspection.objects.create(year=year, date=date(2026, 8, 20), team="第三督查组")
    for i in range(n):
        unit = make_unit(
            name=f"新区{i:03d}", code=f"xin{i:03d}", kind=UnitKind.DISTRICT, sort_order=start + i
        )
        targets = sign_letter(year, unit, indicators, start + i)
        make_report(targets["E1"], value=50, status=ReportStatus.SUBMITTED, late=True)
        make_accident(unit=unit, occurred_at=at(2026, 8, 3), deaths=1)
        inspection.units.add(unit)
        Finding.objects.create(inspection=inspection, unit=unit, problem="问题", deadline=date(2026, 9, 1))
        make_user(unit=unit)
