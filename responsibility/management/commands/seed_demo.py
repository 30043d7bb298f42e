from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from responsibility import demo
from responsibility.models import Indicator, Membership, Unit, User, Year, YearStatus, default_deadlines


class Command(BaseCommand):
    help = "Load the Wuxi demo data. Idempotent: what exists (and whatever was edited) is left alone."

    @transaction.atomic
    def handle(self, *args, **options):
        created = {"units": 0, "indicators": 0, "years": 0, "users": 0}
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
        summary = "，".join(f"{k} +{v}" for k, v in created.items())
        self.stdout.write(f"演示数据已就绪（本次新增：{summary}）。")
        roles = dict(Membership._meta.get_field("role").choices)
        self.stdout.write(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
        for username, name, city_role, membership in demo.PEOPLE:
            role = city_role or f"{units[membership[0]].name}{roles[membership[1]]}"
            self.stdout.write(f"  {username:<12} {name:<6} {role}")
