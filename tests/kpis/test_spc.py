"""The portal's SPC against series worked by hand (the references' own cases are in
tests/kpis/test_spc_reference.py).

The baseline used by most tests is 12, 10, 12, 10, … (12 figures): mean 11, every moving
range 2, so the process limits are 11 ± 2.66 × 2 = 5.68 to 16.32 and the 2-sigma lines two
thirds of the way, 11 ± 3.547. A thirteenth figure is needed before anything is judged.
"""

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpis import spc
from kpis.polarity import Polarity
from kpis.spc import Assurance, ChangePoint, Exclusion, Fraction, Rule, Side, Variation
from kpis.units import Unit

D = Decimal
BASELINE = [D(12), D(10)] * 6


def series(*values: object) -> list[Decimal | None]:
    return [None if v is None else D(str(v)) for v in values]


def analyse(values, polarity=Polarity.HIGHER, target=None, **options):
    target = None if target is None else D(str(target))
    return spc.analyse(values, polarity=polarity, target=target, **options)


def flagged(analysis: spc.Analysis) -> list[int]:
    return [i for i, point in enumerate(analysis.points) if point.special_cause]


def percent(value: Decimal) -> str:
    return f"{value:.2f}%"


# ---------------------------------------------------------------------------------------
# Limits and the minimum


def test_limits_come_from_the_first_twelve_figures_only():
    analysis = analyse([*BASELINE, D(30)])
    limits = analysis.limits
    assert limits is not None
    assert (limits.mean, limits.mean_moving_range) == (D(11), D(2))
    assert (limits.lower, limits.upper) == (D("5.68"), D("16.32"))
    # The 2-sigma lines are two thirds of the way from the mean to each limit.
    tiny = D("1e-20")
    assert abs(limits.upper_two_sigma - limits.mean - (limits.upper - limits.mean) * 2 / 3) < tiny
    assert abs(limits.mean - limits.lower_two_sigma - (limits.mean - limits.lower) * 2 / 3) < tiny
    assert limits.baseline_size == 12
    assert not limits.trial


@pytest.mark.parametrize("count", [0, 1, 2, 12])
def test_fewer_than_thirteen_figures_are_too_few_for_spc_and_say_so(count):
    values = (BASELINE * 2)[:count]
    analysis = analyse(values, target=4)
    assert analysis.limits is None
    assert analysis.variation == Variation.NOT_ENOUGH_DATA
    assert analysis.variation.label == "Too few figures for SPC"
    assert analysis.assurance == Assurance.NOT_ENOUGH_DATA
    assert analysis.limits_sentence == ""
    assert analysis.special_causes == 0
    assert len(analysis.points) == count
    if count:
        assert analysis.variation_sentence == (
            "Too few figures for SPC: process limits and a verdict need at least 13 figures, "
            f"and there {'is' if count == 1 else 'are'} only {count}."
        )
        assert analysis.assurance_sentence == "No assurance yet: too few figures for SPC."


def test_a_far_out_thirteenth_figure_is_judged_but_a_twelfth_is_not():
    assert analyse([*BASELINE[:11], D(30)]).variation == Variation.NOT_ENOUGH_DATA
    assert analyse([*BASELINE, D(30)]).variation == Variation.IMPROVEMENT_HIGH


def test_missing_months_do_not_count_towards_the_minimum():
    analysis = analyse([*BASELINE, None, None, None])
    assert analysis.variation == Variation.NOT_ENOUGH_DATA
    assert "there are only 12" in analysis.variation_sentence


def test_a_longer_baseline_than_the_figures_gives_trial_limits_and_says_so():
    analysis = analyse([*BASELINE, D(11), D(12), D(10)], baseline=20)
    limits = analysis.limits
    assert limits is not None
    assert limits.trial
    assert limits.baseline_size == 15
    assert "These are trial limits: the baseline is set at 20 figures, and there are only 15." in (
        analysis.limits_sentence
    )
    assert "(trial limits)" in analysis.variation_sentence


