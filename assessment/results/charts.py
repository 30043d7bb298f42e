"""Charts drawn on the server as SVG strings, for what is printed: WeasyPrint runs no JavaScript.

    svg = score_bars(["梁溪区", "锡山区"], [102, 81.8], vetoed=[False, True])  # a group's ranking, printed
    svg = accidents_by_unit(figures["accidents"]["rows"])  # a circular's units against last year

The screen's charts (the 驾驶舱) are drawn by ECharts in the browser (static/js/dashboard.js); these
use its colours. Pure: no Django, no database. Every text is escaped, so the result can be put into
a page as it is. Sizes are in SVG user units (about CSS pixels); a `viewBox` lets the page scale
the chart to the width it gives it.
"""

import math
from collections.abc import Sequence
from decimal import Decimal
from html import escape

BLUE = "#14406b"  # the bars of dashboard.js
RED = "#b42318"  # UX.md red (app.css .status-red): vetoes, deaths
GREY = "#98a2b3"  # last year
INK = "#1d2939"
MUTED = "#667085"
GRID = "#d0d5dd"
FONT = "'Noto Sans CJK SC', 'Noto Sans CJK', 'Microsoft YaHei', sans-serif"

Number = int | float | Decimal


def _text_width(text: str, size: float) -> float:
    """Roughly how wide `text` is: a CJK character is a square, Latin about half of one."""
    return sum(size if ord(c) > 0x2E7F else size * 0.58 for c in text)


def _fit(text: str, size: float, width: float) -> str:
    """`text` shortened with … to fit `width` (the full text stays in the bar's <title>)."""
    if _text_width(text, size) <= width:
        return text
    while text and _text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _num(value: Number, decimals: int = 0) -> str:
    return f"{float(value):.{decimals}f}"


def _nice_axis(largest: float, *, ticks: int = 5) -> tuple[float, float]:
    """(top, step) of an axis of counts from 0 that holds `largest` in about `ticks` whole, round steps."""
    if largest <= 0:
        return float(ticks), 1.0
    raw = largest / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude * ticks >= largest)
    step = max(1.0, math.ceil(step))
    return step * math.ceil(largest / step), step


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}" font-size="11" fill="{INK}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: float = 11, **attrs) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(str(v))}"' for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size:g}"{extra}>'
        f"{escape(text)}</text>"
    )


def score_bars(
    names: Sequence[str],
    scores: Sequence[Number | None],
    *,
    vetoed: Sequence[bool] | None = None,
    notes: Sequence[str] | None = None,
    title: str = "考核得分",
    width: float = 420,
    row_height: float = 22,
) -> str:
    """A horizontal bar per unit, in the order given (best first), its score at the bar's end.

    A vetoed unit's bar is red and says 否决 after its score, so that the colour is never alone.
    The axis runs from 0 to 100, or further in steps of 20 when a bonus takes a score past it.
    A `notes` text follows the score ("缺报2项"); a unit without a score (None: not ranked) gets no
    bar, its note alone ("未签订") stands in the gap.
    """
    vetoed = list(vetoed) if vetoed is not None else [False] * len(names)
    notes = list(notes) if notes is not None else [""] * len(names)
    size = 11
    label_width = min(max((_text_width(n, size) for n in names), default=40) + 8, width * 0.36)
    left, right, top, bottom = label_width + 4, 62, 6, 22
    plot = width - left - right
    top_value = max(100.0, 20 * math.ceil(max((float(s) for s in scores if s is not None), default=0) / 20))
    height = top + row_height * max(len(names), 1) + bottom
    axis_y = top + row_height * max(len(names), 1)
    body = []
    for tick in range(0, int(top_value) + 1, 20):
        x = left + plot * tick / top_value
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y:.1f}" stroke="{GRID}" stroke-width="0.6"/>'
        )
        body.append(_text(x, axis_y + 14, str(tick), anchor="middle", size=9, fill=MUTED))
    for i, (name, score, veto, note) in enumerate(zip(names, scores, vetoed, notes, strict=True)):
        y = top + row_height * i
        bar = 0 if score is None else plot * max(float(score), 0) / top_value
        colour = RED if veto else BLUE
        shown = "" if score is None else _num(score, 2)
        label = " ".join(part for part in (shown, "否决" if veto else "", note) if part)
        body.append(
            f'<g class="bar"><title>{escape(name)}：{escape(label)}</title>'
            f'<rect x="{left:.1f}" y="{y + 4:.1f}" width="{bar:.1f}" height="{row_height - 8:g}" fill="{colour}"/>'
            + _text(left - 6, y + row_height / 2 + 4, _fit(name, size, label_width - 4), anchor="end")
            + _text(left + bar + 4, y + row_height / 2 + 4, label, size=10, fill=RED if veto else INK)
            + "</g>"
        )
    body.append(
        f'<line x1="{left:.1f}" y1="{top}" x2="{left:.1f}" y2="{axis_y:.1f}" stroke="{INK}" stroke-width="0.8"/>'
    )
    return _svg(width, height, title, body)


