"""Send the day's reminders (the Celery beat job, by hand).

    python manage.py send_reminders [--date YYYY-MM-DD]

Runs the ladder as of the date (default: today in Asia/Shanghai) and prints how many notices of
each kind it wrote. Safe to run again: a notice already sent is never sent twice.
"""

import argparse
from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from assessment.models import NotificationKind
from assessment.notices import reminders


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"日期格式应为 YYYY-MM-DD，例如 2026-10-03（收到：{value}）"
        ) from exc


class Command(BaseCommand):
    help = "按催报规则发送当天的站内提醒和邮件（默认今天；--date 指定日期）。重复运行不会重复发送。"

    def add_arguments(self, parser):
        parser.add_argument("--date", type=parse_date, help="按该日期运行，格式 YYYY-MM-DD，默认今天")

    def handle(self, *args, **options):
        today = options["date"] or timezone.localdate()
        counts = reminders.send_reminders(today)
        labels = dict(NotificationKind.choices)
        lines = [f"  {labels[kind]}：{n} 条" for kind, n in counts.items() if kind in labels and n]
        if counts["circulars_drafted"]:
            lines.append(f"  起草催报通报：{counts['circulars_drafted']} 份")
        total = sum(n for kind, n in counts.items() if kind in labels)
        self.stdout.write(f"{today:%Y-%m-%d} 提醒已发送：新增 {total} 条。")
        if lines:
            self.stdout.write("\n".join(lines))
