"""Bring the kept assessment up to date (the Celery beat job, by hand).

    python manage.py refresh_kept [--year 2026] [--all]

Without options: the years whose marks wait and the current year on a new day (the beat's round).
`--year` refreshes that year; `--all` first marks every unit of it stale (after writes made past
the services: the admin, psql). Prints how many unit results were computed.
"""

from django.core.management.base import BaseCommand, CommandError

from assessment.kept import changes
from assessment.results import keeping
from responsibility.models import Year


class Command(BaseCommand):
    help = "重新计算保留的考核结果：默认计算有待更新标记的年度；--year 指定年度，--all 重算该年度全部单位。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="考核年度，例如 2026")
        parser.add_argument("--all", action="store_true", help="重算该年度全部单位（须同时给 --year）")

    def handle(self, *args, year: int | None, all: bool, **options):
        if year is None:
            if all:
                raise CommandError("--all 须与 --year 一起使用，例如 --year 2026 --all。")
            done = keeping.refresh_due()
        else:
            found = Year.objects.filter(year=year).first()
            if found is None:
                raise CommandError(f"没有{year}年度。")
            if all:
                changes.mark_stale(found, changes.EVERY_UNIT, why="手动重算")
            done = {found.pk: keeping.refresh(found.pk)}
        years = dict(Year.objects.filter(pk__in=done).values_list("pk", "year"))
        for pk, computed in sorted(done.items(), key=lambda item: years[item[0]]):
            self.stdout.write(f"{years[pk]}年度：计算了 {computed} 个单位结果。")
        if not done:
            self.stdout.write("没有需要更新的年度。")
