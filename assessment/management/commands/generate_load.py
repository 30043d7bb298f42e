"""A big city for benchmarks: N units, N years of signed letters, approved reports and accidents.

    python manage.py generate_load --units 300 --years 10 [--seed 42] [--replace]

Everything it writes is recognisable and removable: unit codes and usernames start with "load",
indicator codes are L01–L60. The demo data (seed_demo) may live in the same database and is never
touched. Years are shared: missing ones are created, existing ones are kept as they are.

On PostgreSQL the two big tables (targets, reports) are written with COPY, everything in one
transaction, then VACUUM ANALYZE; elsewhere with bulk_create in batches. No history rows are
written for load data (bulk writes bypass django-simple-history).
"""

import io
import json
import random
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from assessment.kept import changes
from assessment.models import (
    Accident,
    AccidentExemption,
    Evidence,
    Industry,
    Report,
    ReportStatus,
)
from assessment.rules import grading
from responsibility import roles
from responsibility.models import (
    Indicator,
    IndicatorRule,
    IndicatorSource,
    LetterStatus,
    LetterVersion,
    Membership,
    MembershipRole,
    ResponsibilityLetter,
    Target,
    Unit,
    UnitKind,
    User,
    Year,
    YearStatus,
    default_deadlines,
)
from responsibility.services import doc_number

PREFIX = "load"
INDICATOR_COUNT = 60
INDICATOR_CODES = [f"L{n:02d}" for n in range(1, INDICATOR_COUNT + 1)]
LOAD_PASSWORD = "Load-pass-2026"  # the same hash on every load account, computed once
SORT_BASE = 1000  # after the demo's units and indicators

# Every kind gets the same 60 weights: 59 × 1.65 + 1 × 2.65 = 100.00 points exactly.
WEIGHT = "1.65"
HEAVY_WEIGHT = "2.65"  # L01, the death cap

