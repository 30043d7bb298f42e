"""Writes on inspections and their findings: record and revise an inspection, and the rectification.

A finding moves open → submitted (the unit reports its rectification) → verified (an inspector or
the 安委办 checks it), or back to open when the rectification is rejected with a reason. A 重大事故隐患
reads the same steps as 挂牌督办 → 申请验收 → 验收通过, and the 安委办 then closes it (销号).

Every transition takes the `version` the user's page was built on: when someone else acted on the
finding in between, nothing is written and `StaleFindingError` says who did what.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from assessment.kept import changes
from assessment.models import Finding, FindingFile, FindingStatus, Inspection, NotificationKind
from assessment.notices.services import Notice, notify
from responsibility.models import Membership, Unit, Year

PROBLEM_SHORT = 40  # characters of the problem named in notices and deductions


@dataclass
class FindingInput:
    """One finding as the inspector typed it; `pk` and `version` when it exists already."""

    unit: Unit
    problem: str
    deadline: date
    major_hazard: bool = False
    listing_level: str = ""
    photos: list = field(default_factory=list)  # uploads checked by content (checked_kind, safe_name)
    pk: int | None = None
    version: int | None = None
    delete: bool = False
    remove_photos: list[int] = field(default_factory=list)  # FindingFile ids


class StaleFindingError(ValidationError):
    """The user acted on a stale page: someone else acted on the finding after it was loaded, so
    nothing was written (optimistic locking on `Finding.version`)."""


def short(text: str, length: int = PROBLEM_SHORT) -> str:
    """The first `length` characters of a text on one line, with … when cut."""
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length] + "…"


def year_for(day: date) -> Year | None:
    """The 考核年度 an inspection on `day` belongs to: the one whose accident window holds the day
    (a city counting 1 Dec–30 Nov puts a December inspection in the next year), else the calendar year."""
    return (
        Year.objects.filter(accident_window_start__lte=day, accident_window_end__gte=day)
        .order_by("year")
        .first()
        or Year.objects.filter(year=day.year).first()
    )


def editable(inspection: Inspection) -> bool:
    """An inspection may be revised until one of its findings has been reported rectified."""
    reported = Q(rectified_at__isnull=False) | ~Q(status=FindingStatus.OPEN)
    return not inspection.findings.filter(reported).exists()


# --- notices ---------------------------------------------------------------------------


def _members(unit_ids: Iterable[int]) -> dict[int, list[int]]:
    """Active reporters and heads of each unit: {unit id: [user id]}."""
    members: dict[int, list[int]] = defaultdict(list)
    for unit_id, user_id in (
        Membership.objects.filter(unit_id__in=set(unit_ids), user__is_active=True)
        .order_by("unit_id", "user_id")
        .values_list("unit_id", "user_id")
    ):
        members[unit_id].append(user_id)
    return members


def _finding_label(finding: Finding) -> str:
    if finding.major_hazard:
        return f"重大事故隐患（{finding.get_listing_level_display()}）"
    return "问题"


def _notify_new(findings: list[Finding], inspection: Inspection) -> int:
    members = _members(f.unit_id for f in findings)
    notices = [
        Notice(
            recipient_id=user_id,
            kind=NotificationKind.FINDING_NEW,
            key=f"finding_new:{finding.pk}:{user_id}",
            title=f"{inspection.get_kind_display()}发现{finding.unit.name}{_finding_label(finding)}，请于{finding.deadline:%Y-%m-%d}前整改",
            text=(
                f"{inspection.date:%Y-%m-%d} {inspection.get_kind_display()}（{inspection.team}）发现"
                f"{finding.unit.name}{_finding_label(finding)}：{short(finding.problem, 80)}\n"
                f"整改期限：{finding.deadline:%Y-%m-%d}。整改完成后请在平台上报整改情况并上传佐证材料。"
            ),
            link=finding.get_absolute_url(),
        )
        for finding in findings
        for user_id in members.get(finding.unit_id, [])
    ]
    return notify(notices)


def _notify_rejected(finding: Finding) -> int:
    notices = [
        Notice(
            recipient_id=user_id,
            kind=NotificationKind.FINDING_REJECTED,
            key=f"finding_rejected:{finding.pk}:{finding.version}:{user_id}",
            title=f"整改被退回：{short(finding.problem, 30)}",
            text=(
                f"{finding.unit.name}报送的整改情况未通过核查，请继续整改后重新报送。\n"
                f"退回理由：{finding.rejection_reason}\n整改期限：{finding.deadline:%Y-%m-%d}。"
            ),
            link=finding.get_absolute_url(),
        )
        for user_id in _members([finding.unit_id]).get(finding.unit_id, [])
    ]
    return notify(notices)


# --- inspections -----------------------------------------------------------------------


def _save_files(finding: Finding, uploads, *, purpose: str, by) -> None:
    for upload in uploads:
        FindingFile.objects.create(
            finding=finding,
            purpose=purpose,
            file=upload,
            name=upload.safe_name,
            kind=upload.checked_kind,
            size=upload.size,
            uploaded_by=by,
        )


def _new_finding(inspection: Inspection, item: FindingInput, *, by) -> Finding:
    finding = Finding(
        inspection=inspection,
        unit=item.unit,
        problem=item.problem.strip(),
        major_hazard=item.major_hazard,
        listing_level=item.listing_level if item.major_hazard else "",
        deadline=item.deadline,
    )
    finding._history_user = by
    finding.save()
    _save_files(finding, item.photos, purpose=FindingFile.PHOTO, by=by)
    return finding


@transaction.atomic
def record_inspection(
    *,
    by,
    kind: str,
    date: date,
    team: str,
    units: Iterable[Unit],
    summary: str = "",
    findings: list[FindingInput],
) -> Inspection:
    """Record an inspection with its findings and photos; each finding's unit is notified."""
    year = year_for(date)
    if year is None:
        raise ValidationError({"date": f"系统中还没有{date.year}年度，请先由市安委办新增考核年度。"})
    inspection = Inspection(
        year=year, kind=kind, date=date, team=team.strip(), summary=summary.strip(), created_by=by
    )
    inspection._history_user = by
    inspection.save()
    inspection.units.set(units)
    created = [_new_finding(inspection, item, by=by) for item in findings if not item.delete]
    if created:
        _notify_new(created, inspection)
        changes.findings_changed(year, {f.unit_id for f in created})
    return inspection


