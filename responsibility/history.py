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


def _changes(newer, older) -> str:
    """ "字段：旧值 → 新值" for each field that differs between two records of one object."""
    delta = newer.diff_against(older, excluded_fields=["updated_at"])
    return "；".join(
        f"{newer.instance_type._meta.get_field(c.field).verbose_name}："
        f"{_display(newer, c.field, c.old)} → {_display(newer, c.field, c.new)}"
        for c in delta.changes
    )


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


def grouped_history_rows(records, *, label, limit: int = 50) -> list[HistoryRow]:
    """Changes to several objects of one kind (e.g. a letter's targets), newest first.

    Each change is compared with the previous record of the same object; `label` names the
    object in the row (e.g. the indicator code of a target).
    """
    records = sorted(records, key=lambda h: (h.history_date, h.history_id))
    previous = {}
    rows = []
    for record in records:
        older = previous.get(record.id)
        body = _changes(record, older) if record.history_type == "~" and older is not None else ""
        if record.history_type != "~" or body:
            rows.append(
                HistoryRow(
                    when=record.history_date,
                    action=ACTIONS[record.history_type],
                    who=str(record.history_user) if record.history_user else "系统",
                    changes=f"{label(record)} {body}".strip(),
                )
            )
        previous[record.id] = record
    return _merge_bulk(rows[::-1])[:limit]


def _merge_bulk(rows: list[HistoryRow]) -> list[HistoryRow]:
    """Rows added or deleted together (same person, same minute) read as one: "新增：A1、A2…"."""
    merged: list[HistoryRow] = []
    for row in rows:
        last = merged[-1] if merged else None
        if (
            last is not None
            and row.action in ("新增", "删除")
            and (last.action, last.who) == (row.action, row.who)
            and last.when.replace(second=0, microsecond=0) == row.when.replace(second=0, microsecond=0)
        ):
            last.changes = f"{last.changes}、{row.changes}"
        else:
            merged.append(HistoryRow(row.when, row.action, row.who, row.changes))
    return merged
