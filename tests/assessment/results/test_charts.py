"""Server-side SVG charts: well-formed, one mark per value, every text escaped, the 驾驶舱's data."""

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

from django.test import SimpleTestCase, TestCase

from assessment.results import charts, dashboard
from tests.assessment.factories import at, make_accident
from tests.factories import make_year

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises on anything that is not well-formed XML
    assert root.tag == f"{SVG}svg", root.tag
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def bars(root: ET.Element) -> list[ET.Element]:
    return root.findall("svg:g[@class='bar']", NS)


def trend_rows(counts, deaths, first=2016):
    return [
        {"year": first + i, "count": c, "deaths": d}
        for i, (c, d) in enumerate(zip(counts, deaths, strict=True))
    ]


class ScoreBarsTests(SimpleTestCase):
    names = ["梁溪区", "锡山区", "惠山区"]

    def test_one_bar_per_unit_with_its_name_and_score(self):
        root = parse(charts.score_bars(self.names, [Decimal("102.00"), Decimal("81.80"), Decimal("80")]))
        self.assertEqual(len(bars(root)), 3)
        self.assertEqual([len(g.findall("svg:rect", NS)) for g in bars(root)], [1, 1, 1])
        labels = texts(root)
        for expected in ["梁溪区", "锡山区", "惠山区", "102.00", "81.80", "80.00"]:
            self.assertIn(expected, labels)
        self.assertEqual(root.get("role"), "img")
        self.assertEqual(root.find("svg:title", NS).text, "考核得分")

    def test_bars_are_as_long_as_their_scores_in_the_order_given(self):
        root = parse(charts.score_bars(self.names, [90, 45, 0]))
        widths = [float(g.find("svg:rect", NS).get("width")) for g in bars(root)]
        self.assertAlmostEqual(widths[1] * 2, widths[0], places=0)
        self.assertEqual(widths[2], 0)
        ys = [float(g.find("svg:rect", NS).get("y")) for g in bars(root)]
        self.assertEqual(ys, sorted(ys))  # best first, top down

    def test_the_axis_goes_past_100_only_when_a_bonus_takes_a_score_there(self):
        self.assertIn("100", texts(parse(charts.score_bars(["甲"], [99]))))
        self.assertNotIn("120", texts(parse(charts.score_bars(["甲"], [99]))))
        self.assertIn("120", texts(parse(charts.score_bars(["甲"], [Decimal("105")]))))

    def test_a_vetoed_unit_is_red_and_says_so(self):
        root = parse(charts.score_bars(self.names, [90, 85, 80], vetoed=[False, False, True]))
        fills = [g.find("svg:rect", NS).get("fill") for g in bars(root)]
        self.assertEqual(fills, [charts.BLUE, charts.BLUE, charts.RED])
        self.assertIn("80.00 否决", texts(root))

    def test_names_with_markup_are_escaped(self):
        svg = charts.score_bars(["<script>alert(1)</script>", 'A&B "x"'], [90, 80], title="<b>板块</b>")
        self.assertNotIn("<script", svg)
        self.assertNotIn("<b>", svg)
        self.assertIn("&lt;script&gt;", svg)
        root = parse(svg)
        self.assertIn('A&B "x"', texts(root))
        self.assertEqual(bars(root)[0].find("svg:title", NS).text, "<script>alert(1)</script>：90.00")
        self.assertEqual(root.get("aria-label"), "<b>板块</b>")

    def test_a_long_name_is_shortened_but_kept_whole_in_its_title(self):
        name = "无锡市某某某某某某某某某某某某某某某某某某某某管理委员会"
        root = parse(charts.score_bars([name], [90]))
        label = next(t for t in texts(root) if t.startswith("无锡市"))
        self.assertTrue(label.endswith("…"))
        self.assertLess(len(label), len(name))
        self.assertTrue(bars(root)[0].find("svg:title", NS).text.startswith(name))

    def test_twenty_units_grow_the_chart_downwards(self):
        names = [f"单位{i}" for i in range(20)]
        root = parse(charts.score_bars(names, range(100, 80, -1)))
        self.assertEqual(len(bars(root)), 20)
        self.assertGreater(float(root.get("height")), 20 * 22)

    def test_an_empty_group_is_still_a_chart(self):
        root = parse(charts.score_bars([], []))
        self.assertEqual(bars(root), [])

    def test_the_dashboards_group_data_draws_as_it_is(self):
        group = {"label": "板块", "units": ["梁溪区", "锡山区"], "scores": [102.0, 81.8], "height": 92}
        root = parse(charts.score_bars(group["units"], group["scores"], title=group["label"]))
        self.assertEqual(len(bars(root)), 2)


