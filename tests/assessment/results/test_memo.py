"""The 驾驶舱 and the ranking keep the provisional assessment in memory until the data changes:
fast and few queries when nothing changed, never a stale figure after a change."""

from datetime import date
from decimal import Decimal
from unittest import mock

import time_machine
from django.db import connection, transaction
from django.test import SimpleTestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.models import Accident, Report
from assessment.results import assessing, memo
from responsibility import roles
from tests.assessment.factories import at, make_accident
from tests.assessment.results.test_assess import add_assessed_units, make_catalog
from tests.factories import make_user, make_year


class StatementTests(SimpleTestCase):  # pure: no database
    def test_reads_and_transaction_control_change_nothing(self):
        for sql in [
            'SELECT "assessment_report"."id" FROM "assessment_report"',
            '(SELECT "a" FROM "auth_permission") UNION (SELECT "b" FROM "auth_permission")',
            "  select 1",
            'SAVEPOINT "s1"',
            'RELEASE SAVEPOINT "s1"',
            'ROLLBACK TO SAVEPOINT "s1"',
            "BEGIN",
            "COMMIT",
        ]:
            self.assertFalse(memo.changes_data(sql), sql)

    def test_writes_to_results_tables_change_data(self):
        for sql in [
            'INSERT INTO "assessment_accident" ("title") VALUES (%s)',
            'UPDATE "assessment_report" SET "value" = %s',
            'DELETE FROM "assessment_deduction" WHERE "id" = %s',
            "update responsibility_target set weight = 1",
            'TRUNCATE "assessment_report"',
            "COPY responsibility_target FROM STDIN",
            'ALTER TABLE "assessment_report" ADD COLUMN "x" integer',
        ]:
            self.assertTrue(memo.changes_data(sql), sql)

    def test_sessions_logins_and_notices_do_not(self):
        for sql in [
            'UPDATE "django_session" SET "session_data" = %s',
            'INSERT INTO "django_session" ("session_key") VALUES (%s)',
            'UPDATE "responsibility_user" SET "last_login" = %s',
            'INSERT INTO "assessment_notification" ("kind") VALUES (%s)',
            'INSERT OR IGNORE INTO "assessment_notification" ("kind") VALUES (%s)',
            'INSERT INTO "axes_accessattempt" ("username") VALUES (%s)',
        ]:
            self.assertFalse(memo.changes_data(sql), sql)


@time_machine.travel(date(2026, 6, 30), tick=False)
class MemoPageTests(TransactionTestCase):
    """Committed writes, as in production: these tests do not run inside a rolled-back transaction."""

    def setUp(self):
        memo.clear()
        make_year(2025)
        self.year = make_year(2026)
        make_catalog()
        self.units = add_assessed_units(self.year, 6, 1)
        self.leader = make_user(city_role=roles.LEADER)
        self.client.force_login(self.leader)

    def get(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return response

    def count_assessments(self, url) -> int:
        with mock.patch.object(assessing, "assess_year", wraps=assessing.assess_year) as assess:
            self.get(url)
        return assess.call_count

    def test_the_dashboard_computes_once_until_an_accident_is_recorded(self):
        url = reverse("assessment:dashboard")
        self.assertEqual(self.count_assessments(url), 1)
        self.assertEqual(self.count_assessments(url), 0)
        memo.clear()  # as another web process would: it fetches what this one computed
        self.assertEqual(self.count_assessments(url), 0)
        before = self.get(url).context["d"]["count"].now
        make_accident(unit=self.units[0], occurred_at=at(2026, 6, 1), deaths=1, title="新登记的事故")
        self.assertEqual(self.count_assessments(url), 1)
        response = self.get(url)
        self.assertEqual(response.context["d"]["count"].now, before + 1)

    def test_the_ranking_follows_a_bulk_update_and_raw_sql(self):
        url = reverse("assessment:ranking") + "?group=territory"
        unit = self.units[0]  # a 板块: its entered target C1 has a Q3 report of 80

        def score():
            row = next(r for r in self.get(url).context["table"].data.data if r["name"] == unit.name)
            return row["score"]

        first = score()
        self.assertEqual(score(), first)
        Report.objects.filter(target__letter__unit=unit).update(value=Decimal("0"))  # no signals
        lowered = score()
        self.assertLess(lowered, first)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE assessment_report SET value = 80")
        self.assertEqual(score(), first)

    def test_a_write_is_seen_by_its_own_transaction_and_forgotten_when_rolled_back(self):
        url = reverse("assessment:dashboard")
        before = self.get(url).context["d"]["count"].now

        class Abandon(Exception):
            pass

        try:
            with transaction.atomic():
                make_accident(unit=self.units[0], occurred_at=at(2026, 6, 2), title="未提交")
                inside = self.get(url).context["d"]["count"].now
                raise Abandon
        except Abandon:
            pass
        self.assertEqual(inside, before + 1)
        self.assertEqual(self.get(url).context["d"]["count"].now, before)
        self.assertFalse(Accident.objects.filter(title="未提交").exists())

    def test_sessions_and_notices_keep_the_generation(self):
        token = memo.generation()
        self.get(reverse("assessment:dashboard"))
        self.client.logout()
        self.client.force_login(self.leader)
        self.assertEqual(memo.generation(), token)
        Accident.objects.filter(pk=make_accident(unit=self.units[1]).pk).delete()
        self.assertNotEqual(memo.generation(), token)

    def test_many_kept_results_never_evict_the_generation(self):
        token = memo.generation()
        for i in range(400):  # past the file cache's MAX_ENTRIES, which culls at random
            memo.cached("filler", i, compute=lambda: "x")
        self.assertEqual(memo.generation(), token)

    def test_another_database_has_its_own_generation(self):
        token = memo.generation()
        other = mock.Mock(settings_dict={"NAME": "another-city"}, in_atomic_block=False)
        memo.data_changed(other)
        self.assertEqual(memo.generation(), token)
        self.assertNotEqual(memo.generation(other), token)

    def test_pages_take_the_same_few_queries_for_6_and_for_30_units(self):
        pages = [reverse("assessment:dashboard"), reverse("assessment:ranking") + "?group=territory"]

        def counts():
            for page in pages:
                self.get(page)  # computes and keeps
            found = []
            for page in pages:
                with CaptureQueriesContext(connection) as queries:
                    self.get(page)
                found.append(len(queries))
            return found

        few = counts()
        add_assessed_units(self.year, 24, 7)
        self.assertEqual(counts(), few)
        # The frame (session, user with the bell, permissions with groups) and the year; the
        # ranking also lists the years. Nothing of the assessment, the accidents or the reports.
        self.assertEqual(few, [4, 5])