# (first indicator number, rule, category, topic) — rules mixed as in a real catalog
RULE_PLAN = [
    (1, IndicatorRule.CAP_DEDUCTION, "事故控制", "死亡人数控制"),
    (6, IndicatorRule.COUNT_DEDUCTION, "事故控制", "较大事故控制"),
    (11, IndicatorRule.YOY_DECREASE, "事故控制", "事故起数同比下降"),
    (14, IndicatorRule.COMPLETION, "隐患排查", "隐患排查整治完成率"),
    (28, IndicatorRule.COMPLETION, "宣传培训", "安全培训覆盖率"),
    (41, IndicatorRule.BOOLEAN, "责任落实", "责任制落实"),
    (53, IndicatorRule.ITEM_DEDUCTION, "应急管理", "应急管理工作"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰文斌建国志红波宁浩凯"
PROGRESS = [
    "已按计划推进，组织专项检查{n}次。",
    "召开专题会议{n}次，部署重点工作。",
    "排查隐患{n}处，已完成整改。",
    "开展安全培训{n}场，覆盖重点岗位。",
    "完成季度自查，发现问题{n}个并落实整改。",
    "落实领导带班检查{n}次。",
    "开展应急演练{n}次，修订预案。",
    "督促企业落实主体责任，约谈{n}家。",
]
INDUSTRY_WEIGHTS = [
    (Industry.ROAD, 40),
    (Industry.INDUSTRY_TRADE, 20),
    (Industry.CONSTRUCTION, 14),
    (Industry.FIRE, 8),
    (Industry.HAZCHEM, 4),
    (Industry.SPECIAL_EQUIPMENT, 4),
    (Industry.WATERWAY, 4),
    (Industry.RAIL, 2),
    (Industry.OTHER, 4),
]


def kind_plan(units: int) -> list[str]:
    """About 10 % 板块, 60 % 专业类部门, 20 % 综合类部门, 10 % 市属企业; every group at least one."""
    territory = max(1, round(units * 0.1))
    enterprise = max(1, round(units * 0.1)) if units >= 3 else 0
    general = max(1, round(units * 0.2)) if units >= 4 else 0
    professional = units - territory - enterprise - general
    if professional < 1 and units >= 2:
        professional, general = 1, max(0, general - 1)
    territorial = [UnitKind.DISTRICT, UnitKind.DISTRICT, UnitKind.COUNTY_CITY, UnitKind.DEV_ZONE]
    kinds = [territorial[i % len(territorial)] for i in range(territory)]
    kinds += [UnitKind.DEPT_PROFESSIONAL] * professional
    kinds += [UnitKind.DEPT_GENERAL] * general
    kinds += [UnitKind.ENTERPRISE] * enterprise
    return [str(kind) for kind in kinds]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def load_units():
    return Unit.objects.filter(code__startswith=PREFIX)


def load_users():
    return User.objects.filter(username__startswith=PREFIX)


def load_indicators():
    return Indicator.objects.filter(code__in=INDICATOR_CODES)


class Stopwatch:
    def __init__(self, out):
        self.out = out
        self.stages: list[tuple[str, float, str]] = []

    def run(self, label: str, fn):
        start = time.perf_counter()
        result, counts = fn()
        self.record(label, time.perf_counter() - start, counts)
        return result

    def record(self, label: str, seconds: float, counts: str) -> None:
        self.stages.append((label, seconds, counts))
        self.out.write(f"  {label:<28} {seconds:7.2f} s  {counts}")


def copy_value(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


class Command(BaseCommand):
    help = (
        "Generate a big city for benchmarks (load units, users, 60 indicators, signed letters, "
        "approved reports, accidents) with a fixed seed; --units 300 --years 10 gives 720,000 "
        "reports. Refuses when load data exists unless --replace. No history rows are written "
        "for load data. The demo data is left alone; years are shared and kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=300, help="number of load units (default 300)")
        parser.add_argument(
            "--years", type=int, default=10, help="number of years, ending with the current one (default 10)"
        )
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
        parser.add_argument(
            "--replace", action="store_true", help="delete the previous load data first (years are kept)"
        )

    def handle(self, *args, units: int, years: int, seed: int, replace: bool, **options):
        if units < 1 or years < 1:
            raise CommandError("--units 与 --years 须为正整数。")
        existing = load_units().count()
        if (existing or load_indicators().exists() or load_users().exists()) and not replace:
            raise CommandError(
                f"数据库中已有负载数据（{existing} 个代码以 “{PREFIX}” 开头的单位，或 L01–L60 指标、"
                f"{PREFIX} 开头的账号），未做任何修改。如需重新生成，请加 --replace：先删除旧的负载数据（年度保留）。"
            )
        self.rng = random.Random(seed)
        self.postgres = connection.vendor == "postgresql"
        self.now = timezone.now()
        self.today = timezone.localdate()
        last = self.today.year
        year_numbers = list(range(last - years + 1, last + 1))
        method = "PostgreSQL COPY" if self.postgres else f"{connection.vendor} bulk_create"
        self.stdout.write(
            f"生成负载数据：{units} 个单位 × {years} 个年度（{year_numbers[0]}–{last}），"
            f"种子 {seed}，{method}；不写历史记录（history rows are not written for load data）。"
        )
        watch = Stopwatch(self.stdout)
        started = time.perf_counter()
        self.copy_seconds = {Target: 0.0, Report: 0.0}
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if self.postgres:
                watch.run("drop keys and indexes", self.drop_keys)
            if replace:
                watch.run("delete previous load data", self.delete_load)
            unit_list = watch.run("units, users, memberships", lambda: self.make_units(units))
            indicators = watch.run("indicators", self.make_indicators)
            year_objs = watch.run("years", lambda: self.make_years(year_numbers))
            letters = watch.run("letters", lambda: self.make_letters(unit_list, year_objs))
            self.target_rows = 0
            self.report_rows = 0
            self.target_seconds = self.report_seconds = 0.0
            for year in year_objs:
                self.write_year(year, unit_list, indicators, letters)
            how = "COPY" if self.postgres else "bulk_create"
            for label, seconds, rows, model in (
                ("targets", self.target_seconds, self.target_rows, Target),
                ("reports", self.report_seconds, self.report_rows, Report),
            ):
                watch.record(label, seconds, f"{rows} {label} ({how} {self.copy_seconds[model]:.2f} s)")
            watch.run("accidents", lambda: self.make_accidents(unit_list, year_objs))
            if self.postgres:
                watch.run("rebuild keys and indexes", self.restore_keys)
            # Written past the services: every year's kept assessment is stale, refreshed after commit.
            changes.everything_changed()
            commit_started = time.perf_counter()
        if outermost:
            watch.record("commit", time.perf_counter() - commit_started, "")
        if self.postgres:
            if connection.in_atomic_block:
                self.stdout.write("  (inside a transaction: VACUUM ANALYZE skipped)")
            else:
                watch.run("VACUUM ANALYZE", self.vacuum)
        total = time.perf_counter() - started
        self.stdout.write(f"完成，用时 {total:.1f} s。行数：")
        for model in (Unit, User, Membership, Indicator, ResponsibilityLetter, Target, Report, Accident):
            self.stdout.write(f"  {model._meta.db_table:<40} {model.objects.count():>9}")
        self.stdout.write(
            f"负载账号：{PREFIX}001_r1（填报员）、{PREFIX}001_h1（单位负责人）、{PREFIX}_anweiban（安委办）、"
            f"{PREFIX}_leader（市领导），密码均为 {LOAD_PASSWORD}。无历史记录（not in history）。"
        )

    # --- deleting -----------------------------------------------------------------------

    def delete_load(self):
        """Previous load data, child tables first, with plain DELETEs: no history rows, no row-by-row."""
        deleted: dict[str, int] = {}

        def subquery(queryset):
            sql, params = queryset.order_by().values("pk").query.sql_with_params()
            return sql, list(params)

        def execute(model, where: str, *subqueries):
            parts, params = [], []
            for queryset in subqueries:
                sql, p = subquery(queryset)
                parts.append(sql)
                params += p
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE " + where.format(*parts), params)
                deleted[model._meta.db_table] = deleted.get(model._meta.db_table, 0) + max(cursor.rowcount, 0)

        units, indicators = load_units(), load_indicators()
        letters = ResponsibilityLetter.objects.filter(unit__in=units)
        targets = Target.objects.filter(models.Q(letter__in=letters) | models.Q(indicator__in=indicators))
        reports = Report.objects.filter(models.Q(unit__in=units) | models.Q(target__in=targets))
        accidents = Accident.objects.filter(unit__in=units)
        users = load_users()
        through = Accident.departments.through
        # First the rows of other models that point at load data (e.g. made by running the app on
        # it): through the ORM, so that their own on_delete rules apply.
        handled = {
            Evidence,
            Report,
            Target,
            LetterVersion,
            ResponsibilityLetter,
            Accident,
            AccidentExemption,
            through,
            Membership,
        }
        for model, queryset in (
            (Report, reports),
            (Target, targets),
            (ResponsibilityLetter, letters),
            (Accident, accidents),
            (Unit, units),
            (Indicator, indicators),
        ):
            for rel in model._meta.get_fields(include_hidden=True):
                if not (rel.auto_created and not rel.concrete) or rel.related_model in handled:
                    continue
                if rel.many_to_many:
                    related = rel.through._base_manager.filter(
                        **{f"{rel.field.m2m_reverse_field_name()}__in": queryset.values("pk")}
                    )
                elif getattr(rel, "on_delete", None) in (models.CASCADE, models.PROTECT, models.SET_NULL):
                    related = rel.related_model._base_manager.filter(
                        **{f"{rel.field.name}__in": queryset.values("pk")}
                    )
                else:
                    continue  # history tables (DO_NOTHING, no database constraint)
                n, _ = related.delete()
                if n:
                    deleted[related.model._meta.db_table] = n
        execute(Evidence, "report_id IN ({0})", reports)
        execute(Report.history.model, "unit_id IN ({0})", units)  # rows left by benchmark saves
        execute(Report, "id IN ({0})", reports)
        execute(Target, "id IN ({0})", targets)
        execute(LetterVersion, "letter_id IN ({0})", letters)
        execute(ResponsibilityLetter, "id IN ({0})", letters)
        execute(through, "unit_id IN ({0}) OR accident_id IN ({1})", units, accidents)
        execute(AccidentExemption, "unit_id IN ({0}) OR accident_id IN ({1})", units, accidents)
        execute(Accident, "id IN ({0})", accidents)
        execute(Membership, "unit_id IN ({0}) OR user_id IN ({1})", units, users)
        _, per_model = users.delete()  # CASCADE and SET_NULL through the ORM; users have no history
        deleted[User._meta.db_table] = per_model.get(User._meta.label, 0)
        execute(Unit, "id IN ({0})", units)
        execute(Indicator, "id IN ({0})", indicators)
        summary = ", ".join(f"{table} {n}" for table, n in deleted.items() if n)
        return None, summary or "nothing"

    # --- writing ------------------------------------------------------------------------

    def make_units(self, count: int):
        rng = self.rng
        width = max(3, len(str(count)))
        units = [
            Unit(
                code=f"{PREFIX}{i:0{width}d}",
                name=f"负载单位{i:0{width}d}",
                kind=kind,
                leader_name=person_name(rng),
                deputy_name=person_name(rng),
                sort_order=SORT_BASE + i,
            )
            for i, kind in enumerate(kind_plan(count), start=1)
        ]
        Unit.objects.bulk_create(units, batch_size=1000)
        units = list(load_units().order_by("sort_order"))
        password = make_password(LOAD_PASSWORD)  # once: hashing is deliberately slow
        users, memberships = [], []
        # Five people per unit: three reporters (填报员) and two heads (主要/分管负责人).
        people = [("r1", "reporter"), ("r2", "reporter"), ("r3", "reporter"), ("h1", "head"), ("h2", "head")]
        for unit in units:
            for suffix, _ in people:
                users.append(
                    User(
                        username=f"{unit.code}_{suffix}",
                        name=person_name(rng),
                        email=f"{unit.code}_{suffix}@example.invalid",
                        password=password,
                    )
                )
        city = [(f"{PREFIX}_anweiban", roles.OFFICE), (f"{PREFIX}_leader", roles.LEADER)]
        for username, _ in city:
            users.append(User(username=username, name=person_name(rng), password=password))
        User.objects.bulk_create(users, batch_size=1000)
        by_name = dict(load_users().values_list("username", "pk"))
        for unit in units:
            for suffix, role in people:
                memberships.append(
                    Membership(user_id=by_name[f"{unit.code}_{suffix}"], unit=unit, role=MembershipRole(role))
                )
        Membership.objects.bulk_create(memberships, batch_size=1000)
        group_rows = []
        for username, group_name in city:
            group = Group.objects.filter(name=group_name).first()
            if group is not None:
                group_rows.append(User.groups.through(user_id=by_name[username], group_id=group.pk))
        User.groups.through.objects.bulk_create(group_rows)
        self.office_id = by_name[f"{PREFIX}_anweiban"]
        self.reporter_of = {unit.pk: by_name[f"{unit.code}_r1"] for unit in units}
        return units, f"{len(units)} units, {len(users)} users, {len(memberships)} memberships"

    def make_indicators(self):
        # Active unless another catalog is active (the demo's): then each kind would total 200.
        others_active = Indicator.objects.active().exclude(code__in=INDICATOR_CODES).exists()
        starts = [start for start, *_ in RULE_PLAN]
        indicators = []
        for n, code in enumerate(INDICATOR_CODES, start=1):
            _, rule, category, topic = RULE_PLAN[max(i for i, s in enumerate(starts) if s <= n)]
            weight = HEAVY_WEIGHT if n == 1 else WEIGHT
            params = (
                {"per_unit": "1" if rule == IndicatorRule.CAP_DEDUCTION else "0.5"}
                if rule in (IndicatorRule.CAP_DEDUCTION, IndicatorRule.COUNT_DEDUCTION)
                else {}
            )
            indicators.append(
                Indicator(
                    code=code,
                    name=f"负载指标{n:02d}：{topic}",
                    category=category,
                    rule=rule,
                    source=IndicatorSource.ENTERED,
                    weights=dict.fromkeys(UnitKind.values, weight),
                    params=params,
                    evidence_required=n % 5 == 0,
                    description="负载测试指标（generate_load）。",
                    sort_order=SORT_BASE + n,
                    active=not others_active,
                )
            )
        Indicator.objects.bulk_create(indicators)
        indicators = list(load_indicators().order_by("sort_order"))
        note = " (inactive: another catalog is active)" if others_active else ""
        return indicators, f"{len(indicators)} indicators, 100 points per kind{note}"

    def make_years(self, numbers: list[int]):
        made = 0
        years = []
        for number in numbers:
            year, new = Year.objects.get_or_create(
                year=number,
                defaults={
                    **default_deadlines(number),
                    "status": YearStatus.OPEN if number == self.today.year else YearStatus.PUBLISHED,
                    "accident_window_start": date(number, 1, 1),
                    "accident_window_end": date(number, 12, 31),
                },
            )
            made += new
            years.append(year)
        return years, f"{len(years)} years ({made} created, {len(years) - made} kept)"

    def make_letters(self, units, years):
        rng = self.rng
        letters = []
        for year in years:
            last = ResponsibilityLetter.objects.filter(year=year).aggregate(m=models.Max("doc_seq"))["m"] or 0
            issued = min(date(year.year, 2, 10 + rng.randint(0, 10)), self.today)
            for seq, unit in enumerate(units, start=last + 1):
                signed = min(issued + timedelta(days=rng.randint(2, 12)), self.today)
                letters.append(
                    ResponsibilityLetter(
                        year=year,
                        unit=unit,
                        status=LetterStatus.SIGNED,
                        doc_seq=seq,
                        doc_number=doc_number(year.year, seq),
                        leader_name=unit.leader_name,
                        issuer_name="市安委办",
                        signer_name=unit.leader_name,
                        issued_on=issued,
                        signed_on=signed,
                    )
                )
        ResponsibilityLetter.objects.bulk_create(letters, batch_size=1000)
        ids = {
            (unit_id, year_id): pk
            for pk, unit_id, year_id in ResponsibilityLetter.objects.filter(unit__in=units).values_list(
                "pk", "unit_id", "year_id"
            )
        }
        return ids, f"{len(ids)} signed letters"

    def write_year(self, year, units, indicators, letters):
        """One year's targets, then its reports (4 quarters each), as two bulk writes."""
        rng = self.rng
        start = time.perf_counter()
        target_rows = []
        plans = {}  # (letter id, indicator id) → (rule, target value)
        for unit in units:
            letter_id = letters[unit.pk, year.pk]
            # a unit's size: bigger districts have higher caps and more work
            size = 3.0 if unit.kind in (UnitKind.DISTRICT, UnitKind.COUNTY_CITY) else 1.0
            for indicator in indicators:
                value = self.target_value(indicator.rule, size)
                plans[letter_id, indicator.pk] = (indicator.rule, value)
                target_rows.append(
                    (letter_id, indicator.pk, indicator.weights[unit.kind], value, dict(indicator.params), "")
                )
        self.write(
            Target, ["letter_id", "indicator_id", "weight", "target_value", "params", "wording"], target_rows
        )
        self.target_rows += len(target_rows)
        self.target_seconds += time.perf_counter() - start

        start = time.perf_counter()
        letter_ids = [letters[unit.pk, year.pk] for unit in units]
        targets = (
            Target.objects.filter(letter_id__in=letter_ids)
            .order_by("pk")
            .values_list("pk", "letter_id", "indicator_id")
        )
        unit_of_letter = {letters[unit.pk, year.pk]: unit.pk for unit in units}
        deadlines = dict(year.deadlines())
        # One submission and one review per unit and quarter: the unit files the quarter at once.
        stamps = {}
        for unit in units:
            for quarter in (1, 2, 3, 4):
                late = rng.random() < 0.03
                due = datetime.combine(deadlines[quarter], dtime(10, 0))
                submitted = timezone.make_aware(
                    due + timedelta(days=rng.randint(1, 6) if late else -rng.randint(0, 9))
                )
                reviewed = submitted + timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 6))
                submitted, reviewed = min(submitted, self.now), min(reviewed, self.now)
                stamps[unit.pk, quarter] = (late, submitted.isoformat(), reviewed.isoformat())
        rows = []
        progress = PROGRESS
        for index, (target_id, letter_id, indicator_id) in enumerate(targets.iterator(chunk_size=5000)):
            rule, target_value = plans[letter_id, indicator_id]
            unit_id = unit_of_letter[letter_id]
            values = self.quarter_values(rule, target_value)
            reporter = self.reporter_of[unit_id]
            for quarter in (1, 2, 3, 4):
                late, submitted, reviewed = stamps[unit_id, quarter]
                rows.append(
                    (
                        target_id,
                        unit_id,
                        year.pk,
                        quarter,
                        values[quarter - 1],
                        progress[(index + quarter) % len(progress)].format(n=quarter + index % 7),
                        ReportStatus.APPROVED.value,
                        late,
                        2 if rng.random() < 0.9 else 4,  # some were returned once and filed again
                        reporter,
                        submitted,
                        self.office_id,
                        reviewed,
                        "",
                        reviewed,
                    )
                )
        columns = [
            "target_id",
            "unit_id",
            "year_id",
            "quarter",
            "value",
            "progress",
            "status",
            "late",
            "version",
            "submitted_by_id",
            "submitted_at",
            "reviewed_by_id",
            "reviewed_at",
            "review_comment",
            "updated_at",
        ]
        self.write(Report, columns, rows)
        self.report_rows += len(rows)
        self.report_seconds += time.perf_counter() - start

    def target_value(self, rule: str, size: float) -> str | None:
        rng = self.rng
        if rule == IndicatorRule.CAP_DEDUCTION:
            return str(max(1, round(rng.uniform(2, 8) * size)))
        if rule == IndicatorRule.COUNT_DEDUCTION:
            return "0"
        if rule == IndicatorRule.COMPLETION:
            return rng.choice(("100", "100", "95", "12", "24", "50"))
        return None  # yoy_decrease, boolean, item_deduction: no target value

    def quarter_values(self, rule: str, target_value: str | None) -> list[str]:
        """Four cumulative values, never falling, ending near what a real unit reports."""
        rng = self.rng
        if rule == IndicatorRule.CAP_DEDUCTION:
            year_total = round(int(target_value) * rng.uniform(0.3, 1.15))
        elif rule == IndicatorRule.COUNT_DEDUCTION:
            year_total = 0 if rng.random() < 0.9 else rng.randint(1, 2)
        elif rule == IndicatorRule.YOY_DECREASE:
            year_total = rng.randint(2, 40)
        elif rule == IndicatorRule.COMPLETION:
            goal = Decimal(target_value)
            reached = goal * Decimal(str(round(rng.uniform(0.85, 1.1), 2)))
            return [f"{min(reached * q / 4, goal * Decimal('1.1')):.2f}" for q in (1, 2, 3, 4)]
        elif rule == IndicatorRule.BOOLEAN:
            done = rng.choice((2, 3, 4, 4, 4))
            return ["1" if q >= done else "0" for q in (1, 2, 3, 4)]
        else:  # item_deduction: items completed so far
            year_total = rng.randint(4, 16)
        cuts = sorted(rng.randint(0, year_total) for _ in range(3))
        return [str(v) for v in (*cuts, year_total)]

    def make_accidents(self, units, years):
        rng = self.rng
        territorial = [
            u for u in units if u.kind in (UnitKind.DISTRICT, UnitKind.COUNTY_CITY, UnitKind.DEV_ZONE)
        ]
        departments = [u for u in units if u.kind == UnitKind.DEPT_PROFESSIONAL] or [
            u for u in units if u not in territorial
        ]
        industries = [industry for industry, _ in INDUSTRY_WEIGHTS]
        weights = [w for _, w in INDUSTRY_WEIGHTS]
        accidents, supervised, exempt = [], [], []
        for index, year in enumerate(years):
            # a few dozen a year per ten 板块, falling slowly over the years
            trend = 1.3 - 0.4 * index / max(1, len(years) - 1)
            count = max(3, round(len(territorial) * rng.uniform(2.5, 3.5) * trend))
            start = timezone.make_aware(datetime(year.year, 1, 1))
            end = min(timezone.make_aware(datetime(year.year + 1, 1, 1)), self.now)
            span = max(1, int((end - start).total_seconds()) - 1)
            for n in range(1, count + 1):
                industry = rng.choices(industries, weights)[0]
                unit = rng.choice(territorial)
                roll = rng.random()
                if roll < 0.003:
                    deaths = rng.randint(10, 12)  # 重大: rare
                elif roll < 0.05:
                    deaths = rng.randint(3, 5)  # 较大
                elif roll < 0.25:
                    deaths = 0
                else:
                    deaths = rng.choice((1, 1, 1, 1, 2))
                injuries = rng.choice((0, 0, 0, 1, 2, 3))
                loss = Decimal(rng.randint(50, 5000)) / 10
                if rng.random() < 0.01:
                    loss = Decimal(rng.randint(1000, 1800))  # 较大 by loss
                accident = Accident(
                    occurred_at=start + timedelta(seconds=rng.randint(0, span)),
                    place=f"{unit.name}辖区",
                    title=f"负载事故{year.year}-{n:03d}（{Industry(industry).label}）",
                    industry=industry,
                    unit=unit,
                    deaths=deaths,
                    serious_injuries=injuries,
                    direct_loss=loss,
                    grade=grading.accident_grade(deaths, injuries, loss),
                    reported_late=rng.random() < 0.05,
                    concealed=rng.random() < 0.01,
                    falsely_reported=rng.random() < 0.005,
                )
                accidents.append(accident)
                chosen = {departments[industries.index(industry) % len(departments)].pk}
                if rng.random() < 0.3:
                    chosen.add(rng.choice(departments).pk)
                supervised.append(sorted(chosen))
        Accident.objects.bulk_create(accidents, batch_size=1000)
        if any(a.pk is None for a in accidents):  # a backend that does not return ids
            ids = dict(Accident.objects.filter(unit__in=territorial).values_list("title", "pk"))
            for accident in accidents:
                accident.pk = ids[accident.title]
        through = Accident.departments.through
        links = [
            through(accident_id=accident.pk, unit_id=unit_id)
            for accident, unit_ids in zip(accidents, supervised, strict=True)
            for unit_id in unit_ids
        ]
        through.objects.bulk_create(links, batch_size=1000)
        for accident, unit_ids in zip(accidents, supervised, strict=True):
            if rng.random() < 0.02:
                exempt.append(
                    AccidentExemption(
                        accident=accident, unit_id=unit_ids[0], reason="经调查，监管部门无责任。"
                    )
                )
        AccidentExemption.objects.bulk_create(exempt)
        return None, f"{len(accidents)} accidents, {len(links)} supervising links, {len(exempt)} exemptions"

    def write(self, model, columns: list[str], rows: list[tuple]) -> None:
        """COPY on PostgreSQL; bulk_create in batches elsewhere."""
        if not rows:
            return
        start = time.perf_counter()
        try:
            self._write(model, columns, rows)
        finally:
            self.copy_seconds[model] += time.perf_counter() - start

    def _write(self, model, columns: list[str], rows: list[tuple]) -> None:
        if self.postgres:
            buffer = io.StringIO()
            buffer.writelines("\t".join(map(copy_value, row)) + "\n" for row in rows)
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.copy_expert(
                    f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN", buffer, 1 << 20
                )
            return
        model.objects.bulk_create(
            (model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=2000
        )

    # --- PostgreSQL: load first, index and check after ------------------------------------

    BULK_TABLES = (Target, Report)

    def drop_keys(self):
        """Drop the secondary indexes, unique and foreign keys of the big tables (and the foreign
        keys pointing at them) for the length of the transaction.

        A deferred foreign key is checked row by row at commit (about 30 s for 900,000 rows) and
        every index is updated row by row during COPY; building them again afterwards, each in
        one pass, is several times faster. It all happens in the one transaction: on any error
        the rollback brings every key back. The tables are locked meanwhile.
        """
        tables = [model._meta.db_table for model in self.BULK_TABLES]
        with connection.cursor() as cursor:
            # A table with checks still pending (rows written earlier in an enclosing transaction)
            # cannot be altered: run them now. restore_keys defers them again.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                """
                SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
                FROM pg_constraint
                WHERE (contype IN ('f', 'u') AND conrelid = ANY(%s::regclass[]))
                   OR (contype = 'f' AND confrelid = ANY(%s::regclass[]))
                ORDER BY contype DESC, conname
                """,
                [tables, tables],
            )
            self.dropped_constraints = cursor.fetchall()  # unique ('u') before foreign ('f')
            cursor.execute(
                """
                SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid)
                FROM pg_index i
                WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                ORDER BY 1
                """,
                [tables],
            )
            self.dropped_indexes = cursor.fetchall()
            for table, name, _, _ in self.dropped_constraints:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _ in self.dropped_indexes:
                cursor.execute(f"DROP INDEX {name}")
        return None, f"{len(self.dropped_constraints)} constraints, {len(self.dropped_indexes)} indexes"

    def restore_keys(self):
        with connection.cursor() as cursor:
            for _, definition in self.dropped_indexes:
                cursor.execute(definition)
            for table, name, definition, _ in self.dropped_constraints:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's keys are initially deferred
        return (
            None,
            f"{len(self.dropped_constraints)} constraints checked, {len(self.dropped_indexes)} indexes built",
        )

    def vacuum(self):
        tables = [
            m._meta.db_table
            for m in (Unit, User, Membership, Indicator, ResponsibilityLetter, Target, Report, Accident)
        ] + [Accident.departments.through._meta.db_table]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")
        return None, f"{len(tables)} tables"