def _check_version(stored: Finding, version: int | None) -> None:
    if version is not None and stored.version == version:
        return
    last = stored.history.select_related("history_user").first()
    who = str(last.history_user) if last and last.history_user else "其他人"
    when = f"{timezone.localtime(last.history_date):%m-%d %H:%M}" if last else ""
    raise StaleFindingError(
        f"{who}已于{when}处理了这条问题（现为“{stored.status_label}”），您的操作未保存。"
        "请核对下方的最新情况；您填写的内容仍保留着。",
        code="conflict",
    )


@transaction.atomic
def revise_inspection(
    inspection: Inspection,
    *,
    by,
    kind: str,
    date: date,
    team: str,
    units: Iterable[Unit],
    summary: str = "",
    findings: list[FindingInput],
) -> Inspection:
    """Change an inspection and its findings (add, change, delete, photos) while none is rectified.

    Each existing finding is checked against the version the inspector's page was built on. A
    finding added, or moved to another unit, notifies that unit.
    """
    locked = (
        Finding.objects.select_for_update(of=("self",)).filter(inspection=inspection).select_related("unit")
    )
    stored = {f.pk: f for f in locked}
    if any(f.status != FindingStatus.OPEN or f.rectified_at for f in stored.values()):
        raise ValidationError(
            "已有单位报送了整改情况，本次督查不能再修改。如需更正，请在问题页面退回或核查。"
        )
    year = year_for(date)
    if year is None:
        raise ValidationError({"date": f"系统中还没有{date.year}年度，请先由市安委办新增考核年度。"})
    for item in findings:
        if item.pk is not None:
            if item.pk not in stored:
                raise ValidationError("要修改的问题已不在本次督查中，请刷新页面后重试。")
            _check_version(stored[item.pk], item.version)
    touched = {f.unit_id for f in stored.values()} | {item.unit.pk for item in findings}
    for affected in {inspection.year_id, year.pk}:  # its findings count for its year, before and after
        changes.findings_changed(affected, touched)
    inspection.year, inspection.kind, inspection.date = year, kind, date
    inspection.team, inspection.summary = team.strip(), summary.strip()
    inspection._history_user = by
    inspection.save()
    inspection.units.set(units)
    to_notify = []
    for item in findings:
        if item.pk is None:
            if not item.delete:
                to_notify.append(_new_finding(inspection, item, by=by))
            continue
        finding = stored[item.pk]
        finding._history_user = by
        if item.delete:
            finding.delete()
            continue
        values = {
            "unit": item.unit,
            "problem": item.problem.strip(),
            "major_hazard": item.major_hazard,
            "listing_level": item.listing_level if item.major_hazard else "",
            "deadline": item.deadline,
        }
        moved = finding.unit_id != item.unit.pk
        changed = [name for name, value in values.items() if getattr(finding, name) != value]
        if changed:
            for name in changed:
                setattr(finding, name, values[name])
            finding.version += 1
            finding.save(update_fields=[*changed, "version"])
        if item.remove_photos:
            finding.files.filter(purpose=FindingFile.PHOTO, pk__in=item.remove_photos).delete()
        _save_files(finding, item.photos, purpose=FindingFile.PHOTO, by=by)
        if moved:
            to_notify.append(finding)
    if to_notify:
        _notify_new(to_notify, inspection)
    return inspection