def _legend(items: list[tuple[str, str, str]], x: float, y: float) -> list[str]:
    """Legend entries (label, colour, "bar" | "dot" | "ring") in a row from (x, y)."""
    out = []
    for label, colour, kind in items:
        if kind == "bar":
            out.append(f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="12" height="9" fill="{colour}"/>')
        else:
            fill = colour if kind == "dot" else "#fff"
            out.append(
                f'<circle cx="{x + 7:.1f}" cy="{y - 3.5:.1f}" r="3.4" fill="{fill}" stroke="{colour}" stroke-width="1.5"/>'
            )
        out.append(_text(x + 18, y, label, size=10))
        x += 18 + _text_width(label, 10) + 14
    return out


class _Frame:
    """A plot area with categories along x and a value axis of counts from 0 on the left."""

    def __init__(self, categories: list[str], *, width: float, height: float):
        self.categories = categories
        self.left, self.right, self.top, self.bottom = 40, 14, 30, 24
        self.width, self.height = width, height
        self.plot_w = width - self.left - self.right
        self.plot_h = height - self.top - self.bottom
        self.slot = self.plot_w / max(len(categories), 1)

    def x(self, index: int) -> float:
        return self.left + self.slot * (index + 0.5)

    def y(self, value: float, top_value: float) -> float:
        return self.top + self.plot_h * (1 - value / top_value)

    def axes(self, top_value: float, step: float, unit: str) -> list[str]:
        out = []
        x_text = self.left - 5
        for i in range(int(round(top_value / step)) + 1):
            value = step * i
            y = self.y(value, top_value)
            out.append(
                f'<line x1="{self.left}" y1="{y:.1f}" x2="{self.width - self.right:.1f}" y2="{y:.1f}" '
                f'stroke="{GRID}" stroke-width="0.6"/>'
            )
            out.append(_text(x_text, y + 3, _num(value), anchor="end", size=9, fill=MUTED))
        out.append(_text(x_text, self.top - 8, unit, anchor="end", size=9, fill=MUTED))
        return out

    def baseline(self) -> list[str]:
        y = self.top + self.plot_h
        out = [
            f'<line x1="{self.left}" y1="{y:.1f}" x2="{self.width - self.right:.1f}" y2="{y:.1f}" stroke="{INK}" stroke-width="0.8"/>'
        ]
        for i, label in enumerate(self.categories):
            out.append(_text(self.x(i), y + 14, label, anchor="middle", size=9.5))
        return out

    def bars(
        self, values: list[Number], top_value: float, colour: str, *, index: int = 0, of: int = 1
    ) -> list[str]:
        group = self.slot * 0.7
        bar = group / of
        out = []
        for i, value in enumerate(values):
            x = self.x(i) - group / 2 + bar * index
            y = self.y(float(value), top_value)
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 1:.1f}" height="{self.top + self.plot_h - y:.1f}" fill="{colour}"/>'
            )
            if value:
                out.append(
                    _text(x + bar / 2 - 0.5, y - 3, _num(value), anchor="middle", size=8.5, fill=MUTED)
                )
        return out


def accidents_by_unit(
    rows: Sequence[dict], *, title: str = "各板块事故与上年同期", width: float = 560, height: float = 260
) -> str:
    """Accidents (bars) and deaths (dots: filled this period, hollow last year) per unit against the
    same period last year: rows with unit, count, count_before, deaths, deaths_before (a circular's
    accident table). Units are not a sequence, so no line joins them."""
    frame = _Frame([row["unit"] for row in rows], width=width, height=height)
    frame.categories = [_fit(name, 9.5, frame.slot - 2) for name in frame.categories]
    series = {key: [row[key] for row in rows] for key in ("count", "count_before", "deaths", "deaths_before")}
    top, step = _nice_axis(max((max(v, default=0) for v in series.values()), default=0))
    body = frame.axes(top, step, "起/人")
    body += frame.bars(series["count"], top, BLUE, index=0, of=2)
    body += frame.bars(series["count_before"], top, GREY, index=1, of=2)
    offset = frame.slot * 0.7 / 4  # over the middle of each of the two bars
    for i, row in enumerate(rows):
        for key, dx, fill, stroke in (
            ("deaths", -offset, RED, RED),
            ("deaths_before", offset, "#fff", MUTED),
        ):
            cy = frame.y(float(row[key]), top)
            body.append(
                f'<circle cx="{frame.x(i) + dx:.1f}" cy="{cy:.1f}" r="3.4" fill="{fill}" stroke="{stroke}" '
                f'stroke-width="1.5"><title>{escape(row["unit"])}：死亡{row[key]}人</title></circle>'
            )
    if not rows:
        body.append(_text(width / 2, height / 2, "暂无数据", anchor="middle", fill=MUTED))
    body += frame.baseline()
    body += _legend(
        [
            ("本期事故", BLUE, "bar"),
            ("上年同期事故", GREY, "bar"),
            ("本期死亡", RED, "dot"),
            ("上年同期死亡", MUTED, "ring"),
        ],
        frame.left + 10,
        12,
    )
    return _svg(width, height, title, body)
