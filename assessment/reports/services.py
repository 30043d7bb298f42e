"""Writes on quarterly reports: save and submit (optimistic locking), review, lock the quarter."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from assessment.accidents import figures as accidents
from assessment.kept import changes
from assessment.models import Evidence, QuarterLock, Report, ReportStatus
from assessment.rules import guardrails
from responsibility.models import IndicatorRule, LetterStatus, ResponsibilityLetter, Target, Unit, Year


@dataclass
class RowInput:
    """What the reporter typed for one target: the version is the one their page was built on."""

    target: Target
    value: Decimal | None
    progress: str
    version: int | None  # None: no report existed when the page was built
    files: list


@dataclass
class UnsavedReportRow:
    """A row the reporter typed that was not saved: someone else saved its report after the page
    was loaded (`stored`), and nothing of theirs was overwritten."""

    target: Target
    stored: Report
    typed: RowInput


def entered_targets(unit: Unit, year: Year) -> list[Target]:
    """The targets a unit reports each quarter: from its signed letter, indicators fed by the unit."""
    return list(
        Target.objects.filter(
            letter__unit=unit,
            letter__year=year,
            letter__status=LetterStatus.SIGNED,
            indicator__source="entered",
        )
        .select_related("indicator", "letter")
        .order_by("indicator__sort_order", "indicator__code")
    )


def is_locked(year: Year, quarter: int) -> bool:
    return QuarterLock.objects.filter(year=year, quarter=quarter).exists()


def check_writable(year: Year, quarter: int, report: Report | None = None) -> None:
    """The one gate of every write to a quarter's reports: the entry form, the Excel import, adding
    and deleting evidence (and any write added later). A locked quarter refuses them all; a
    submitted or approved report refuses changes to itself."""
    if is_locked(year, quarter):
        raise ValidationError(f"{year.year}年第{quarter}季度已锁定，不能再填报。如需补报请联系市安委办。")
    if report is not None and not report.editable:
        raise ValidationError(f"{report.target.indicator.name}{report.get_status_display()}，不能再修改。")


def deadline(year: Year, quarter: int) -> date:
    return dict(year.deadlines())[quarter]


@transaction.atomic
def save_reports(
    unit: Unit, year: Year, quarter: int, rows: list[RowInput], *, user, submit: bool, today: date
) -> list[UnsavedReportRow]:
    """Save the rows as drafts, or submit them for review. Returns the rows not saved, if any.

    Every row is checked against the version the reporter's page was built on; a row saved by
    someone else in between is not written, and is returned as an UnsavedReportRow with the
    stored report.
    Submitted and approved reports are never changed here.
    """
    check_writable(year, quarter)
    existing = {
        report.target_id: report
        for report in Report.objects.select_for_update().filter(
            target__in=[row.target for row in rows], quarter=quarter
        )
    }
    due = deadline(year, quarter)
    now = timezone.now()
    conflicts = []
    new, changed, uploads = [], [], []
    for row in rows:
        report = existing.get(row.target.pk)
        typed_nothing = row.value is None and not row.progress and not row.files
        if report is not None and report.version != row.version:
            unchanged = (row.value, row.progress) == (report.value, report.progress) and not row.files
            if not unchanged:
                conflicts.append(UnsavedReportRow(target=row.target, stored=report, typed=row))
            continue
        if report is not None and not report.editable:
            continue
        if report is None and typed_nothing and not submit:
            continue  # an untouched row of a draft stays unfiled
        unchanged = report is not None and (row.value, row.progress) == (report.value, report.progress)
        if unchanged and not row.files and not submit:
            continue  # saving a draft again writes (and records) only the rows that changed
        if report is None:
            report = Report(target=row.target, unit=unit, year=year, quarter=quarter)
            new.append(report)
        else:
            report.version += 1
            changed.append(report)
        report.value = row.value
        report.progress = row.progress
        report.updated_at = now
        if submit:
            # 迟报 is judged by the first filing: a report filed on time, returned and answered
            # after the deadline is not late; one first filed after the deadline stays late.
            # (A report loaded without its first filing's time counts from its last submission.)
            first = report.first_submitted_at or report.submitted_at
            report.late = today > due if first is None else timezone.localdate(first) > due
            report.first_submitted_at = first or now
            report.status = ReportStatus.SUBMITTED
            report.submitted_by = user
            report.submitted_at = now
        uploads.extend((report, upload) for upload in row.files)
    if conflicts:
        # Nothing half-done: the reporter sees both values and decides.
        return conflicts
    # A page of 60 targets is a handful of statements, history included, not two per row.
    bulk_create_with_history(new, Report, default_user=user)
    # What differs per row goes through bulk_update (a CASE per field and row, slow to build);
    # what is the same for every row is one plain UPDATE. History rows come from the objects.
    _update_values(changed)
    Report.history.bulk_history_create(changed, update=True, default_user=user)
    same = {"version": F("version") + 1, "updated_at": now}
    if submit:
        same |= {
            "status": ReportStatus.SUBMITTED,
            "submitted_by": user,
            "submitted_at": now,
            "first_submitted_at": Coalesce(F("first_submitted_at"), F("submitted_at"), Value(now)),
            "late": Case(
                When(pk__in=[r.pk for r in changed if r.late], then=Value(True)), default=Value(False)
            ),
        }
    Report.objects.filter(pk__in=[report.pk for report in changed]).update(**same)
    for report, upload in uploads:
        Evidence.objects.create(
            report=report,
            file=upload,
            name=upload.safe_name,
            kind=upload.checked_kind,
            size=upload.size,
            uploaded_by=user,
        )
    return conflicts


@transaction.atomic
def delete_evidence(evidence: Evidence, *, user) -> None:
    """Delete a piece of evidence through the reports' gate, its report locked meanwhile."""
    report = (
        Report.objects.select_for_update()
        .select_related("year", "target__indicator")
        .get(pk=evidence.report_id)
    )
    check_writable(report.year, report.quarter, report)
    evidence.delete()


