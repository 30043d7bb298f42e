"""Properties of the pure rules, over every input of their domain (hypothesis), not a few examples.

- the accident grade never falls when deaths, serious injuries or the direct loss rise;
- each target's points stay within [0, its weight], at two decimals, for every rule;
- the total stays within [0, 100 + bonus cap] and is base + min(bonus, cap) − penalty, floored at 0;
- the ranking: ties share a rank (1, 2, 2, 4) and a vetoed unit ranks after every unvetoed one.
"""

from decimal import Decimal

from django.test import SimpleTestCase
from hypothesis import assume, given
from hypothesis import strategies as st

from assessment.rules import ranking, scoring
from assessment.rules.grading import ORDER, accident_grade
from assessment.rules.scoring import (
    BOOLEAN,
    CAP_DEDUCTION,
    COMPLETION,
    COUNT_DEDUCTION,
    ITEM_DEDUCTION,
    SECTOR_ORDER,
    YOY_DECREASE,
    score_target,
)

CENT = Decimal("0.01")


def decimals(low, high, places: int = 2):
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places, allow_nan=False)


deaths = st.integers(min_value=0, max_value=500)
injuries = st.integers(min_value=0, max_value=2000)
losses = decimals(0, 200000)  # 万元: up to 20 亿元
rises = st.integers(min_value=1, max_value=200)
weights = decimals(0, 100)
counts = st.integers(min_value=0, max_value=10000)
# What the rules read from a target's parameters: a deduction per unit over (any sign, read as an
# amount), or nothing (1 point each).
params = st.one_of(
    st.just({}),
    st.fixed_dictionaries({"per_unit": st.one_of(decimals(-20, 20), st.integers(-20, 20))}),
    st.fixed_dictionaries({"per_unit": st.floats(min_value=-20, max_value=20, allow_nan=False)}),
)
sector_caps = st.dictionaries(st.sampled_from(SECTOR_ORDER), st.integers(0, 50), min_size=1)
items = st.lists(st.tuples(decimals(-50, 50), st.text(max_size=8)), max_size=8)

# Every rule with the inputs its domain allows, `actual` None (nobody reported) included.
rule_inputs = st.one_of(
    st.tuples(
        st.just(CAP_DEDUCTION),
        st.one_of(st.none(), decimals(0, 1000)),
        params,
        st.one_of(st.none(), counts, decimals(0, 10000)),
    ),
    st.builds(
        lambda caps, deaths_by_sector, p: (CAP_DEDUCTION, None, p | {"caps": caps}, deaths_by_sector),
        sector_caps,
        st.dictionaries(st.sampled_from(SECTOR_ORDER), st.integers(0, 200)),
        params,
    ),
    st.tuples(st.just(COUNT_DEDUCTION), st.none(), params, st.one_of(st.none(), counts)),
    st.tuples(
        st.just(YOY_DECREASE),
        st.none(),
        st.just({}),
        st.one_of(st.none(), st.tuples(counts, counts, counts, counts)),
    ),
    st.tuples(
        st.just(COMPLETION),
        st.one_of(st.none(), decimals(-100, 100000)),
        st.just({}),
        st.one_of(st.none(), decimals(-1000, 1000000)),
    ),
    st.tuples(st.just(BOOLEAN), st.none(), st.just({}), st.one_of(st.none(), st.booleans())),
    st.tuples(st.just(ITEM_DEDUCTION), st.none(), st.just({}), st.one_of(st.none(), items)),
)


def severity(grade: str) -> int:
    return ORDER.index(grade)


class AccidentGradeProperties(SimpleTestCase):
    @given(deaths, injuries, losses, rises)
    def test_more_deaths_never_lower_the_grade(self, d, i, loss, more):
        self.assertGreaterEqual(
            severity(accident_grade(d + more, i, loss)), severity(accident_grade(d, i, loss))
        )

    @given(deaths, injuries, losses, rises)
    def test_more_serious_injuries_never_lower_the_grade(self, d, i, loss, more):
        self.assertGreaterEqual(
            severity(accident_grade(d, i + more, loss)), severity(accident_grade(d, i, loss))
        )

    @given(deaths, injuries, losses, decimals("0.01", 50000))
    def test_a_higher_loss_never_lowers_the_grade(self, d, i, loss, more):
        self.assertGreaterEqual(
            severity(accident_grade(d, i, loss + more)), severity(accident_grade(d, i, loss))
        )

    @given(deaths, injuries, losses)
    def test_the_grade_is_the_worst_of_the_three_criteria(self, d, i, loss):
        alone = [
            accident_grade(d, 0, Decimal(0)),
            accident_grade(0, i, Decimal(0)),
            accident_grade(0, 0, loss),
        ]
        self.assertEqual(accident_grade(d, i, loss), max(alone, key=severity))


