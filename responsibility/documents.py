"""The printed 安全生产责任书: what the A4 document says, and the PDF made from it.

One template serves both the browser's print view (returned as HTML by a view) and the PDF
rendered here through WeasyPrint. Nothing is fetched from the network: fonts are the system's
Noto CJK by name, and the fetcher refuses every URL that is not a file inside the project.
"""

from decimal import Decimal
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string

from .models import LetterStatus, ResponsibilityLetter, UnitGroup

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
    group = letter.unit.group
    if group == UnitGroup.TERRITORY:
        return "本地区"
    if group == UnitGroup.ENTERPRISE:
        return "本企业"
    return "本行业领域"


def default_letter_text(letter: ResponsibilityLetter) -> str:
    """The body of a letter whose own text is empty: purpose, duties, targets, assessment, term."""
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
        f"作为对乙方领导班子和领导干部综合考核评价的重要依据。"
        f"发生较大及以上生产安全事故或者瞒报、谎报生产安全事故的，年度考核实行一票否决。",
        f"本责任书有效期自{year}年1月1日至{year}年12月31日。乙方主要负责人工作变动的，由继任者履行本责任书。"
        f"本责任书一式两份，甲乙双方各执一份。",
    ]
    return "\n\n".join(paragraphs)


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def letter_document_context(letter: ResponsibilityLetter) -> dict:
    """Everything the printed letter shows. Expects `unit` and `year` selected, `targets__indicator` prefetched.

    The caller adds `back_url` for the browser print view if it wants a 返回 link.
    """
    unit = letter.unit
    issued = letter.status != LetterStatus.DRAFT
    signed = letter.status == LetterStatus.SIGNED
    targets = sorted(letter.targets.all(), key=lambda t: (t.indicator.sort_order, t.indicator.code))
    rows = [
        {
            "seq": seq,
            "code": target.indicator.code,
            "name": target.indicator.name,
            "weight": format_weight(target.weight),
            "target_value": format_target_value(target.target_value),
            "wording": target.commitment,
        }
        for seq, target in enumerate(targets, start=1)
    ]
    text = letter.text.strip() or default_letter_text(letter)
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
        "paragraphs": _paragraphs(text),
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