def _update_values(reports: list[Report]) -> None:
    """Each report's value and progress. On PostgreSQL one UPDATE … FROM (VALUES …): Django's
    bulk_update builds a CASE per row and field, about 40 ms of a 60-row save's 110 ms."""
    if not reports:
        return
    if connection.vendor != "postgresql":
        Report.objects.bulk_update(reports, ["value", "progress"])
        return
    table = Report._meta.db_table
    rows = ", ".join(["(%s::bigint, %s::numeric, %s::text)"] * len(reports))
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" AS r SET "value" = v.value, "progress" = v.progress '
            f'FROM (VALUES {rows}) AS v(id, value, progress) WHERE r."id" = v.id',
            [field for r in reports for field in (r.pk, r.value, r.progress)],
        )


def _locked(reports) -> list[Report]:
    """The reports again, locked for the rest of the transaction, with what messages name."""
    return list(
        Report.objects.select_for_update()
        .filter(pk__in=[r.pk for r in reports])
        .select_related("unit", "target__indicator")
    )


def _review(reports: list[Report], *, status: str, user, comment: str, allowed_from: set[str]) -> int:
    now = timezone.now()
    changed = []
    for report in reports:
        if report.status not in allowed_from:
            raise ValidationError(
                f"{report.unit}的 {report.target.indicator.code} 当前为“{report.get_status_display()}”，不能执行此操作。"
            )
        report.status = status
        report.reviewed_by = user
        report.reviewed_at = now
        report.review_comment = comment
        report.version += 1
        changed.append(report)
    bulk_update_with_history(
        changed,
        Report,
        ["status", "reviewed_by", "reviewed_at", "review_comment", "version"],
        default_user=user,
        default_change_reason=comment,
    )
    return len(changed)


