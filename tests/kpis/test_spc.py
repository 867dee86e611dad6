"""Making Data Count XmR rules against series worked by hand.

The baseline used by most tests is 12, 10, 12, 10, … (12 figures): mean 11, every moving
range 2, so the process limits are 11 ± 2.66 × 2 = 5.68 to 16.32 and the 2-sigma lines
11 ± 1.773 × 2 = 7.454 to 14.546.
"""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpis import spc
from kpis.polarity import Polarity
from kpis.spc import Assurance, Rule, Side, Variation

D = Decimal
BASELINE = [D(12), D(10)] * 6


def series(*values: object) -> list[Decimal | None]:
    return [None if v is None else D(str(v)) for v in values]


def analyse(values, polarity=Polarity.HIGHER, target=None):
    return spc.analyse(values, polarity=polarity, target=None if target is None else D(str(target)))


def flagged(analysis: spc.Analysis) -> list[int]:
    return [i for i, point in enumerate(analysis.points) if point.special_cause]


def test_limits_come_from_the_first_twelve_figures_only():
    analysis = analyse([*BASELINE, D(30)])
    limits = analysis.limits
    assert limits is not None
    assert (limits.mean, limits.mean_moving_range) == (D(11), D(2))
    assert (limits.lower, limits.upper) == (D("5.68"), D("16.32"))
    assert (limits.lower_two_sigma, limits.upper_two_sigma) == (D("7.454"), D("14.546"))
    assert limits.baseline_size == 12
    assert not limits.trial


def test_fewer_than_twelve_figures_give_trial_limits_and_say_so():
    analysis = analyse(series(10, 12, 10, 12, 10))
    limits = analysis.limits
    assert limits is not None
    assert limits.trial
    assert limits.baseline_size == 5
    assert limits.mean == D("10.8")
    assert limits.mean_moving_range == D(2)
    assert "trial limits" in analysis.limits_sentence
    assert "only 5" in analysis.limits_sentence
    assert "(trial limits)" in analysis.variation_sentence


@pytest.mark.parametrize("values", [[], [D(5)], [None, D(5), None]])
def test_fewer_than_two_figures_give_no_chart(values):
    analysis = analyse(values, target=4)
    assert analysis.limits is None
    assert analysis.variation == Variation.NOT_ENOUGH_DATA
    assert analysis.assurance == Assurance.NOT_ENOUGH_DATA
    assert "at least two figures" in analysis.variation_sentence
    assert len(analysis.points) == len(values)


def test_a_point_outside_the_limits_is_a_special_cause():
    analysis = analyse([*BASELINE, D(30), D(11), D(3)])
    assert flagged(analysis) == [12, 14]
    assert analysis.points[12].rules == (Rule.OUTSIDE_LIMITS,)
    assert analysis.points[12].side == Side.HIGH
    assert analysis.points[14].side == Side.LOW


def test_a_point_exactly_on_a_limit_is_not_outside_it():
    assert flagged(analyse([*BASELINE, D("16.32")])) == []


def test_seven_in_a_row_above_the_mean_is_a_shift():
    analysis = analyse([*BASELINE, *[D(12)] * 7])
    assert flagged(analysis) == list(range(12, 19))
    assert all(analysis.points[i].rules == (Rule.SHIFT,) for i in range(12, 19))
    assert analysis.points[-1].side == Side.HIGH


def test_six_in_a_row_is_not_a_shift():
    assert flagged(analyse([*BASELINE, *[D(12)] * 6])) == []


def test_a_point_on_the_mean_breaks_a_run():
    # 12 12 12 | 11 (on the mean) | 12 12 12: two runs of three, not one of seven.
    assert flagged(analyse([*BASELINE, *series(12, 12, 12, 11, 12, 12, 12)])) == []
    # The same with 12 in place of the mean: seven in a row.
    assert flagged(analyse([*BASELINE, *series(12, 12, 12, 12, 12, 12, 12)])) == list(range(12, 19))


def test_seven_in_a_row_below_the_mean_is_a_low_shift():
    analysis = analyse([*BASELINE, *[D(10)] * 7])
    assert flagged(analysis) == [11, *range(12, 19)]  # the baseline's last 10 joins the run
    assert {analysis.points[i].side for i in flagged(analysis)} == {Side.LOW}


