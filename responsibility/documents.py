"""The printed 安全生产责任书: what the A4 document says, and the PDF made from it.

One template serves both the browser's print view (returned as HTML by a view) and the PDF
rendered here through WeasyPrint. Nothing is fetched from the network: fonts are the system's
Noto CJK by name, and the fetcher refuses every URL that is not a file inside the project.
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string

from assessment.rules import vetoes, wording

from .forms import INDUSTRIES
from .models import (
    GROUP_OF_KIND,
    IndicatorRule,
    IndicatorSource,
    LetterStatus,
    ResponsibilityLetter,
    Target,
    UnitGroup,
)

TEMPLATE = "responsibility/letter_document.html"
NOT_ISSUED = "（未下发）"


def chinese_date(value) -> str:
    """2026年2月1日: the form dates take in letters and circulars (no leading zeros)."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def format_weight(value: Decimal | None) -> str:
    return f"{value or 0:.2f}"


def format_target_value(value: Decimal | None) -> str:
    """19.50 → 19.5, 20.00 → 20, none → —."""
    if value is None:
        return "—"
    return f"{value.normalize():f}"


def _scope(letter: ResponsibilityLetter) -> str:
    """What the unit answers for: its territory, its sector, or its own enterprise."""
    group = GROUP_OF_KIND[letter.unit.kind]
    if group == UnitGroup.TERRITORY:
        return "本地区"
    if group == UnitGroup.ENTERPRISE:
        return "本企业"
    return "本行业领域"


def default_letter_text(letter: ResponsibilityLetter) -> str:
    """The body of a letter whose own text is empty: purpose, duties, targets, assessment, term.
    The 一票否决 and 黄牌 clauses are not in it: `letter_words` writes them from the year's rules."""
    year = letter.year.year
    unit = letter.unit.name
    city = settings.CITY_NAME
    scope = _scope(letter)
    paragraphs = [
        f"为深入贯彻落实安全生产法律法规和{city}委、{city}政府关于安全生产工作的决策部署，"
        f"压紧压实安全生产责任，有效防范和坚决遏制各类生产安全事故，保障人民群众生命财产安全，"
        f"{city}人民政府（甲方）与{unit}（乙方）签订{year}年度安全生产目标管理责任书。",
        f"乙方坚持党政同责、一岗双责、齐抓共管、失职追责，主要负责人是{scope}安全生产第一责任人，"
        f"对{scope}安全生产工作全面负责；分管负责人负直接领导责任；其他负责人对分管范围内的安全生产工作负责。",
        f"乙方{year}年度安全生产控制目标和工作任务见本责任书所附《目标任务表》，各项目标分值合计100分。"
        f"乙方应当按季度如实填报目标完成情况，并按要求提供佐证材料。",
        f"甲方委托{settings.OFFICE_NAME}于年终组织考核，考核结果分为优秀、良好、合格、不合格四个等级，"
        "作为对乙方领导班子和领导干部综合考核评价的重要依据。",
        f"本责任书有效期自{year}年1月1日至{year}年12月31日。乙方主要负责人工作变动的，由继任者履行本责任书。"
        f"本责任书一式两份，甲乙双方各执一份。",
    ]
    return "\n\n".join(paragraphs)


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def target_commitment(target) -> str:
    """The wording a target prints: the admin's own, or the one `wording.target_commitment` writes
    from what the engine scores it by (results.loading.scoring_params): the indicator's params with the
    target's over them, and what a derived indicator counts. Reads fields only, so it serves
    historical models in migrations too; the year's export passes a reduced stand-in (wording,
    target value, rule), hence the defaults."""
    if target.wording:
        return target.wording
    indicator = target.indicator
    params = {**(getattr(indicator, "params", None) or {}), **(getattr(target, "params", None) or {})}
    derived = getattr(indicator, "source", "") == IndicatorSource.DERIVED
    measure = getattr(indicator, "measure", "") if derived else ""
    label = unit = None
    if measure:
        label = wording.counted_label(measure, indicator.grades, indicator.industries, dict(INDUSTRIES))
        unit = wording.MEASURE_UNITS[measure]
    return wording.target_commitment(
        indicator.rule,
        weight=getattr(target, "weight", 0) or 0,
        target_value=target.target_value,
        params=params,
        label=label,
        unit=unit,
        counts_findings=derived and indicator.rule == IndicatorRule.ITEM_DEDUCTION,
    )


def _sorted_targets(letter) -> list:
    return sorted(letter.targets.all(), key=lambda t: (t.indicator.sort_order, t.indicator.code))


def veto_paragraphs(letter, targets) -> list[str]:
    """The 一票否决 clause and the 黄牌 sentence, from the year's rules as the engine applies them to
    this unit: its kind, and its death cap (the target whose indicator `is_death_cap`)."""
    rules = vetoes.rules_from_config(letter.year.veto_rules)
    cap = next((t.target_value for t in targets if t.indicator.is_death_cap), None)
    kind = letter.unit.kind
    clause = wording.veto_clause(rules, kind=kind, death_cap=cap, pass_line=letter.year.pass_min)
    return [clause, *filter(None, [wording.yellow_clause(rules, kind=kind, death_cap=cap)])]


def letter_words(letter) -> dict:
    """What the letter says under today's rules: {"paragraphs": [...], "targets": {code: words}}.

    The letter's own text wins over the default body; the veto paragraphs are always the rules'
    (before the closing paragraph of the default body, after an own text). Expects `unit` and
    `year` selected, `targets__indicator` prefetched; reads fields only (see `target_commitment`).
    """
    targets = _sorted_targets(letter)
    own = letter.text.strip()
    body = _paragraphs(own or default_letter_text(letter))
    clauses = veto_paragraphs(letter, targets)
    paragraphs = [*body, *clauses] if own else [*body[:-1], *clauses, body[-1]]
    return {
        "paragraphs": paragraphs,
        "targets": {t.indicator.code: target_commitment(t) for t in targets},
    }


