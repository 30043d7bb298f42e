"""The finalized snapshot stores codes for its group, grade and tier, and everything shows their labels.

On the year worked out by hand in test_assess; the labels expected are the ones `assess` printed
before the snapshot stored codes (EXPECTED).
"""

import io
import json
from datetime import date
from unittest import mock

import openpyxl
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase, TransactionTestCase
from django.urls import reverse
from django.utils import timezone

from assessment.circulars import drafting
from assessment.exports.services import write_workbook
from assessment.models import Assessment, AssessmentGrade, AssessmentTier
from assessment.results import finalizing
from responsibility.models import UnitGroup, UnitKind
from tests.assessment.results import test_assess
from tests.assessment.results.test_assess import EXPECTED, KEYS
from tests.factories import make_office_user, make_unit, make_year

# unit code → (group, grade, tier) as the snapshot stores them
CODES = {
    "liangxi": ("territory", "excellent", "first"),
    "binhu": ("territory", "excellent", "first"),
    "xishan": ("territory", "good", "third"),
    "huishan": ("territory", "fail", "third"),
    "zhujian": ("professional", "excellent", "first"),
    "jiaotong": ("professional", "fail", "third"),
    "guolian": ("enterprise", "fail", "third"),
    "xinwu": ("territory", "", ""),  # 未签订: listed, not graded or ranked
}
# unit code → (group, grade, tier) as every page, export and `assess` shows them
LABELS = {row[0]: (row[2], row[9], row[11]) for row in EXPECTED}
RANKED = {code: labels for code, labels in LABELS.items() if code != "xinwu"}


