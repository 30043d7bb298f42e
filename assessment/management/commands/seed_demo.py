from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from assessment import demo as assessment_demo
from assessment.kept import changes
from responsibility import demo, services
from responsibility.models import (
    Indicator,
    Membership,
    ResponsibilityLetter,
    Unit,
    User,
    Year,
    YearStatus,
    default_deadlines,
)


class Command(BaseCommand):
    help = "Load the Wuxi demo data. Idempotent: what exists (and whatever was edited) is left alone."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-accounts",
            action="store_true",
            help="不列出演示账号（make run 在最后用 demo_accounts 列出）",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        created = {
            "units": 0,
            "indicators": 0,
            "years": 0,
            "users": 0,
            "letters": 0,
            "accidents": 0,
            "reports": 0,
        }
        units = {}
        for order, (code, name, kind, leader, deputy) in enumerate(demo.UNITS, start=1):
            unit, new = Unit.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "kind": kind,
                    "leader_name": leader,
                    "deputy_name": deputy,
                    "sort_order": order * 10,
                },
            )
            units[code] = unit
            created["units"] += new
        for order, (code, category, name, rule, source, weights, per_unit, evidence) in enumerate(
            demo.CATALOG, 1
        ):
            _, new = Indicator.objects.get_or_create(
                code=code,
                defaults={
                    "category": category,
                    "name": name,
                    "rule": rule,
                    "source": source,
                    "weights": weights,
                    "params": {"per_unit": per_unit} if per_unit else {},
                    "evidence_required": evidence,
                    "sort_order": order * 10,
                    **demo.COUNTING.get(code, {}),
                },
            )
            created["indicators"] += new
        for year, status in [(2025, YearStatus.ASSESSING), (2026, YearStatus.OPEN)]:
            _, new = Year.objects.get_or_create(
                year=year,
                defaults={
                    "status": status,
                    **default_deadlines(year),
                    "accident_window_start": f"{year}-01-01",
                    "accident_window_end": f"{year}-12-31",
                },
            )
            created["years"] += new
        for username, name, city_role, membership in demo.PEOPLE:
            user, new = User.objects.get_or_create(
                username=username, defaults={"name": name, "email": f"{username}@example.invalid"}
            )
            if new:
                user.set_password(demo.DEMO_PASSWORD)
                user.save(update_fields=["password"])
                if city_role:
                    user.groups.add(Group.objects.get(name=city_role))
                if username == "anweiban":
                    user.is_staff = user.is_superuser = True
                    user.save(update_fields=["is_staff", "is_superuser"])
                if membership:
                    code, role = membership
                    Membership.objects.create(user=user, unit=units[code], role=role)
            created["users"] += new
        created["letters"] = self.seed_letters(units)
        today = timezone.localdate()
        created["accidents"] = assessment_demo.seed_accidents(today=today)
        office = User.objects.get(username="anweiban")
        created["reports"] = assessment_demo.seed_reports(office=office, today=today)
        for part, count in assessment_demo.seed_assessment(office=office).items():
            created[part] = count
        created["inspections"] = assessment_demo.seed_inspections(
            office=office, inspector=User.objects.get(username="ducha")
        )
        created["circulars"] = assessment_demo.seed_circulars(office=office, today=today)
        if any(created.values()):
            # Written past the services: the kept assessment of every year is recomputed once this
            # commits (make run seeds with Celery eager, so its pages open on fresh results).
            changes.everything_changed()
        summary = "，".join(f"{k} +{v}" for k, v in created.items())
        self.stdout.write(f"演示数据已就绪（本次新增：{summary}）。")
        if not options["no_accounts"]:
            self.stdout.write("\n".join(demo.account_lines()))

    def seed_letters(self, units) -> int:
        """2025 signed by every unit; 2026 signed by all but one late signer and one draft.

        Each year is seeded once: a year that already has letters is left as it is.
        """
        count = 0
        for year_number, cap_change, issued_on, signed_on in [
            (2025, Decimal(0), date(2025, 2, 20), date(2025, 3, 5)),
            (2026, Decimal(5), date(2026, 2, 16), date(2026, 3, 2)),
        ]:
            year = Year.objects.get(year=year_number)
            if ResponsibilityLetter.objects.filter(year=year).exists():
                continue
            plans = services.plan_letters(year, cap_change_pct=cap_change)
            if year_number == 2025:
                for plan in plans:
                    for target in plan.targets:
                        target.target_value = demo.target_value(plan.unit.code, target.indicator)
            letters = services.create_letters(year, plans)
            count += len(letters)
            to_issue = [
                letter.pk for letter in letters if letter.unit.code != demo.STILL_DRAFT or year_number == 2025
            ]
            issued = services.issue_letters(year, to_issue, issued_on=issued_on, issuer_name="张建华")
            for letter in issued:
                if year_number == 2026 and letter.unit.code == demo.LATE_SIGNER:
                    continue
                services.sign_letter(
                    letter,
                    signer_name=letter.unit.leader_name,
                    signed_on=signed_on,
                    scan=ContentFile(demo.DEMO_SCAN),
                    scan_name=f"{letter.unit.name}{year_number}年度责任书签字盖章页.pdf",
                )
        return count
