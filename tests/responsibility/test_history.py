"""The one change-log helper, with each of the parameters its pages use."""

from django.test import TestCase

from responsibility.history import UNCHANGED, history_rows, plain
from responsibility.models import Unit
from tests.factories import make_office_user, make_unit


class HistoryRowsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.office = make_office_user(name="赵安平")
        cls.unit = make_unit(name="梁溪区", leader_name="王建国")
        cls.other = make_unit(name="滨湖区")

    def edit(self, unit: Unit, *, by=None, **fields) -> None:
        for name, value in fields.items():
            setattr(unit, name, value)
        unit._history_user = by
        unit.save()

    def records(self, *units):
        return Unit.history.filter(id__in=[u.pk for u in units]).select_related("history_user")

    def test_each_change_shows_the_fields_it_changed_newest_first(self):
        self.edit(self.unit, leader_name="李四", by=self.office)
        self.edit(self.unit, active=False)

        rows = history_rows(self.records(self.unit), describe=lambda r: f"{r.name}（{r.code}）")

        self.assertEqual([row.action for row in rows], ["修改", "修改", "新增"])
        self.assertEqual([row.who for row in rows], ["系统", "赵安平", "系统"])
        self.assertEqual(rows[0].changes, "启用：是 → 否")
        self.assertEqual(rows[1].changes, "主要负责人：王建国 → 李四")
        self.assertEqual(rows[2].changes, f"梁溪区（{self.unit.code}）")

    def test_a_save_that_changes_nothing_says_so_or_is_left_out(self):
        self.edit(self.unit)
        self.assertEqual(history_rows(self.records(self.unit))[0].changes, UNCHANGED)
        self.assertEqual(
            [row.action for row in history_rows(self.records(self.unit), unchanged=None)], ["新增"]
        )

    def test_records_of_several_objects_are_each_compared_with_their_own(self):
        self.edit(self.unit, leader_name="李四")
        self.edit(self.other, leader_name="周五")
        self.edit(self.unit, leader_name="孙六")

        rows = history_rows(self.records(self.unit, self.other), label=lambda r: r.name)

        self.assertEqual(
            [row.changes for row in rows[:3]],
            [
                "梁溪区 主要负责人：李四 → 孙六",
                "滨湖区 主要负责人：— → 周五",
                "梁溪区 主要负责人：王建国 → 李四",
            ],
        )
        self.assertEqual([row.changes for row in rows[3:]], ["滨湖区", "梁溪区"])  # as added

    def test_the_fields_compared_and_how_their_values_read(self):
        self.edit(self.unit, leader_name="李四", sort_order=5)

        rows = history_rows(
            self.records(self.unit),
            fields={"sort_order": "排序号", "active": "启用"},
            show=lambda name, value: f"第{value}位",
            unchanged=None,
        )

        self.assertEqual(rows[0].changes, "排序号：第100位 → 第5位")  # the leader is not compared
        self.edit(self.unit, leader_name="孙六")
        rows = history_rows(self.records(self.unit), fields={"sort_order": "排序号"}, unchanged=None)
        self.assertEqual(len(rows), 2)  # the change of an untracked field is left out

    def test_a_step_reads_as_a_row_of_its_own(self):
        self.edit(self.unit, active=False, by=self.office)
        self.edit(self.unit, leader_name="李四")

        def step(older, record):
            if older is None:
                return "建立", record.name
            if older.active and not record.active:
                return "停用", ""
            return None

        rows = history_rows(self.records(self.unit), step=step)

        self.assertEqual(
            [(r.action, r.who, r.changes) for r in rows[1:]],
            [("停用", "赵安平", ""), ("建立", "系统", "梁溪区")],
        )
        self.assertEqual((rows[0].action, rows[0].changes), ("修改", "主要负责人：王建国 → 李四"))

    def test_rows_added_together_merge_into_one(self):
        rows = history_rows(self.records(self.unit, self.other), label=lambda r: r.name, merge_bulk=True)
        self.assertEqual([(row.action, row.changes) for row in rows], [("新增", "滨湖区、梁溪区")])

    def test_a_change_with_no_earlier_record_is_described_or_left_out(self):
        self.edit(self.unit, leader_name="李四")
        latest = list(self.records(self.unit).order_by("-history_date")[:1])

        self.assertEqual(
            [(r.action, r.changes) for r in history_rows(latest, describe=lambda r: r.name)],
            [("修改", "梁溪区")],
        )
        self.assertEqual(history_rows(latest, unchanged=None), [])

    def test_only_the_newest_rows_up_to_the_limit(self):
        for order in range(1, 6):
            self.edit(self.unit, sort_order=order)
        rows = history_rows(self.records(self.unit), limit=2)
        self.assertEqual([row.changes for row in rows], ["排序：4 → 5", "排序：3 → 4"])

    def test_plain_values(self):
        self.assertEqual(
            [plain(None), plain(""), plain(True), plain(False), plain(3)], ["—", "—", "是", "否", "3"]
        )