def shown_words(letter) -> dict:
    """What the letter shows: the words it was issued with once issued (a signed text does not
    change under the signer), today's for a draft or a letter issued before words were kept."""
    if letter.status != LetterStatus.DRAFT and letter.words:
        return letter.words
    return letter_words(letter)


@dataclass(frozen=True)
class Difference:
    """One paragraph or target whose words differ: where, what the letter said, what the rules say."""

    where: str
    said: str
    says: str


def differences(letter) -> list[Difference]:
    """Where an issued letter's kept words differ from what today's rules write (paragraphs in
    order, then targets by indicator code); none for a draft, which always says today's words."""
    if letter.status == LetterStatus.DRAFT or not letter.words:
        return []
    said, says = letter.words, letter_words(letter)
    found = []
    old, new = said.get("paragraphs", []), says["paragraphs"]
    for seq in range(max(len(old), len(new))):
        before = old[seq] if seq < len(old) else ""
        after = new[seq] if seq < len(new) else ""
        if before != after:
            found.append(Difference(f"正文第{seq + 1}段", before, after))
    names = {t.indicator.code: t.indicator.name for t in letter.targets.all()}
    old, new = said.get("targets", {}), says["targets"]
    for code in [*new, *(code for code in old if code not in new)]:
        if old.get(code, "") != new.get(code, ""):
            found.append(
                Difference(f"目标 {code} {names.get(code, '')}".strip(), old.get(code, ""), new.get(code, ""))
            )
    return found


def letters_that_differ(year) -> list[tuple[ResponsibilityLetter, list[Difference]]]:
    """The year's issued and signed letters whose kept words are no longer what the rules write,
    in the city's order of units, each with its differences. Two queries, however many letters."""
    letters = (
        ResponsibilityLetter.objects.filter(year=year)
        .exclude(status=LetterStatus.DRAFT)
        .select_related("unit", "year")
        .prefetch_related(Prefetch("targets", queryset=Target.objects.select_related("indicator")))
        .order_by("unit__sort_order", "unit__name")
    )
    return [(letter, found) for letter in letters if (found := differences(letter))]


def letter_document_context(letter: ResponsibilityLetter) -> dict:
    """Everything the printed letter shows. Expects `unit` and `year` selected, `targets__indicator` prefetched.

    The caller adds `back_url` for the browser print view if it wants a 返回 link.
    """
    unit = letter.unit
    issued = letter.status != LetterStatus.DRAFT
    signed = letter.status == LetterStatus.SIGNED
    targets = _sorted_targets(letter)
    words = shown_words(letter)
    rows = [
        {
            "seq": seq,
            "code": target.indicator.code,
            "name": target.indicator.name,
            "weight": format_weight(target.weight),
            "target_value": format_target_value(target.target_value),
            "wording": words["targets"].get(target.indicator.code) or target_commitment(target),
        }
        for seq, target in enumerate(targets, start=1)
    ]
    city_party = f"{settings.CITY_NAME}人民政府"
    return {
        "letter": letter,
        "city_name": settings.CITY_NAME,
        "office_name": settings.OFFICE_NAME,
        "title": letter.title,
        "year": letter.year.year,
        "doc_number": letter.doc_number if issued and letter.doc_number else NOT_ISSUED,
        "is_issued": issued,
        "is_signed": signed,
        "status_label": letter.get_status_display(),
        "version": letter.version,
        "party_a": city_party,
        "party_b": unit.name,
        "paragraphs": words["paragraphs"],
        "rows": rows,
        "total_weight": format_weight(sum((t.weight for t in targets), Decimal(0))),
        "issuer": {
            "party": city_party,
            "signer": letter.issuer_name if issued else "",
            "date": chinese_date(letter.issued_on) if issued else "",
        },
        "unit_side": {
            "party": unit.name,
            "leader": letter.leader_name or unit.leader_name,
            "signer": letter.signer_name if signed else "",
            "date": chinese_date(letter.signed_on) if signed else "",
        },
    }


@cache
def _local_fetcher_class():
    """A WeasyPrint fetcher refusing every URL but files inside the project. Built on first use:
    importing WeasyPrint takes a second and a half, which no other page should pay."""
    from weasyprint.urls import URLFetcher

    class LocalFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme.lower() != "file":
                raise ValueError(f"不获取外部资源：{url}")
            path = Path(url2pathname(parts.path)).resolve()
            if not path.is_relative_to(Path(settings.BASE_DIR).resolve()):
                raise ValueError(f"不读取项目以外的文件：{url}")
            return super().fetch(url, headers)

    return LocalFilesOnly


def local_fetcher():
    return _local_fetcher_class()(allowed_protocols=("file",))


def render_letter_html(letter: ResponsibilityLetter, **extra) -> str:
    return render_to_string(TEMPLATE, letter_document_context(letter) | extra)


def html_to_pdf(html: str) -> bytes:
    """A PDF of `html`, its fonts and images read only from the project (never the network)."""
    import weasyprint  # a second and a half to import: only when a PDF is asked for

    return weasyprint.HTML(
        string=html, base_url=str(settings.BASE_DIR), url_fetcher=local_fetcher()
    ).write_pdf()


def render_letter_pdf(letter: ResponsibilityLetter) -> bytes:
    """The letter as an A4 PDF, ready to print and stamp."""
    return html_to_pdf(render_letter_html(letter))
