"""Readable change logs from django-simple-history records: who changed what, from what to what."""

from dataclasses import dataclass
from datetime import datetime

ACTIONS = {"+": "新增", "~": "修改", "-": "删除"}


@dataclass
class HistoryRow:
    when: datetime
    action: str
    who: str
    changes: str


def _display(record, field_name: str, value) -> str:
    field = record.instance_type._meta.get_field(field_name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return "—" if value in (None, "") else str(value)


def history_rows(records, *, limit: int = 20, describe=str) -> list[HistoryRow]:
    """The newest `limit` changes, each with the fields it changed against the record before it.

    `records` is a history queryset, newest first, for one object (or one kind of row, whose
    changes `describe` names, e.g. a membership added or removed).
    """
    records = list(records[: limit + 1])
    rows = []
    for newer, older in zip(records[:limit], [*records[1:], None], strict=False):
        if newer.history_type != "~" or older is None:
            changes = describe(newer)
        else:
            delta = newer.diff_against(older, excluded_fields=["updated_at"])
            changes = (
                "；".join(
                    f"{newer.instance_type._meta.get_field(c.field).verbose_name}："
                    f"{_display(newer, c.field, c.old)} → {_display(newer, c.field, c.new)}"
                    for c in delta.changes
                )
                or "（无内容变化）"
            )
        rows.append(
            HistoryRow(
                when=newer.history_date,
                action=ACTIONS[newer.history_type],
                who=str(newer.history_user) if newer.history_user else "系统",
                changes=changes,
            )
        )
    return rows