@transaction.atomic
def approve(reports, *, user, comment: str = "") -> int:
    """Approve submitted reports; approved reports are locked for the unit."""
    reports = _locked(reports)
    approved = _review(
        reports,
        status=ReportStatus.APPROVED,
        user=user,
        comment=comment,
        allowed_from={ReportStatus.SUBMITTED},
    )
    changes.approved_values_changed(reports)
    return approved


@transaction.atomic
def return_reports(reports, *, user, comment: str) -> int:
    """Send submitted reports back to the unit with a comment shown beside the field."""
    if not comment.strip():
        raise ValidationError("退回时请填写退回意见，告诉单位需要修改什么。")
    reports = _locked(reports)
    return _review(
        reports,
        status=ReportStatus.RETURNED,
        user=user,
        comment=comment,
        allowed_from={ReportStatus.SUBMITTED},
    )


@transaction.atomic
def reopen(report: Report, *, user, reason: str) -> Report:
    """An approved report goes back to the unit; the reason stays in its history."""
    if not reason.strip():
        raise ValidationError("重新打开已通过的填报须说明原因。")
    reports = _locked([report])
    _review(
        reports, status=ReportStatus.RETURNED, user=user, comment=reason, allowed_from={ReportStatus.APPROVED}
    )
    changes.approved_values_changed(reports)  # its value no longer counts
    return reports[0]


@transaction.atomic
def lock_quarter(year: Year, quarter: int, *, user) -> QuarterLock:
    lock, _ = QuarterLock.objects.get_or_create(year=year, quarter=quarter, defaults={"locked_by": user})
    return lock


@transaction.atomic
def unlock_quarter(year: Year, quarter: int, *, user) -> None:
    for lock in QuarterLock.objects.filter(year=year, quarter=quarter):
        lock._history_user = user
        lock.delete()


def signed_letter(unit: Unit, year: Year) -> ResponsibilityLetter | None:
    return ResponsibilityLetter.objects.filter(unit=unit, year=year, status=LetterStatus.SIGNED).first()


def warnings_for(
    target: Target, value: Decimal | None, previous: Decimal | None, register_deaths: int
) -> list[str]:
    """The guardrail warnings on `value` for `target`: the same at entry and in review."""
    rule = target.indicator.rule
    return guardrails.report_warnings(
        value,
        previous,
        counts_deaths=rule == IndicatorRule.CAP_DEDUCTION,
        register_deaths=register_deaths,
        completion_target=target.target_value if rule == IndicatorRule.COMPLETION else None,
    )


def _register_deaths(year: Year) -> dict[int, int]:
    return {unit_id: f.current.deaths for unit_id, f in accidents.accident_figures(year).items()}


def attach_warnings(reports: list[Report]) -> None:
    """Give each report its guardrail warnings, in three queries whatever the number of rows."""
    previous = {
        (r.target_id, r.quarter + 1): r.value
        for r in Report.objects.filter(
            target__in={r.target_id for r in reports}, quarter__in={r.quarter - 1 for r in reports}
        ).only("target_id", "quarter", "value")
    }
    deaths = {year.pk: _register_deaths(year) for year in {r.year for r in reports}}
    for report in reports:
        report.warnings = warnings_for(
            report.target,
            report.value,
            previous.get((report.target_id, report.quarter)),
            deaths.get(report.year_id, {}).get(report.unit_id, 0),
        )


def attach_entry_warnings(unit: Unit, year: Year, rows) -> None:
    """Give each row of the entry page (ReportRowForm) the warnings on the value it shows: the
    value typed when the page was posted and it is a number, else the stored one."""
    deaths = 0
    if any(row.target.indicator.rule == IndicatorRule.CAP_DEDUCTION for row in rows):
        deaths = _register_deaths(year).get(unit.pk, 0)
    for row in rows:
        cleaned = getattr(row, "cleaned_data", None)
        if row.is_bound and cleaned is not None and "value" in cleaned:
            value = cleaned["value"]
        else:
            value = row.report.value if row.report is not None else None
        previous = row.previous.value if row.previous is not None else None
        row.warnings = warnings_for(row.target, value, previous, deaths)