def test_a_baseline_shorter_than_twelve_is_refused():
    with pytest.raises(ValueError, match="at least 12 figures"):
        analyse([*BASELINE, D(11)], baseline=11)


# ---------------------------------------------------------------------------------------
# The rules


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


def test_15_11_15_is_common_cause_the_middle_figure_is_on_the_mean():
    # Both 15s are beyond the upper 2-sigma line (14.547), but 11 is on the mean, not above
    # it: 2 of 3 needs all three on one side (MDC; NHSRplotthedots bug fix #143).
    analysis = analyse([*BASELINE, *series(15, 11, 15)])
    assert flagged(analysis) == []
    assert analysis.variation == Variation.COMMON_CAUSE


def test_two_of_three_beyond_the_upper_two_sigma_line_all_above_the_mean():
    analysis = analyse([*BASELINE, *series(15, 12, 15)])
    assert flagged(analysis) == [12, 14]  # the 12 between them is not beyond the line
    assert analysis.points[14].rules == (Rule.TWO_OF_THREE,)
    assert analysis.points[14].side == Side.HIGH
    assert analysis.variation == Variation.IMPROVEMENT_HIGH


def test_two_of_three_beyond_the_lower_two_sigma_line_all_below_the_mean():
    analysis = analyse([*BASELINE, *series(10, 7, 7)])
    assert flagged(analysis) == [13, 14]
    assert analysis.points[14].side == Side.LOW
    assert flagged(analyse([*BASELINE, *series(12, 7, 7)])) == []  # 12 is above the mean


def test_two_of_three_must_be_beyond_the_same_line():
    assert flagged(analyse([*BASELINE, *series(15, 12, 7)])) == []  # one high, one low
    assert flagged(analyse([*BASELINE, *series(15, 12, 12, 15)])) == []  # 3 apart
    line = (D(11) + D(2) * spc.TWO_SIGMA_FACTOR).quantize(D("0.001"), rounding="ROUND_DOWN")
    assert flagged(analyse([*BASELINE, *series(12, line, 15)])) == []  # on the line


def test_a_figure_beyond_the_limit_counts_towards_two_of_three():
    # MDC's change of November 2023 (NHSRplotthedots issue #194): 15 is beyond the 2-sigma
    # line, 17 beyond the limit itself; both count, so both are 2 of 3.
    analysis = analyse([*BASELINE, *series(12, 15, 17)])
    assert analysis.points[13].rules == (Rule.TWO_OF_THREE,)
    assert analysis.points[14].rules == (Rule.OUTSIDE_LIMITS, Rule.TWO_OF_THREE)


# ---------------------------------------------------------------------------------------
# When rules disagree: one precedence, each rule's own direction


RISING_BELOW = series("7.5", 8, "8.5", 9, "9.5", 10, "10.5")


def test_seven_rising_figures_below_the_mean_read_as_rising():
    # Rising (a trend, high) and eight below the mean with the baseline's last 10 (a shift,
    # low): the trend comes first, so higher is better reads an improvement.
    analysis = analyse([*BASELINE, *RISING_BELOW], describe=str)
    latest = analysis.latest
    assert latest is not None
    assert [(s.rule, s.side) for s in latest.signals] == [
        (Rule.TREND, Side.HIGH),
        (Rule.SHIFT, Side.LOW),
    ]
    assert analysis.variation == Variation.IMPROVEMENT_HIGH
    assert analysis.variation_sentence == (
        "Special-cause improvement: the latest figure, 10.5, is one of 7 or more figures in a "
        "row each higher than the last; higher is better. It is also one of 7 or more figures "
        "in a row below the mean (11), which points the other way; where rules disagree, the "
        "first of these decides: outside the process limits, a trend, 2 of 3 beyond a 2-sigma "
        "line, a run on one side of the mean."
    )
    assert "each lower" not in analysis.variation_sentence
    assert analyse([*BASELINE, *RISING_BELOW], Polarity.LOWER).variation == Variation.CONCERN_HIGH


