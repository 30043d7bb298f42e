"""Readable change logs from django-simple-history records: who changed what, from what to what.

One helper, `history_rows`, turns the records of one object or of several objects of one kind into
rows, newest first. Each change is compared with the record before it of the same object; what
differs between change logs is given as parameters: the fields compared and how their values
read, the changes that read as a step of their own (a finding's rectification), and the words
for a record with nothing to compare with (an added or deleted row).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

ACTIONS = {"+": "新增", "~": "修改", "-": "删除"}
UNCHANGED = "（无内容变化）"


@dataclass
class HistoryRow:
    when: datetime
    action: str
    who: str
    changes: str


def who(record) -> str:
    """The name of the person who made a change; 系统 for changes made without one."""
    return str(record.history_user) if record.history_user else "系统"


def plain(value) -> str:
    """A value as a change log shows it: — when empty, 是/否 for a flag, else as text."""
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _display(record, field_name: str, value) -> str:
    field = record.instance_type._meta.get_field(field_name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return "—" if value in (None, "") else str(value)


def _every_field_changed(older, newer) -> list[str]:
    """ "字段：旧值 → 新值" for each field that differs, by the model's field names and choices."""
    meta = newer.instance_type._meta
    return [
        f"{meta.get_field(c.field).verbose_name}："
        f"{_display(newer, c.field, c.old)} → {_display(newer, c.field, c.new)}"
        for c in newer.diff_against(older, excluded_fields=["updated_at"]).changes
    ]


Show = Callable[[str, Any], str]
Step = Callable[[Any, Any], tuple[str, str] | None]


def history_rows(
    records: Iterable,
    *,
    describe: Callable[[Any], str] = str,
    fields: Mapping[str, str] | None = None,
    show: Show | None = None,
    step: Step | None = None,
    unchanged: str | None = UNCHANGED,
    label: Callable[[Any], str] | None = None,
    merge_bulk: bool = False,
    limit: int = 20,
) -> list[HistoryRow]:
    """The newest `limit` rows of a change log, newest first.

    `records` are history records in any order (all read): of one object, or of several objects
    of one kind (e.g. a letter's targets), each compared only with the records of its own object.
    A record reads as:
    - `step(older, record)`, when given and it returns (action, text); `older` is the record
      before it of the same object, or None;
    - else, when it adds or deletes, or changes an object with no record before it (left out when
      `unchanged` is None): 新增/修改/删除 and `describe(record)`;
    - else the fields it changed, "字段：旧值 → 新值；…": `fields` maps the attributes compared to
      their labels and `show(name, value)` says how a value reads (default: every field but
      updated_at, by its verbose name and choices); with no field changed it reads `unchanged`,
      or is left out when `unchanged` is None.
    `label(record)`, when given, names the object before the changes (and is the default
    `describe`). With `merge_bulk`, rows added or deleted together read as one.
    """
    if label is not None and describe is str:
        describe = label
    records = sorted(records, key=lambda r: (r.history_date, r.history_id))
    previous: dict[Any, Any] = {}
    rows: list[HistoryRow] = []
    for record in records:
        older = previous.get(record.id)
        previous[record.id] = record
        made = step(older, record) if step else None
        if made is not None:
            action, text = made
        elif record.history_type != "~" or (older is None and unchanged is not None):
            action, text = ACTIONS[record.history_type], describe(record)
        elif older is None:
            continue  # a change to an object whose earlier records are missing: nothing to compare
        else:
            changed = _fields_changed(older, record, fields, show)
            if not changed and unchanged is None:
                continue
            action = ACTIONS["~"]
            text = "；".join(changed) or unchanged
            if label is not None:
                text = f"{label(record)} {text}".strip()
        rows.append(HistoryRow(record.history_date, action, who(record), text))
    rows.reverse()
    return (_merge_bulk(rows) if merge_bulk else rows)[:limit]


def _fields_changed(older, newer, fields: Mapping[str, str] | None, show: Show | None) -> list[str]:
    if fields is None:
        return _every_field_changed(older, newer)
    show = show or (lambda name, value: _display(newer, name, value))
    return [
        f"{label}：{show(name, getattr(older, name))} → {show(name, getattr(newer, name))}"
        for name, label in fields.items()
        if getattr(older, name) != getattr(newer, name)
    ]


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
