"""The access table's little city, with hostile text in every field a person types.

Each text starts with what a spreadsheet would run as a formula and/or carries a script tag with its
own number, so that an export or a page that lets one through names the field:

    梁溪区 → '=HYPERLINK(…)<script>alert(1)</script>'   锡山区 → '<script>alert(2)</script>'
    a third district with a signed letter, in the ranking and the quarter overview → '@SUM(A1)'
    the indicator 3 · the reporter's name 4 · the third district's report: progress 5, return comment 6
    the accident's title 7 · the finding's problem 8 · the adjustment's reason 9 · the deduction's 10
    the published circular's title 11 and a paragraph of its body 12
"""

from assessment.exports import services as year_exports
from assessment.models import (
    Accident,
    AccidentExemption,
    Adjustment,
    Circular,
    Deduction,
    ExportStatus,
    Finding,
    Inspection,
    Report,
    ReportStatus,
    YearExport,
)
from responsibility.models import Indicator, Unit, User
from tests.assessment.factories import make_report
from tests.factories import make_indicator, make_letter, make_target, make_unit, make_user
from tests.test_access import AccessFixtures

# Each starts a cell that Excel, WPS or LibreOffice would evaluate.
# The last is an array formula, which XlsxWriter writes as one whatever its options say.
FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    '{=HYPERLINK("http://x","y")}',
]
F1, F2, F3, F4, F5, F6, F7 = FORMULAS
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "{=")


def script(n: int) -> str:
    return f"<script>alert({n})</script>"


def escaped(n: int) -> str:
    """How a page shows script(n) once Django has escaped it."""
    return f"&lt;script&gt;alert({n})&lt;/script&gt;"


RAW_SCRIPT = "<script>alert("  # never in a page: the site's own scripts are all <script src=…>


class HostileCity(AccessFixtures):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Unit.objects.filter(pk=cls.unit_a.pk).update(name=F1 + script(1), leader_name=F2, deputy_name=F3)
        Unit.objects.filter(pk=cls.unit_b.pk).update(name=script(2))
        cls.unit_c = make_unit(name=F4, code="evil", leader_name=F5, sort_order=3)
        Indicator.objects.filter(pk=cls.indicator.pk).update(name=F5 + script(3))
        User.objects.filter(pk=cls.users["reporter_a"].pk).update(name=F6 + script(4))
        User.objects.filter(pk=cls.users["office"].pk).update(name=F2)
        Report.objects.filter(pk=cls.report_a.pk).update(progress=F3)  # submitted: in the review queue
        Accident.objects.filter(pk=cls.accident_a.pk).update(title=F1 + script(7), place=F7)
        AccidentExemption.objects.filter(pk=cls.exemption_a.pk).update(reason=F5)
        Inspection.objects.filter(pk=cls.inspection_a.pk).update(team=F6, summary=F2)
        Finding.objects.filter(pk=cls.finding_a.pk).update(problem=F4 + script(8))
        Adjustment.objects.filter(pk=cls.adjustment_a.pk).update(reason=F3 + script(9), basis=F1)
        Deduction.objects.filter(pk=cls.deduction_a.pk).update(reason=F2)
        Circular.objects.filter(pk=cls.circular_published.pk).update(
            title=F1 + script(11), body=f"各板块、各有关部门：\n\n{script(12)}\n\n{F2}"
        )
        Circular.objects.filter(pk=cls.circular_draft.pk).update(title=F3)
        # The third district: a signed letter, so that it is ranked, in the 明细 sheet and in the quarter
        # overview, with a returned third-quarter report and an assessors' deduction.
        letter_c = make_letter(cls.letter_a.year, cls.unit_c, seq=3, signer_name=F6)
        target_c = make_target(letter_c, cls.indicator, weight=100, wording=F3)
        make_report(
            target_c,
            value=5,
            progress=F3 + script(5),
            review_comment=F4 + script(6),
            status=ReportStatus.RETURNED,
        )
        assessed = make_indicator(
            code="B9", name=F6, rule="item_deduction", source="assessed", weights={"district": "10.00"}
        )
        target_b9 = make_target(letter_c, assessed, weight=10)
        Deduction.objects.create(target=target_b9, points=1, reason=F2 + script(10))
        cls.users["reporter_c"] = make_user(unit=cls.unit_c, name=F4)
        # The year's workbook, built again now that the city is hostile (a second run of the task).
        YearExport.objects.filter(pk=cls.year_export_a.pk).update(status=ExportStatus.QUEUED)
        year_exports.build(cls.year_export_a.pk)
        for name in (
            "unit_a",
            "unit_b",
            "indicator",
            "report_a",
            "accident_a",
            "finding_a",
            "circular_published",
        ):
            getattr(cls, name).refresh_from_db()