def test_seven_rising_in_a_row_is_a_trend_even_across_the_mean():
    # 10 → 8 falls, then 8 9 10 11 12 13 14 rise: seven figures, all inside the 2-sigma lines.
    analysis = analyse([*BASELINE, *series(8, 9, 10, 11, 12, 13, 14)])
    assert flagged(analysis) == list(range(12, 19))
    assert all(analysis.points[i].rules == (Rule.TREND,) for i in range(12, 19))
    assert analysis.points[12].side == Side.HIGH  # 8 is below the mean, but the trend rises
    assert analysis.variation == Variation.IMPROVEMENT_HIGH


def test_seven_falling_in_a_row_is_a_low_trend():
    analysis = analyse([*BASELINE, *series(14, 13, 12, 11, 10, 9, 8)], Polarity.LOWER)
    assert flagged(analysis) == list(range(12, 19))
    assert analysis.points[-1].side == Side.LOW
    assert analysis.variation == Variation.IMPROVEMENT_LOW


def test_an_equal_figure_breaks_a_trend():
    # 8 9 10 | 10 11 12 13: rises of three and four figures, not seven.
    assert flagged(analyse([*BASELINE, *series(8, 9, 10, 10, 11, 12, 13)])) == []


def test_two_of_three_beyond_the_upper_two_sigma_line():
    analysis = analyse([*BASELINE, *series(15, 11, 15)])
    assert flagged(analysis) == [12, 14]  # the 11 between them is not flagged
    assert analysis.points[14].rules == (Rule.TWO_OF_THREE,)
    assert analysis.points[14].side == Side.HIGH


def test_two_of_three_beyond_the_lower_two_sigma_line():
    analysis = analyse([*BASELINE, *series(7, 11, 7)])
    assert flagged(analysis) == [12, 14]
    assert analysis.points[14].side == Side.LOW


def test_two_of_three_must_be_beyond_the_same_line():
    assert flagged(analyse([*BASELINE, *series(15, 11, 7)])) == []  # one high, one low
    assert flagged(analyse([*BASELINE, *series(15, 11, 11, 15)])) == []  # 3 apart
    assert flagged(analyse([*BASELINE, *series("14.546", 11, 15)])) == []  # on the line


@pytest.mark.parametrize(
    ("polarity", "last", "variation"),
    [
        (Polarity.HIGHER, 30, Variation.IMPROVEMENT_HIGH),
        (Polarity.HIGHER, 3, Variation.CONCERN_LOW),
        (Polarity.LOWER, 30, Variation.CONCERN_HIGH),
        (Polarity.LOWER, 3, Variation.IMPROVEMENT_LOW),
        (Polarity.NEITHER, 30, Variation.NEUTRAL_HIGH),
        (Polarity.NEITHER, 3, Variation.NEUTRAL_LOW),
        (Polarity.HIGHER, 11, Variation.COMMON_CAUSE),
        (Polarity.LOWER, 11, Variation.COMMON_CAUSE),
        (Polarity.NEITHER, 11, Variation.COMMON_CAUSE),
    ],
)
def test_the_latest_points_variation_by_polarity(polarity, last, variation):
    analysis = analyse([*BASELINE, D(last)], polarity)
    assert analysis.variation == variation


def test_variation_is_that_of_the_latest_point_not_of_earlier_ones():
    analysis = analyse([*BASELINE, D(30), D(11)])
    assert analysis.special_causes == 1
    assert analysis.variation == Variation.COMMON_CAUSE


@pytest.mark.parametrize(
    ("polarity", "target", "assurance"),
    [
        # Target below the lower limit (5.68): always above it.
        (Polarity.HIGHER, 5, Assurance.PASSES),
        (Polarity.LOWER, 5, Assurance.FAILS),
        # Target above the upper limit (16.32): always below it.
        (Polarity.HIGHER, 17, Assurance.FAILS),
        (Polarity.LOWER, 17, Assurance.PASSES),
        # Within the limits, or on one: sometimes met.
        (Polarity.HIGHER, 11, Assurance.HIT_AND_MISS),
        (Polarity.LOWER, 11, Assurance.HIT_AND_MISS),
        (Polarity.HIGHER, "16.32", Assurance.HIT_AND_MISS),
        (Polarity.LOWER, "5.68", Assurance.HIT_AND_MISS),
        # A context measure is not judged; no target, no assurance.
        (Polarity.NEITHER, 5, Assurance.NOT_JUDGED),
        (Polarity.HIGHER, None, Assurance.NO_TARGET),
    ],
)
def test_assurance_against_a_target_by_polarity(polarity, target, assurance):
    assert analyse(BASELINE, polarity, target).assurance == assurance