@time_machine.travel(date(2027, 2, 1))
class SnapshotCodeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        test_assess.FullYearTests.setUpTestData.__func__(cls)  # the year worked out by hand
        cls.office = make_office_user()
        finalizing.finalize(cls.year, user=cls.office)

    def test_the_snapshot_stores_codes_and_displays_them_as_labels(self):
        rows = Assessment.objects.select_related("unit")
        self.assertEqual({a.unit.code: (a.group, a.grade, a.tier) for a in rows}, CODES)
        self.assertEqual(
            {a.unit.code: (a.get_group_display(), a.get_grade_display(), a.get_tier_display()) for a in rows},
            LABELS,
        )
        history = Assessment.history.filter(history_type="+")
        self.assertEqual({h.unit.code: (h.group, h.grade, h.tier) for h in history}, CODES)
        huishan = rows.get(unit__code="huishan")
        self.assertEqual(str(huishan), "惠山区 2026年 80.00分 不合格")

    def test_the_codes_are_the_choices(self):
        self.assertEqual(AssessmentGrade.values, ["excellent", "good", "pass", "fail"])
        self.assertEqual(AssessmentGrade.labels, ["优秀", "良好", "合格", "不合格"])
        self.assertEqual(AssessmentTier.values, ["first", "second", "third"])
        self.assertEqual(AssessmentTier.labels, ["第一等次", "第二等次", "第三等次"])
        fields = {f.name: f for f in Assessment._meta.get_fields()}
        self.assertEqual(fields["group"].choices, UnitGroup.choices)
        self.assertEqual(fields["grade"].choices, AssessmentGrade.choices)
        self.assertEqual(fields["tier"].choices, AssessmentTier.choices)

    def test_assess_json_of_the_finalized_year_carries_the_labels_it_carried(self):
        out = io.StringIO()
        call_command("assess", "--year", "2026", "--json", stdout=out)
        printed = [{key: row[key] for key in KEYS} for row in json.loads(out.getvalue())]
        self.assertEqual(printed, [dict(zip(KEYS, row, strict=True)) for row in EXPECTED])
        self.assertIn('"group": "板块"', out.getvalue())
        self.assertIn('"grade": "不合格"', out.getvalue())
        self.assertIn('"tier": "第一等次"', out.getvalue())

    def test_assess_table_of_the_finalized_year_shows_the_labels(self):
        out = io.StringIO()
        call_command("assess", "--year", "2026", stdout=out)
        lines = out.getvalue().splitlines()
        self.assertEqual(lines[0], "2026年度安全生产目标责任考核排名（年终）（已定稿）")
        self.assertEqual(
            lines[1:4], ["", "【板块】", "名次  单位              总分    等级    等次      一票否决"]
        )
        self.assertEqual(lines[4], "   1  梁溪区            102.00  优秀    第一等次  —")
        self.assertEqual(lines[6], "   3  锡山区             81.80  良好    第三等次  —")
        self.assertTrue(
            lines[7].startswith("   4  惠山区             80.00  不合格  第三等次  瞒报谎报较大及以上事故")
        )
        self.assertIn("【专业类部门】", lines)
        self.assertIn("【市属企业】", lines)

    def test_the_unit_page_shows_the_labels(self):
        self.client.force_login(self.office)
        for code, grade_css in (("huishan", "status-red"), ("liangxi", "status-green"), ("xishan", "")):
            with self.subTest(unit=code):
                response = self.client.get(
                    reverse("assessment:assessment_detail", args=[2026, self.u[code].pk])
                )
                self.assertTrue(response.context["final"])
                group, grade, tier = LABELS[code]
                self.assertContains(response, f'<div class="stat {grade_css}">{grade}</div>', html=False)
                self.assertContains(response, f"{tier} · {group}第 ")
                for stored in CODES[code][1:]:
                    self.assertNotContains(response, f">{stored}<")

    def test_the_ranking_page_its_spreadsheet_and_the_print_view_show_the_labels(self):
        self.client.force_login(self.office)
        params = {"year": 2026, "group": "territory"}
        response = self.client.get(reverse("assessment:ranking"), params)
        rows = {row["name"]: row for row in response.context["table"].data}
        self.assertEqual((rows["惠山区"]["grade"], rows["惠山区"]["tier"]), ("不合格", "第三等次"))
        self.assertEqual(rows["惠山区"]["grade_css"], "status-red")
        self.assertEqual((rows["梁溪区"]["grade"], rows["梁溪区"]["grade_css"]), ("优秀", "status-green"))
        self.assertContains(response, '<span class="status-red">不合格</span>')

        sheet = openpyxl.load_workbook(
            io.BytesIO(self.client.get(reverse("assessment:ranking"), {**params, "_export": "xlsx"}).content)
        ).active
        header, *body = sheet.iter_rows(values_only=True)
        grade, tier = header.index("等级"), header.index("等次")
        self.assertEqual(
            sorted((row[grade] or "", row[tier] or "") for row in body),
            sorted(LABELS[code][1:] for code in ("liangxi", "binhu", "xishan", "huishan", "xinwu")),
        )

        html = self.client.get(reverse("assessment:ranking_print"), params).content.decode()
        self.assertIn('<td class="c red">不合格</td>', html)
        self.assertIn('<td class="c green">优秀</td>', html)
        self.assertIn('<td class="c">第三等次</td>', html)

    def test_the_year_workbook_shows_the_labels(self):
        buffer = io.BytesIO()
        write_workbook(self.year, buffer, today=date(2027, 1, 10))
        sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["考核结果"]
        header, *body = sheet.iter_rows(values_only=True)
        columns = [header.index(name) for name in ("单位代码", "考核组别", "等级", "等次")]
        self.assertEqual({row[columns[0]]: tuple(row[i] or "" for i in columns[1:]) for row in body}, LABELS)

    def test_a_circular_of_the_year_is_written_with_the_labels(self):
        figures = drafting.circular_figures(self.year, 0, today=date(2027, 1, 10))
        ranking = figures["ranking"]
        self.assertTrue(ranking["final"])
        rows = {row["unit"]: (group["label"], row["grade"], row["tier"]) for group in ranking["groups"]
                for row in group["rows"]}  # fmt: skip
        names = {row[0]: row[1] for row in EXPECTED}
        self.assertEqual(rows, {names[code]: labels for code, labels in RANKED.items()})
        _title, body = drafting.write_text(figures, "praise")
        self.assertIn("位列第一等次的单位（板块：梁溪区、滨湖区；专业类部门：住房城乡建设局）", body)