def test_a_falling_run_that_starts_above_the_upper_limit():
    analysis = analyse([*BASELINE, *series(17, 16, 15, 14, 13, 12, "11.5")])
    first, latest = analysis.points[12], analysis.points[18]
    # 17 is above the limit (high) and starts a falling trend (low): the limit decides.
    assert first.rules[0] == Rule.OUTSIDE_LIMITS
    assert first.side == Side.HIGH
    assert Side.LOW in {s.side for s in first.signals}
    # 11.5 ends the falling trend (low) and is still above the mean (a shift, high).
    assert [(s.rule, s.side) for s in latest.signals] == [
        (Rule.TREND, Side.LOW),
        (Rule.SHIFT, Side.HIGH),
    ]
    assert analysis.variation == Variation.CONCERN_LOW
    assert "each lower than the last" in analysis.variation_sentence
    assert "above the mean (11), which points the other way" in analysis.variation_sentence


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
    assert analyse([*BASELINE, D(11)], polarity, target).assurance == assurance


# ---------------------------------------------------------------------------------------
# Missing months


def test_a_missing_month_is_no_data_not_zero_and_breaks_the_moving_range():
    # 18, (no figure), 10, 12, 10, …: no range is taken across the gap. Bridged, 18 → 10
    # would add a range of 8 and widen the limits.
    values = [D(18), None, *[D(10), D(12)] * 6]
    analysis = analyse(values)
    limits = analysis.limits
    assert limits is not None
    assert limits.mean_moving_range == D(2)
    assert limits.mean == (D(18) + D(10) * 6 + D(12) * 5) / 12  # the first 12 figures present
    assert analysis.points[1].value is None
    assert not analysis.points[1].special_cause
    assert analysis.points[2].moving_range is None
    assert analysis.points[3].moving_range == D(2)
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


# ---------------------------------------------------------------------------------------
# Limits within what the measure can be


def test_percentage_limits_are_clipped_at_100_and_the_sentence_says_so():
    values = [*[D(98), D(90)] * 6, D(95)]  # mean 94, ranges of 8: upper 115.28
    analysis = analyse(values, describe=percent, bounds=spc.bounds_for(Unit.PERCENT))
    limits = analysis.limits
    assert limits is not None
    assert limits.upper == D(100)
    assert limits.calculated_upper == D("115.28")
    assert limits.lower == D("72.72")
    assert limits.upper_two_sigma == D(100)
    assert (
        "process limits 72.72% to 100.00%, from the first 12 figures. The upper limit as "
        "calculated, 115.28%, is above what a percentage can be, so it is shown at 100.00%."
    ) in analysis.limits_sentence


def test_count_limits_are_clipped_at_zero():
    values = [*[D(1), D(5)] * 6, D(3)]  # mean 3, ranges of 4: lower −7.64
    analysis = analyse(values, bounds=spc.bounds_for(Unit.COUNT))
    limits = analysis.limits
    assert limits is not None
    assert (limits.lower, limits.calculated_lower) == (D(0), D("-7.64"))
    assert "The lower limit as calculated, -7.64, is below what a count can be" in (
        analysis.limits_sentence
    )
    assert analyse([*values[:-1], D(0)], bounds=spc.NOT_NEGATIVE).variation == (
        Variation.COMMON_CAUSE  # 0 is on the clipped limit, not below it
    )


@pytest.mark.parametrize(
    ("unit", "bounds"),
    [
        (Unit.PERCENT, spc.PERCENTAGE),
        (Unit.COUNT, replace(spc.NOT_NEGATIVE, name="a count")),
        (Unit.RATE, spc.NOT_NEGATIVE),
        (Unit.DAYS, spc.NOT_NEGATIVE),
        (Unit.MONEY, spc.UNBOUNDED),
    ],
)
def test_each_unit_has_the_bounds_its_values_are_checked_against(unit, bounds):
    assert spc.bounds_for(unit) == bounds


