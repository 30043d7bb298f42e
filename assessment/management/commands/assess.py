"""Print a year's assessment ranking.

    python manage.py assess --year 2026 [--provisional] [--json]

`--json` prints `assessing.as_json`: a list with one object per unit of the year and the keys unit,
name, group, base, bonus, penalty, score, vetoed, veto_reasons, grade, rank, tier (relied on outside
the code), then status ("signed", "unsigned", "no_targets"), why and missing (the number of 缺报
targets). A unit not ranked (未签订) has null points and rank, and "" grade and tier.
A finalized year prints its snapshot (`finalizing.snapshot_results`) unless --provisional is given.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from assessment.results.assessing import UnitResult, as_json, assess_year
from assessment.results.finalizing import snapshot_results
from assessment.rules import vetoes
from responsibility.models import Year


class Command(BaseCommand):
    help = (
        "计算并打印某年度的考核排名（按组排名、等次、一票否决）。默认按年终口径计算（第四季度填报、"
        "全年事故）；--provisional 按截至今天的最新已审核季度和事故计算。已定稿的年度打印定稿结果。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="考核年度，如 2026")
        parser.add_argument(
            "--provisional",
            action="store_true",
            help="按截至今天的情况预估（最新已审核季度、今天以前的事故）",
        )
        parser.add_argument("--json", action="store_true", help="输出 JSON（每个单位一个对象）")

    def handle(self, *args, **options):
        year, provisional = options["year"], options["provisional"]
        try:
            year_row = Year.objects.get(year=year)
        except Year.DoesNotExist as exc:
            raise CommandError(f"没有 {year} 考核年度。") from exc
        results = None if provisional else snapshot_results(year_row)
        final = results is not None
        if results is None:
            results = assess_year(year_row, provisional=provisional)
        if options["json"]:
            self.stdout.write(json.dumps(as_json(results), ensure_ascii=False, indent=2))
            return
        self.stdout.write(self._table(year, provisional, results, final=final))

    def _table(self, year: int, provisional: bool, results: list[UnitResult], *, final: bool = False) -> str:
        kind = "预估（截至今天）" if provisional else "年终"
        lines = [f"{year}年度安全生产目标责任考核排名（{kind}）" + ("（已定稿）" if final else "")]
        if not results:
            lines.append("没有已签订责任书的单位。")
        group = None
        for r in results:
            if r.unit.group_label != group:
                group = r.unit.group_label
                lines += ["", f"【{group}】", "名次  单位              总分    等级    等次      一票否决"]
            if not r.ranked:
                lines.append(f"{'—':>4}  {_pad(r.unit.name, 16)}  {r.status_label}：{r.why}（不参加排名）")
                continue
            veto = vetoes.shown_all(r.vetoes) or "—"
            if r.missing:
                veto = f"缺报{len(r.missing)}项；{veto}"
            lines.append(
                f"{r.rank:>4}  {_pad(r.unit.name, 16)}  {r.score:>6}  {_pad(r.grade_label, 6)}  {_pad(r.tier_label, 8)}  {veto}"
            )
        return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    """Left-justify counting a CJK character as two columns, so the table lines up in a terminal."""
    used = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(width - used, 0)