class AccidentTrendTests(SimpleTestCase):
    def test_a_bar_per_year_and_a_line_of_deaths(self):
        trend = trend_rows([42, 38, 35, 40, 31, 28, 25, 22, 20, 17], [45, 40, 41, 36, 30, 33, 26, 21, 22, 15])
        root = parse(charts.accident_trend(trend))
        labels = texts(root)
        self.assertEqual([t for t in labels if t.endswith("年")], [f"{y}年" for y in range(2016, 2026)])
        legend_rects = 1
        self.assertEqual(len(root.findall("svg:rect", NS)), 10 + legend_rects)
        (line,) = root.findall("svg:polyline", NS)
        self.assertEqual(len(line.get("points").split()), 10)
        self.assertEqual(line.get("stroke"), charts.RED)
        self.assertEqual(len(root.findall("svg:circle", NS)), 10)
        for expected in ["事故起数", "死亡人数", "起", "人", "42", "17"]:
            self.assertIn(expected, labels)

    def test_more_accidents_draw_a_taller_bar_and_a_higher_point(self):
        root = parse(charts.accident_trend(trend_rows([10, 5], [2, 4])))
        rects = root.findall("svg:rect", NS)[:2]
        self.assertGreater(float(rects[0].get("height")), float(rects[1].get("height")))
        points = [
            tuple(map(float, p.split(","))) for p in root.find("svg:polyline", NS).get("points").split()
        ]
        self.assertGreater(points[0][1], points[1][1])  # 2 deaths lower on the page than 4

    def test_a_decade_without_accidents_has_a_round_axis(self):
        root = parse(charts.accident_trend(trend_rows([0] * 10, [0] * 10)))
        self.assertIn("5", texts(root))
        self.assertEqual({float(r.get("height")) for r in root.findall("svg:rect", NS)[:10]}, {0.0})

    def test_axes_use_round_steps(self):
        self.assertEqual(charts._nice_axis(42, integer=True), (50, 10))
        self.assertEqual(charts._nice_axis(3, integer=True), (3, 1))
        self.assertEqual(charts._nice_axis(0), (5, 1))
        self.assertEqual(charts._nice_axis(230), (250, 50))


class AccidentsByMonthTests(SimpleTestCase):
    months = [
        {"month": 1, "count": 2, "deaths": 2, "count_before": 3, "deaths_before": 4},
        {"month": 3, "count": 4, "deaths": 5, "count_before": 2, "deaths_before": 2},
        {"month": 6, "count": 0, "deaths": 0, "count_before": 1, "deaths_before": 1},
    ]

    def test_two_bars_a_month_and_two_lines_the_last_years_dashed(self):
        root = parse(charts.accidents_by_month(self.months))
        legend_rects = 2
        rects = root.findall("svg:rect", NS)
        self.assertEqual(len(rects), 3 * 2 + legend_rects)
        self.assertEqual([r.get("fill") for r in rects[:3]], [charts.BLUE] * 3)
        self.assertEqual([r.get("fill") for r in rects[3:6]], [charts.GREY] * 3)
        this_year, last_year = root.findall("svg:polyline", NS)
        self.assertIsNone(this_year.get("stroke-dasharray"))
        self.assertIsNotNone(last_year.get("stroke-dasharray"))
        labels = texts(root)
        for expected in ["1月", "3月", "6月", "本年事故", "上年同期事故", "本年死亡", "上年同期死亡"]:
            self.assertIn(expected, labels)

    def test_no_accidents_at_all_says_so(self):
        root = parse(charts.accidents_by_month([]))
        self.assertIn("暂无事故", texts(root))
        self.assertEqual(root.findall("svg:polyline", NS), [])


class DashboardDataTests(TestCase):
    """The charts take the rows `dashboard.py` gives the ECharts, straight from the database."""

    def test_the_trend_and_months_of_the_dashboard_draw(self):
        year = make_year(2026)
        make_accident(occurred_at=at(2025, 3, 5), deaths=2)
        make_accident(occurred_at=at(2026, 3, 8), deaths=1)
        make_accident(occurred_at=at(2026, 5, 1), deaths=3)
        data = dashboard.dashboard(year, today=date(2026, 6, 30))
        trend = parse(charts.accident_trend(data["trend"]))
        self.assertEqual(len([t for t in texts(trend) if t.endswith("年")]), dashboard.TREND_YEARS)
        months = parse(charts.accidents_by_month(data["months"]))
        self.assertEqual([t for t in texts(months) if t.endswith("月")], ["3月", "5月"])
        for group in data["groups"]:
            parse(charts.score_bars(group["units"], group["scores"], title=group["label"]))