# ---------------------------------------------------------------------------------------
# Segments: rebasing at approved change points, and baseline exclusions

NEW_DEFINITION = ChangePoint(13, "April 2023 (new definition)")
STEPPED = [*BASELINE, D(11), *[D(22), D(20)] * 6, D(21)]  # 13 figures at 11, then 13 at 21


def test_without_a_change_point_a_step_change_stays_a_special_cause():
    analysis = analyse(STEPPED)
    assert flagged(analysis)[-13:] == list(range(13, 26))
    assert analysis.variation == Variation.IMPROVEMENT_HIGH


def test_each_segment_has_its_own_mean_and_limits_from_its_own_baseline():
    analysis = analyse(STEPPED, change_points=[NEW_DEFINITION])
    first, second = analysis.segments
    assert (first.start, first.end, second.start, second.end) == (0, 13, 13, 26)
    assert first.limits is not None
    assert second.limits is not None
    assert (first.limits.mean, first.limits.lower, first.limits.upper) == (
        D(11),
        D("5.68"),
        D("16.32"),
    )
    assert (second.limits.mean, second.limits.lower, second.limits.upper) == (
        D(21),
        D("15.68"),
        D("26.32"),
    )
    assert second.baseline == tuple(range(13, 25))
    assert [p.segment for p in analysis.points] == [0] * 13 + [1] * 13
    assert analysis.points[5].limits == first.limits
    assert analysis.points[20].limits == second.limits
    assert analysis.points[13].moving_range is None  # no range across a change point
    assert flagged(analysis) == []
    assert analysis.variation == Variation.COMMON_CAUSE
    assert analysis.limits_sentence == (
        "Limits from April 2023 (new definition). Mean 21; process limits 15.68 to 26.32, "
        "from the first 12 figures since then."
    )


def test_rules_do_not_run_across_a_change_point():
    # Six figures above the mean at the end of one segment and one at the start of the next
    # are not seven in a row.
    values = [*BASELINE, D(11), *[D(12)] * 6, *BASELINE, D(12)]
    analysis = analyse(values, change_points=[ChangePoint(19, "new duty system")])
    assert flagged(analysis) == []


def test_a_new_segment_with_too_few_figures_says_so():
    analysis = analyse(STEPPED[:20], change_points=[NEW_DEFINITION], target=15)
    assert analysis.segments[0].limits is not None
    assert analysis.segments[1].limits is None
    assert analysis.limits is None
    assert analysis.variation == Variation.NOT_ENOUGH_DATA
    assert analysis.assurance == Assurance.NOT_ENOUGH_DATA
    assert analysis.variation_sentence == (
        "Too few figures for SPC with limits from April 2023 (new definition): the new "
        "process needs at least 13 figures of its own for limits and a verdict, and there are "
        "only 7."
    )
    assert flagged(analysis) == []  # the earlier segment's limits do not judge the new one


@pytest.mark.parametrize(
    "points",
    [[ChangePoint(0, "start")], [ChangePoint(26, "after")], [NEW_DEFINITION, NEW_DEFINITION]],
)
def test_a_change_point_must_start_within_the_series_once(points):
    with pytest.raises(ValueError, match="change points"):
        analyse(STEPPED, change_points=points)


def test_an_excluded_figure_leaves_the_baseline_but_is_still_judged():
    # A known outlier (30) in the baseline: left out, the baseline is the next 12 figures,
    # and no moving range is taken to or from it.
    values = [*BASELINE[:5], D(30), *BASELINE[5:], D(11)]
    without = analyse(values)
    assert without.limits is not None
    assert without.limits.mean_moving_range != D(2)
    analysis = analyse(values, excluded=[Exclusion(5, "data system outage: a one-off")])
    limits = analysis.limits
    assert limits is not None
    assert (limits.mean, limits.mean_moving_range) == (D(11), D(2))
    outlier = analysis.points[5]
    assert outlier.excluded == "data system outage: a one-off"
    assert not outlier.in_baseline
    assert outlier.rules == (Rule.OUTSIDE_LIMITS,)
    assert analysis.segments[0].baseline == (0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12)
    assert analysis.limits_sentence == (
        "Mean 11; process limits 5.68 to 16.32, from the first 12 figures, leaving out 1 figure "
        "(data system outage: a one-off)."
    )