class TargetScoreProperties(SimpleTestCase):
    @given(rule_inputs, weights)
    def test_points_stay_between_zero_and_the_weight_at_two_decimals(self, inputs, weight):
        rule, target_value, rule_params, actual = inputs
        result = score_target(
            rule, weight=weight, target_value=target_value, params=rule_params, actual=actual
        )
        self.assertGreaterEqual(result.points, 0)
        self.assertLessEqual(result.points, weight)
        self.assertEqual(result.points, result.points.quantize(CENT))
        self.assertTrue(result.reason)

    @given(weights, decimals(0, 1000), params, counts, st.integers(1, 100))
    def test_a_cap_deduction_never_gives_more_for_more_deaths(self, weight, cap, rule_params, actual, more):
        def points(value):
            return score_target(
                CAP_DEDUCTION, weight=weight, target_value=cap, params=rule_params, actual=value
            ).points

        self.assertLessEqual(points(actual + more), points(actual))

    @given(weights, params, counts, st.integers(1, 100))
    def test_a_count_deduction_never_gives_more_for_more_occurrences(self, weight, rule_params, actual, more):
        def points(value):
            return score_target(COUNT_DEDUCTION, weight=weight, params=rule_params, actual=value).points

        self.assertLessEqual(points(actual + more), points(actual))

    @given(weights, decimals("0.01", 100000), decimals(0, 1000000), decimals("0.01", 1000))
    def test_completing_more_never_gives_fewer_points(self, weight, target, actual, more):
        def points(value):
            return score_target(COMPLETION, weight=weight, target_value=target, actual=value).points

        self.assertGreaterEqual(points(actual + more), points(actual))

    @given(weights, items, st.tuples(decimals(-50, 50), st.text(max_size=8)))
    def test_another_itemized_deduction_never_gives_more(self, weight, deductions, extra):
        def points(listed):
            return score_target(ITEM_DEDUCTION, weight=weight, actual=listed).points

        self.assertLessEqual(points([*deductions, extra]), points(deductions))


class TotalProperties(SimpleTestCase):
    @given(weights, decimals(0, 50), decimals(0, 200), decimals(0, 20))
    def test_the_total_is_base_plus_capped_bonus_minus_penalty_floored_at_zero(
        self, base, bonus, penalty, cap
    ):
        totals = scoring.total(base, bonus, penalty, bonus_cap=cap)
        self.assertEqual(totals.total, max(base + min(bonus, cap) - penalty, Decimal("0.00")))
        self.assertGreaterEqual(totals.total, 0)
        self.assertLessEqual(totals.total, 100 + cap)
        self.assertEqual(totals.total, totals.total.quantize(CENT))

    @given(
        decimals(0, 100, places=4),
        decimals(-50, 50, places=4),
        decimals(-200, 200, places=4),
        decimals(-5, 20),
    )
    def test_any_inputs_stay_within_zero_and_100_plus_the_cap(self, base, bonus, penalty, cap):
        totals = scoring.total(base, bonus, penalty, bonus_cap=cap)
        self.assertGreaterEqual(totals.total, 0)
        self.assertLessEqual(totals.total, 100 + max(cap, 0))
        self.assertGreaterEqual(totals.bonus, 0)
        self.assertLessEqual(totals.bonus, max(cap, 0))

    @given(weights, decimals(0, 50), decimals(0, 200), decimals(0, 20))
    def test_a_penalty_written_as_negative_subtracts_the_same(self, base, bonus, penalty, cap):
        self.assertEqual(
            scoring.total(base, bonus, -penalty, bonus_cap=cap),
            scoring.total(base, bonus, penalty, bonus_cap=cap),
        )

    @given(decimals(0, 105), decimals(0, 105), st.booleans())
    def test_a_higher_total_never_gets_a_lower_grade_and_a_veto_is_always_a_fail(self, low, high, vetoed):
        assume(low <= high)
        better = scoring.GRADES.index  # 优秀 first
        self.assertLessEqual(
            better(scoring.grade(high, vetoed=False)), better(scoring.grade(low, vetoed=False))
        )
        if vetoed:
            self.assertEqual(scoring.grade(high, vetoed=True), scoring.FAIL)


entries = st.lists(
    st.builds(
        lambda group, total, vetoed, sort_key: (group, total, vetoed, sort_key),
        st.sampled_from(["板块", "专业类部门", "综合类部门", "企业"]),
        # Few distinct totals, so that ties are common; some differ only past the second decimal.
        st.sampled_from([Decimal(v) for v in ("95", "90.5", "90.50", "90.504", "90.505", "88", "60", "0")]),
        st.booleans(),
        st.integers(0, 5),
    ),
    max_size=30,
).map(lambda rows: [ranking.Entry(n, *row) for n, row in enumerate(rows, start=1)])


def better_than(a, b) -> bool:
    """Whether `a` must rank before `b`: unvetoed before vetoed, then the higher total in cents."""
    cents = ranking._cents
    return (not a.vetoed and b.vetoed) or (a.vetoed == b.vetoed and cents(a.total) > cents(b.total))


class RankingProperties(SimpleTestCase):
    @given(entries)
    def test_each_rank_is_one_plus_the_units_of_its_group_that_did_better(self, rows):
        ranked = ranking.rank(rows)
        self.assertEqual(sorted(r.unit_id for r in ranked), [e.unit_id for e in rows])
        for item in ranked:
            group = [e for e in rows if e.group == item.group]
            me = next(e for e in rows if e.unit_id == item.unit_id)
            self.assertEqual(item.rank, 1 + sum(better_than(other, me) for other in group))

    @given(entries)
    def test_ties_share_a_rank_and_the_vetoed_come_after_every_unvetoed_unit(self, rows):
        ranked = ranking.rank(rows)
        for a in ranked:
            for b in ranked:
                if a.group != b.group:
                    continue
                if not a.vetoed and b.vetoed:
                    self.assertLess(a.rank, b.rank)
                if a.vetoed == b.vetoed and ranking._cents(a.total) == ranking._cents(b.total):
                    self.assertEqual(a.rank, b.rank)

    @given(entries)
    def test_within_a_group_the_rows_come_best_first(self, rows):
        ranked = ranking.rank(rows)
        for group in {r.group for r in ranked}:
            ranks = [r.rank for r in ranked if r.group == group]
            self.assertEqual(ranks, sorted(ranks))
            self.assertEqual(ranks[0], 1)
