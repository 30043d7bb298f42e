"""Server-side SVG charts for print: well-formed, one mark per value, every text escaped."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from django.test import SimpleTestCase

from assessment.results import charts

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


class AxisTests(SimpleTestCase):
    def test_axes_of_counts_use_whole_round_steps(self):
        self.assertEqual(charts._nice_axis(42), (50, 10))
        self.assertEqual(charts._nice_axis(3), (3, 1))
        self.assertEqual(charts._nice_axis(2), (2, 1))  # not steps of 0.5
        self.assertEqual(charts._nice_axis(0), (5, 1))
        self.assertEqual(charts._nice_axis(230), (250, 50))
