"""One gate for every write to a quarter's reports: locked quarters and approved items refuse them all.

The entry form, the Excel import's confirm, adding evidence and deleting it go through
`reports.services.check_writable`. The probe found evidence deletable in a locked quarter.
"""

from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse

from assessment.models import Evidence, QuarterLock, ReportStatus
from responsibility.models import IndicatorRule, IndicatorSource
from tests.assessment.factories import make_report
from tests.factories import make_indicator, make_letter, make_office_user, make_unit, make_user, make_year


class ReportGateTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)
        unit = make_unit(name="临江区", code="linjiang")
        indicator = make_indicator(
            code="QX-07", name="隐患排查整治", rule=IndicatorRule.BOOLEAN, source=IndicatorSource.ENTERED
        )
        letter = make_letter(cls.year, unit, seq=1, indicators=[indicator])
        cls.report = make_report(letter.targets.get(), quarter=3, status=ReportStatus.DRAFT)
        cls.reporter = make_user(username="linjiang_tb", unit=unit)
        cls.office = make_office_user(username="ajb")

    def setUp(self):
        self.evidence = Evidence.objects.create(
            report=self.report,
            file=ContentFile(b"%PDF-1.4", name="e.pdf"),
            name="台账.pdf",
            kind="pdf",
            size=8,
        )
        self.client.force_login(self.reporter)

    def delete(self):
        response = self.client.post(
            reverse("assessment:evidence_delete", args=[self.evidence.pk]), follow=True
        )
        return [str(message) for message in get_messages(response.wsgi_request)] or [
            str(m) for m in response.context["messages"]
        ]

    def test_evidence_is_not_deleted_in_a_locked_quarter(self):
        QuarterLock.objects.create(year=self.year, quarter=3, locked_by=self.office)
        messages = self.delete()
        self.assertTrue(Evidence.objects.filter(pk=self.evidence.pk).exists())
        self.assertIn("2026年第3季度已锁定，不能再填报。如需补报请联系市安委办。佐证材料未删除。", messages)

    def test_evidence_of_an_approved_item_is_not_deleted(self):
        self.report.status = ReportStatus.APPROVED
        self.report.save()
        messages = self.delete()
        self.assertTrue(Evidence.objects.filter(pk=self.evidence.pk).exists())
        self.assertIn("隐患排查整治已通过，不能再修改。佐证材料未删除。", messages)

    def test_a_draft_in_an_open_quarter_loses_its_evidence_when_asked(self):
        messages = self.delete()
        self.assertFalse(Evidence.objects.filter(pk=self.evidence.pk).exists())
        self.assertIn("已删除佐证材料「台账.pdf」。", messages)
