"""List the demo accounts and their password (what seed_demo prints after loading the demo).

    python manage.py demo_accounts

`make run` prints them last, with the address, once the server answers.
"""

from django.core.management.base import BaseCommand

from responsibility import demo


class Command(BaseCommand):
    help = "列出演示账号及其密码（seed_demo 创建的账号）。"
    requires_system_checks = []

    def handle(self, *args, **options):
        self.stdout.write("\n".join(demo.account_lines()))