class SnapshotCodesMigrationTests(TransactionTestCase):
    """0008_assessment_codes converts the labels of snapshots written before it, and back."""

    before = [("assessment", "0007_year_export")]
    after = [("assessment", "0012_assessment_quarter_rank")]  # 0008 and the schema since

    def setUp(self):
        # The schemas under test predate the kept assessment's tables (0013): the rows the
        # factories make here are not marked for it.
        marking = mock.patch("assessment.kept.changes.mark_stale")
        marking.start()
        self.addCleanup(marking.stop)

    def migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    def tearDown(self):
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())  # the schema the other tests expect
        super().tearDown()

    def write_labels(self, apps, group, grade, tier):
        """A snapshot and its history row as finalize wrote them before 0008, through the old models."""
        year, unit = make_year(2025), make_unit(kind=UnitKind.DEPT_PROFESSIONAL)
        figures = {
            "base": 90,
            "bonus": 0,
            "penalty": 0,
            "total": 90,
            "rank": 2,
            "finalized_at": timezone.now(),
        }
        fields = {"year_id": year.pk, "unit_id": unit.pk, "group": group, "grade": grade, "tier": tier}
        old = apps.get_model("assessment", "Assessment").objects.create(vetoed=True, **fields, **figures)
        apps.get_model("assessment", "HistoricalAssessment").objects.create(
            id=old.pk, history_date=timezone.now(), history_type="+", vetoed=True, **fields, **figures
        )
        return old.pk

    def stored(self, apps, pk):
        return [
            apps.get_model("assessment", name)
            .objects.filter(id=pk)
            .values_list("group", "grade", "tier")
            .get()
            for name in ("Assessment", "HistoricalAssessment")
        ]

    def test_labels_become_codes_and_back(self):
        old_apps = self.migrate(self.before)
        pk = self.write_labels(old_apps, "专业类部门", "不合格", "第三等次")

        new_apps = self.migrate(self.after)
        self.assertEqual(self.stored(new_apps, pk), [("professional", "fail", "third")] * 2)
        snapshot = Assessment.objects.get(pk=pk)
        self.assertEqual(
            (snapshot.get_group_display(), snapshot.get_grade_display(), snapshot.get_tier_display()),
            ("专业类部门", "不合格", "第三等次"),
        )
        (result,) = finalizing.snapshot_results(snapshot.year)
        self.assertEqual(
            (result.unit.group, result.unit.group_label, result.grade_label, result.tier_label),
            ("professional", "专业类部门", "不合格", "第三等次"),
        )

        old_apps = self.migrate(self.before)
        self.assertEqual(self.stored(old_apps, pk), [("专业类部门", "不合格", "第三等次")] * 2)

    def test_every_label_has_its_code(self):
        old_apps = self.migrate(self.before)
        year = make_year(2025)
        labels = [
            (group, grade, tier)
            for group in UnitGroup.labels
            for grade in AssessmentGrade.labels
            for tier in AssessmentTier.labels
        ]
        model = old_apps.get_model("assessment", "Assessment")
        now = timezone.now()
        for n, (group, grade, tier) in enumerate(labels):
            model.objects.create(
                year_id=year.pk, unit_id=make_unit().pk, group=group, grade=grade, tier=tier,
                base=80, bonus=0, penalty=0, total=80, rank=n + 1, finalized_at=now,
            )  # fmt: skip

        self.migrate(self.after)
        self.assertEqual(
            [(a.get_group_display(), a.get_grade_display(), a.get_tier_display()) for a in Assessment.objects.order_by("rank")],
            labels,
        )  # fmt: skip
        self.assertEqual(
            set(Assessment.objects.values_list("group", "grade", "tier")),
            {
                (g, gr, t)
                for g in UnitGroup.values
                for gr in AssessmentGrade.values
                for t in AssessmentTier.values
            },
        )

    def test_an_unknown_value_stops_the_migration(self):
        old_apps = self.migrate(self.before)
        pk = self.write_labels(old_apps, "板块", "甲等", "第一等次")
        with self.assertRaisesMessage(ValueError, "Assessment.grade: unknown values ['甲等']"):
            self.migrate(self.after)
        self.assertEqual(self.stored(old_apps, pk)[0], ("板块", "甲等", "第一等次"))  # rolled back
        old_apps.get_model("assessment", "HistoricalAssessment").objects.all().delete()
        old_apps.get_model("assessment", "Assessment").objects.all().delete()