def test_a_missing_figure_is_skipped_not_zero():
    with_gap = analyse([D(12), None, D(10), *BASELINE[2:]])
    without = analyse(BASELINE[:1] + BASELINE[1:])
    assert with_gap.limits == without.limits  # the baseline is the 12 figures present
    assert with_gap.points[1].value is None
    assert not with_gap.points[1].special_cause
    assert with_gap.points[2].moving_range == D(2)  # 12 → (gap) → 10
    # As zero it would be far below the lower limit.
    assert flagged(analyse([*BASELINE, D(0)])) == [12]


def test_a_missing_figure_neither_makes_nor_breaks_a_run():
    gap_in_run = analyse([*BASELINE, *series(12, 12, 12, None, 12, 12, 12, 12)])
    assert flagged(gap_in_run) == [12, 13, 14, 16, 17, 18, 19]
    six_and_a_gap = analyse([*BASELINE, *series(12, 12, 12, None, 12, 12, 12)])
    assert flagged(six_and_a_gap) == []


def test_a_missing_latest_figure_judges_the_last_figure_present():
    analysis = analyse([*BASELINE, D(30), None])
    assert analysis.variation == Variation.IMPROVEMENT_HIGH
    assert analysis.latest == analysis.points[12]


def test_the_sentences_explain_each_result():
    def percent(value):
        return f"{value:.2f}%"

    improvement = spc.analyse(
        [*BASELINE, D(30)], polarity=Polarity.HIGHER, target=D(5), describe=percent
    )
    assert improvement.variation_sentence == (
        "Special-cause improvement: the latest figure, 30.00%, is above the upper process "
        "limit (16.32%); higher is better."
    )
    assert improvement.assurance_sentence.startswith(
        "Consistently passes: the target of 5.00% is below the lower process limit (5.68%)"
    )
    assert improvement.limits_sentence == (
        "Mean 11.00%; process limits 5.68% to 16.32%, from the first 12 figures."
    )
    common = spc.analyse([*BASELINE, D(11)], polarity=Polarity.LOWER, describe=percent)
    assert common.variation_sentence == (
        "Common-cause variation: the latest figure, 11.00%, is within the process limits "
        "(5.68% to 16.32%) and meets no special-cause rule."
    )
    assert common.assurance_sentence == "No assurance: there is no target in force."
    shift = spc.analyse([*BASELINE, *[D(12)] * 7], polarity=Polarity.NEITHER, describe=percent)
    assert "one of 7 or more figures in a row above the mean (11.00%)" in (shift.variation_sentence)
    assert "a context measure, so neither direction is better" in shift.variation_sentence
    fails = spc.analyse(BASELINE, polarity=Polarity.HIGHER, target=D(17), describe=percent)
    assert fails.assurance_sentence.startswith(
        "Consistently fails: the target of 17.00% is above the upper process limit (16.32%)"
    )


figures = st.lists(st.one_of(st.none(), st.integers(0, 40).map(Decimal)), min_size=20, max_size=60)


@given(figures, st.integers(7, 19))
def test_the_recent_figures_with_the_whole_historys_limits_judge_the_latest_point_alike(
    values, recent
):
    """The overview judges only each KPI's recent figures against its whole history's limits;
    that must give the latest point the same verdict as judging the whole history."""
    tail = values[-recent:]
    if sum(v is not None for v in tail) < 7:
        return  # the overview always reads at least seven figures
    whole = spc.analyse(values, polarity=Polarity.HIGHER, target=D(20))
    part = spc.analyse(tail, polarity=Polarity.HIGHER, target=D(20), process=spc.limits(values))
    assert part.variation == whole.variation
    assert part.assurance == whole.assurance
    if whole.latest is not None:
        assert part.latest is not None
        assert part.latest.rules == whole.latest.rules