# ---------------------------------------------------------------------------------------
# p-charts: a percentage with its numerator and denominator


def test_p_chart_limits_vary_with_each_months_base_and_say_the_fraction():
    # 13 months at 50% of 100, then 34 of 45: the small base has wider limits.
    fractions = [Fraction(50, 100)] * 12 + [Fraction(34, 45)]
    values = [f.percentage for f in fractions]
    analysis = analyse(
        values, chart=spc.Chart.P, fractions=fractions, describe=lambda v: f"{v:.1f}%"
    )
    wide, narrow = analysis.points[12].limits, analysis.points[0].limits
    assert wide is not None
    assert narrow is not None
    assert wide.mean == narrow.mean == D(50)
    # p̄ ± 3 √(p̄(1 − p̄) / n): 50 ± 15 for a base of 100, 50 ± 22.36 for a base of 45.
    assert (narrow.lower, narrow.upper) == (D(35), D(65))
    assert wide.upper == D(50) + 300 * (D("0.25") / 45).sqrt()
    assert (wide.base, narrow.base) == (45, 100)
    assert analysis.points[12].fraction == Fraction(34, 45)
    assert analysis.variation == Variation.IMPROVEMENT_HIGH  # 75.6% > 72.4%
    assert analysis.variation_sentence.startswith(
        "Special-cause improvement: the latest figure, 75.6% (34 of 45), is above the upper "
        "process limit (72.4%)"
    )
    assert analysis.limits_sentence == (
        "Mean 50.0%, from the first 12 figures; the process limits vary with each month's "
        "base: 27.6% to 72.4% for a base of 45, the latest figure's."
    )


def test_an_xmr_chart_given_the_fractions_states_small_bases_too():
    fractions = [Fraction(5, 10), Fraction(6, 10)] * 6 + [Fraction(34, 45)]
    values = [f.percentage for f in fractions]
    analysis = analyse(values, fractions=fractions, describe=lambda v: f"{v:.1f}%")
    assert analysis.chart == spc.Chart.XMR
    assert analysis.variation_sentence.startswith(
        "Common-cause variation: the latest figure, 75.6% (34 of 45), is within"
    )
    with pytest.raises(ValueError, match="one \\(or None\\) for each month"):
        analyse(values, fractions=fractions[:-1])


def test_p_chart_limits_are_clipped_to_0_and_100_percent():
    fractions = [Fraction(9, 10)] * 13
    analysis = analyse([f.percentage for f in fractions], chart="p", fractions=fractions)
    limits = analysis.limits
    assert limits is not None
    assert limits.upper == D(100)
    assert limits.calculated_upper is not None
    assert limits.calculated_upper > 100


def test_a_p_chart_without_every_fraction_is_not_analysed():
    fractions = [Fraction(5, 10)] * 12 + [None]
    analysis = analyse([D(50)] * 13, chart=spc.Chart.P, fractions=fractions)
    assert analysis.variation == Variation.NOT_ANALYSED
    assert analysis.variation_sentence == (
        "Not analysed: a p-chart needs every figure's numerator and denominator, and 1 of the "
        "figures has none."
    )


# ---------------------------------------------------------------------------------------
# Year-to-date measures, and proposing a rebase


