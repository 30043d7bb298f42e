"""Write a year's workbook (the same as 数据导出 on the site) here and now, without a worker.

    python manage.py export_year 2026 [--output 2026年度全年数据.xlsx]

Prints the rows written, the seconds taken and the process's peak memory, for ops and benchmarks.
"""

import os
import resource
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessment.exports.services import write_workbook
from responsibility.models import Year


class Command(BaseCommand):
    help = "导出某年度的全年数据（Excel：说明、责任单位、目标指标、季度填报、事故、问题隐患、考核结果），与网页上的“数据导出”相同。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="考核年度，如 2026")
        parser.add_argument("--output", help="写入的文件（默认：当前目录下的“<年度>年度全年数据.xlsx”）")

    def handle(self, *args, **options):
        year = options["year"]
        try:
            year_row = Year.objects.get(year=year)
        except Year.DoesNotExist as exc:
            raise CommandError(f"没有 {year} 考核年度。") from exc
        output = Path(options["output"] or f"{year}年度全年数据.xlsx")
        if not output.parent.is_dir():
            raise CommandError(f"目录不存在：{output.parent}")
        # Written beside the target, then moved over it: a run that fails leaves no half a workbook.
        part = output.with_name(output.name + ".part")
        started = time.perf_counter()
        try:
            with part.open("wb") as fileobj:
                rows = write_workbook(year_row, fileobj)
            os.replace(part, output)
        finally:
            part.unlink(missing_ok=True)
        seconds = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        size = output.stat().st_size
        self.stdout.write(
            f"已导出 {year} 年度全年数据：{output}\n"
            f"数据行数 {rows}，用时 {seconds:.1f} 秒，内存峰值 {peak_kib / 1024:.0f} MB（{peak_kib} KiB），"
            f"文件大小 {size / 1024 / 1024:.1f} MB"
        )