# --- rectification ---------------------------------------------------------------------


def _locked(finding: Finding) -> Finding:
    return (
        Finding.objects.select_for_update(of=("self",))
        .select_related("unit", "inspection")
        .get(pk=finding.pk)
    )


def _save(finding: Finding, by, fields: list[str]) -> Finding:
    finding.version += 1
    finding._history_user = by
    finding.save(update_fields=[*fields, "version"])
    return finding


def _refuse(finding: Finding, action: str) -> None:
    raise ValidationError(f"这条问题当前为“{finding.status_label}”，不能{action}。")


@transaction.atomic
def report_rectification(finding: Finding, *, by, text: str, files: list, version: int | None) -> Finding:
    """The unit reports what it fixed, with evidence: open → submitted (申请验收 for a 重大隐患)."""
    stored = _locked(finding)
    _check_version(stored, version)
    if stored.status != FindingStatus.OPEN:
        _refuse(stored, "报送整改")
    if not text.strip():
        raise ValidationError({"rectification": "请填写整改情况：采取了哪些措施、整改到什么程度。"})
    if not files and not stored.files.filter(purpose=FindingFile.EVIDENCE).exists():
        raise ValidationError({"files": "请上传整改佐证材料（整改后照片、验收报告等，PDF 或 JPEG/PNG）。"})
    _save_files(stored, files, purpose=FindingFile.EVIDENCE, by=by)
    stored.status = FindingStatus.SUBMITTED
    stored.rectification = text.strip()
    stored.rectified_by = by
    stored.rectified_at = timezone.now()
    stored.rejection_reason = ""
    return _save(stored, by, ["status", "rectification", "rectified_by", "rectified_at", "rejection_reason"])


@transaction.atomic
def verify_finding(finding: Finding, *, by, version: int | None) -> Finding:
    """An inspector or the 安委办 accepts the rectification: submitted → verified (验收通过)."""
    stored = _locked(finding)
    _check_version(stored, version)
    if stored.status != FindingStatus.SUBMITTED:
        _refuse(stored, "验收" if stored.major_hazard else "核查")
    stored.status = FindingStatus.VERIFIED
    stored.verified_by = by
    stored.verified_at = timezone.now()
    changes.findings_changed(stored.inspection.year_id, [stored.unit_id])  # no longer overdue
    return _save(stored, by, ["status", "verified_by", "verified_at"])


@transaction.atomic
def reject_rectification(finding: Finding, *, by, reason: str, version: int | None) -> Finding:
    """The rectification falls short: back to open with the reason, and the unit is told."""
    if not reason.strip():
        raise ValidationError({"reason": "退回时请填写退回理由，告诉单位还需要怎样整改。"})
    stored = _locked(finding)
    _check_version(stored, version)
    if stored.status != FindingStatus.SUBMITTED:
        _refuse(stored, "退回")
    stored.status = FindingStatus.OPEN
    stored.rejection_reason = reason.strip()
    _save(stored, by, ["status", "rejection_reason"])
    _notify_rejected(stored)
    return stored


@transaction.atomic
def close_hazard(finding: Finding, *, by, version: int | None) -> Finding:
    """销号: the 安委办 closes a 重大事故隐患 whose rectification passed 验收."""
    stored = _locked(finding)
    _check_version(stored, version)
    if not stored.major_hazard:
        raise ValidationError("只有重大事故隐患需要销号；一般问题核查通过即办结。")
    if stored.status != FindingStatus.VERIFIED:
        _refuse(stored, "销号")
    stored.status = FindingStatus.CLOSED
    stored.closed_at = timezone.now()
    return _save(stored, by, ["status", "closed_at"])
