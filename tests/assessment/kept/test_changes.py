"""What moves a score marks exactly the units it touches, through the services; what does not move
a score (a return of a submitted report, a rectification reported, a notice) marks nothing.
An invented city: make_catalog's codes, units named 测试单位…, a year of 2031 beside 2032."""

from datetime import date
from decimal import Decimal

import time_machine
from django.core.files.base import ContentFile
from django.forms import model_to_dict
from django.test import TestCase

from assessment.accidents import services as accident_services
from assessment.inspections import services as inspection_services
from assessment.kept.models import KeptMark
from assessment.models import FindingStatus, Report, ReportStatus
from assessment.reports import services as report_services
from assessment.results import adjustments
from responsibility import services
from responsibility.forms import YearForm
from responsibility.models import Indicator, LetterStatus, UnitKind
from tests.assessment.factories import at, make_accident
from tests.assessment.results.test_assess import make_catalog, target
from tests.factories import make_letter, make_office_user, make_unit, make_year


@time_machine.travel(date(2032, 5, 20), tick=False)
class MarksTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.last, cls.year = make_year(2031), make_year(2032)
        catalog = make_catalog()
        cls.a = make_unit(kind=UnitKind.DISTRICT)
        cls.b = make_unit(kind=UnitKind.DISTRICT)
        cls.dept = make_unit(kind=UnitKind.DEPT_PROFESSIONAL)
        for seq, unit in enumerate((cls.a, cls.b), start=1):
            make_letter(cls.year, unit, seq=seq, indicators=[catalog["B1"], catalog["C1"]])
        cls.office = make_office_user()

    def setUp(self):
        KeptMark.objects.all().delete()  # what the set-up itself marked

    def marked(self, year=None) -> set:
        rows = KeptMark.objects.filter(year=year or self.year)
        return set(rows.values_list("unit_id", flat=True))

    def test_letters_issued_and_signed_mark_their_units(self):
        unit = make_unit(kind=UnitKind.DISTRICT)
        letter = make_letter(
            self.year,
            unit,
            status=LetterStatus.DRAFT,
            indicators=Indicator.objects.filter(code__in=["B1", "C1"]),
        )
        KeptMark.objects.all().delete()
        services.issue_letters(self.year, [letter.pk], issued_on=date(2032, 2, 1), issuer_name="市长")
        self.assertEqual(self.marked(), {unit.pk})
        KeptMark.objects.all().delete()
        services.sign_letter(
            letter,
            signer_name="区长",
            signed_on=date(2032, 2, 5),
            scan=ContentFile(b"%PDF-1.4"),
            scan_name="a.pdf",
        )
        self.assertEqual(self.marked(), {unit.pk})
        self.assertEqual(self.marked(self.last), set())

    def test_adjustments_and_deductions_mark_their_unit(self):
        adjustment = adjustments.add_adjustment(
            self.year, unit=self.b, points=Decimal(2), reason="表彰", by=self.office
        )
        self.assertEqual(self.marked(), {self.b.pk})
        KeptMark.objects.all().delete()
        adjustments.delete_adjustment(adjustment, by=self.office)
        self.assertEqual(self.marked(), {self.b.pk})
        KeptMark.objects.all().delete()
        adjustments.add_deduction(target(self.a, "B1"), points=Decimal(1), reason="会议未开", by=self.office)
        self.assertEqual(self.marked(), {self.a.pk})

    def test_an_accident_marks_its_year_and_the_next_for_its_territory_and_departments(self):
        accident = accident_services.record_accident(
            by=self.office, departments=[self.dept], unit=self.a, occurred_at=at(2031, 7, 1), place="某地",
            title="事故", industry="road", deaths=1, serious_injuries=0, direct_loss=Decimal(1),
        )  # fmt: skip
        self.assertEqual(self.marked(self.last), {self.a.pk, self.dept.pk})
        self.assertEqual(self.marked(), {self.a.pk, self.dept.pk})  # its 同比 and 双下降
        KeptMark.objects.all().delete()
        exemption = accident_services.add_exemption(
            accident, unit=self.dept, reason="不负监管责任", by=self.office
        )
        self.assertEqual(self.marked(self.last), {self.dept.pk})
        KeptMark.objects.all().delete()
        accident_services.remove_exemption(exemption, by=self.office)
        self.assertEqual(self.marked(self.last), {self.dept.pk})

    def test_findings_mark_their_unit_when_recorded_and_verified_not_when_returned(self):
        item = inspection_services.FindingInput(
            unit=self.b, problem="消防通道堵塞", deadline=date(2032, 5, 1)
        )
        inspection = inspection_services.record_inspection(
            by=self.office, kind="督查", date=date(2032, 4, 1), team="第一组", units=[self.b], findings=[item]
        )
        self.assertEqual(self.marked(), {self.b.pk})
        KeptMark.objects.all().delete()
        finding = inspection.findings.get()
        inspection.findings.update(status=FindingStatus.SUBMITTED)  # the unit reported its rectification
        finding = inspection_services.reject_rectification(
            finding, by=self.office, reason="照片不清楚", version=finding.version
        )
        self.assertEqual(self.marked(), set())  # a finding stays overdue until verified
        inspection.findings.update(status=FindingStatus.SUBMITTED)
        inspection_services.verify_finding(finding, by=self.office, version=finding.version)
        self.assertEqual(self.marked(), {self.b.pk})

    def test_a_return_of_submitted_reports_marks_nothing(self):
        report = Report.objects.create(
            target=target(self.a, "C1"), unit=self.a, year=self.year, quarter=1,
            value=Decimal(50), status=ReportStatus.SUBMITTED,
        )  # fmt: skip
        report_services.return_reports([report], user=self.office, comment="请补充佐证")
        self.assertEqual(self.marked(), set())
        make_accident(unit=self.b, occurred_at=at(2032, 3, 1))  # the factory marks as the service does
        self.assertEqual(self.marked(), {self.b.pk})

    def test_units_the_catalog_and_the_years_rules_mark_what_they_move(self):
        services.set_unit_active(self.dept, active=False)
        self.assertEqual(self.marked(self.last), {self.dept.pk})
        self.assertEqual(self.marked(), {self.dept.pk})
        KeptMark.objects.all().delete()
        indicator = Indicator.objects.get(code="C1")
        indicator.weights = {"district": "25"}
        services.save_weights([indicator])
        self.assertEqual((self.marked(self.last), self.marked()), ({None}, {None}))
        KeptMark.objects.all().delete()
        data = model_to_dict(self.last, fields=YearForm._meta.fields) | {"bonus_cap": "4"}
        services.save_year(YearForm(data, instance=self.last))
        self.assertEqual((self.marked(self.last), self.marked()), ({None}, {None}))  # 2031, and 2032's 同比