def test_a_year_to_date_measure_is_not_analysed():
    rising = [D(n) for n in range(1, 25)]
    analysis = analyse(rising, target=5, year_to_date=True)
    assert analysis.variation == Variation.NOT_ANALYSED
    assert analysis.assurance == Assurance.NOT_ANALYSED
    assert analysis.special_causes == 0
    assert analysis.limits is None
    assert analysis.variation_sentence == (
        "Not analysed: a year-to-date measure, whose figures build up month by month, so the "
        "SPC rules would read the build-up as a signal."
    )
    assert analysis.assurance_sentence.startswith("No assurance: not analysed, a year-to-date")
    assert analyse(rising).variation != Variation.NOT_ANALYSED  # the same figures, monthly


def test_a_sustained_shift_proposes_a_rebase_from_its_first_figure_and_applies_nothing():
    values = [*BASELINE, D(11), *[D(14), D(15)] * 4]
    analysis = analyse(values)
    proposal = spc.propose_rebase(analysis)
    assert proposal is not None
    assert (proposal.start, proposal.figures, proposal.side) == (13, 8, Side.HIGH)
    assert proposal.reason.startswith("8 figures in a row above the mean of 11")
    assert len(analysis.segments) == 1  # proposed, not applied
    # Once a person approves it, the new process has too few figures to judge yet.
    rebased = analyse(values, change_points=[ChangePoint(proposal.start, "approved")])
    assert rebased.variation == Variation.NOT_ENOUGH_DATA
    assert spc.propose_rebase(rebased) is None


@pytest.mark.parametrize(
    "tail",
    [
        [D(11)],  # common cause
        [D(30)],  # outside the limits, but one figure
        [D(11), *[D(12)] * 6, D(10)],  # a shift that has ended
    ],
)
def test_no_rebase_is_proposed_without_a_sustained_shift(tail):
    assert spc.propose_rebase(analyse([*BASELINE, *tail])) is None


# ---------------------------------------------------------------------------------------
# Sentences


def test_the_sentences_explain_each_result():
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
    assert "one of 7 or more figures in a row above the mean (11.00%)" in shift.variation_sentence
    assert "a context measure, so neither direction is better" in shift.variation_sentence
    fails = spc.analyse(
        [*BASELINE, D(11)], polarity=Polarity.HIGHER, target=D(17), describe=percent
    )
    assert fails.assurance_sentence.startswith(
        "Consistently fails: the target of 17.00% is above the upper process limit (16.32%)"
    )
    two = spc.analyse([*BASELINE, *series(15, 12, 15)], polarity=Polarity.LOWER, describe=percent)
    assert two.variation_sentence == (
        "Special-cause concern: the latest figure, 15.00%, is one of 2 of 3 figures in a row "
        "beyond the upper 2-sigma line (14.55%), all three above the mean; lower is better."
    )


# ---------------------------------------------------------------------------------------
# The overview judges the recent figures against the whole history's limits

figures = st.lists(st.one_of(st.none(), st.integers(0, 40).map(Decimal)), min_size=20, max_size=60)


@given(figures, st.integers(7, 19))
def test_the_recent_figures_with_the_whole_historys_limits_judge_the_latest_point_alike(
    values, recent
):
    """The overview judges only each KPI's recent figures against its whole history's limits
    (when it has at least MINIMUM_FIGURES figures); that must give the latest point the same
    verdict as judging the whole history."""
    tail = values[-recent:]
    if sum(v is not None for v in tail) < 7:
        return  # the overview always reads at least seven figures
    whole = spc.analyse(values, polarity=Polarity.HIGHER, target=D(20))
    if sum(v is not None for v in values) < spc.MINIMUM_FIGURES:
        assert whole.variation == Variation.NOT_ENOUGH_DATA
        return  # the overview passes no limits then, and judges nothing
    part = spc.analyse(tail, polarity=Polarity.HIGHER, target=D(20), process=spc.limits(values))
    assert part.variation == whole.variation
    assert part.assurance == whole.assurance
    if whole.latest is not None:
        assert part.latest is not None
        assert part.latest.signals == whole.latest.signals
