"""Two people on one quarter's entry page: the one whose save is refused sees everything the other
saved (the value and the 工作进展 text, who and when), and loses nothing typed or attached.

The probe found that a conflict on the progress text alone showed the values but not the other's
text, and that files attached to the refused save were dropped without a word.
"""

from datetime import date
from decimal import Decimal

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment.models import Evidence, Report
from responsibility.models import PendingUpload
from tests.assessment.reports.test_reports import ReportTestCase
from tests.responsibility.test_uploads import PDF

D = Decimal


@time_machine.travel(date(2026, 10, 5))
class EntryConflictTests(ReportTestCase):
    def setUp(self):
        self.client.force_login(self.reporter)

    def save(self, data, user=None):
        if user is not None:
            self.client.force_login(user)
        return self.client.post(self.entry_url(), data | {"save": "1"})

    def colleague_saves(self, value="70", progress="钱进：已完成三处整治"):
        self.save(self.row(self.tasks, value=value, progress=progress), user=self.colleague)
        self.client.force_login(self.reporter)

    def held_token(self, response, indicator) -> str:
        row = next(r for r in response.context["rows"] if r.target.indicator == indicator)
        return row.data[row.add_prefix("held")]

    def test_a_conflict_on_the_progress_text_alone_shows_the_others_text(self):
        self.colleague_saves(value="70", progress="钱进：已完成三处整治")
        response = self.save(self.row(self.tasks, value="70", progress="孙丽：完成两处"))
        self.assertContains(response, "有其他人刚保存过本页的部分指标")
        note = response.context["conflicts"][self.target(self.tasks).pk]
        self.assertIn("钱进 于 2026-10-05", note)
        self.assertIn("保存了 70，工作进展为“钱进：已完成三处整治”", note)
        self.assertIn("您填写的是 70，工作进展为“孙丽：完成两处”", note)
        self.assertContains(response, "孙丽：完成两处")  # still in the field, to save on purpose
        self.assertEqual(self.report(self.tasks).progress, "钱进：已完成三处整治")

    def test_files_attached_to_a_refused_save_are_kept_and_stored_with_the_next(self):
        self.colleague_saves()
        response = self.save(
            self.row(self.tasks, value="80", files=[SimpleUploadedFile("台账.pdf", PDF)])
            | self.row(self.training, value="5", files=[SimpleUploadedFile("培训签到.pdf", PDF)])
        )
        self.assertContains(response, "有其他人刚保存过本页的部分指标")
        self.assertFalse(Evidence.objects.exists())  # nothing half-done
        # Every row's files are kept (the whole save was refused), said at their row.
        self.assertContains(response, "您附上的文件已暂存、尚未保存：台账.pdf")
        self.assertContains(response, "您附上的文件已暂存、尚未保存：培训签到.pdf")
        stored = self.report(self.tasks)
        again = self.save(
            self.row(self.tasks, value="80", version=str(stored.version))
            | {f"t{self.target(self.tasks).pk}-held": self.held_token(response, self.tasks)}
            | self.row(self.training, value="5")
            | {f"t{self.target(self.training).pk}-held": self.held_token(response, self.training)}
        )
        self.assertEqual(again.status_code, 302)
        self.assertEqual(self.report(self.tasks).value, D(80))
        names = dict(Evidence.objects.values_list("name", "report__target__indicator__code"))
        self.assertEqual(names, {"台账.pdf": "C2", "培训签到.pdf": "G1"})
        self.assertEqual(Evidence.objects.get(name="台账.pdf").file.read(), PDF)
        self.assertFalse(PendingUpload.objects.exists())  # the held copies are gone

    def test_files_attached_to_a_save_with_a_field_error_are_kept_too(self):
        response = self.save(
            self.row(self.tasks, value="80", files=[SimpleUploadedFile("台账.pdf", PDF)])
            | self.row(self.training, value="五")
        )
        self.assertContains(response, "累计值须为数字")
        self.assertContains(response, "您附上的文件已暂存、尚未保存：台账.pdf")
        # Submitting now counts the kept file as the evidence C2 requires.
        response = self.client.post(
            self.entry_url(),
            self.row(self.tasks, value="80")
            | {f"t{self.target(self.tasks).pk}-held": self.held_token(response, self.tasks)}
            | self.row(self.training, value="5")
            | {"submit": "1"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(list(Evidence.objects.values_list("name", flat=True)), ["台账.pdf"])
        self.assertEqual(self.report(self.tasks).status, "submitted")

    def test_held_files_are_only_for_the_person_and_the_row_they_were_attached_to(self):
        self.colleague_saves()
        response = self.save(self.row(self.tasks, value="80", files=[SimpleUploadedFile("台账.pdf", PDF)]))
        token = self.held_token(response, self.tasks)
        version = str(self.report(self.tasks).version)
        # Another row of the same person's page cannot claim them…
        self.save(
            self.row(self.tasks, value="70", progress="钱进：已完成三处整治", version=version)
            | self.row(self.training, value="5")
            | {f"t{self.target(self.training).pk}-held": token}
        )
        self.assertEqual(self.report(self.training).value, D(5))
        # …nor the colleague on the same row.
        self.save(
            self.row(self.tasks, value="90", version=version)
            | {f"t{self.target(self.tasks).pk}-held": token}
            | self.row(self.training, value="5", version=str(self.report(self.training).version)),
            user=self.colleague,
        )
        self.assertFalse(Evidence.objects.exists())
        self.assertEqual(Report.objects.get(target=self.target(self.tasks), quarter=3).value, D(90))
