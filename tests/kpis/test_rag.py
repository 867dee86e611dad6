"""Targets as councils write them, judged at every boundary and said in words (kpis.rag)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpis.rag import (
    Amber,
    Basis,
    Comparison,
    Rag,
    Rule,
    describe,
    explain,
    judge,
    phrase,
    side,
    target_value,
)
from kpis.units import Unit

D = Decimal
G, A, R = Rag.GREEN, Rag.AMBER, Rag.RED

SN = "the statistical-neighbour average"
MARCH = "the figure for March 2022"


def fixed(comparison: str, value: str, upper: str | None = None, **amber: str) -> Rule:
    """fixed("at-least", "45", limit="40"), fixed("between", "15", "20", distance="2")"""
    kind, given = next(iter(amber.items())) if amber else (Amber.NONE, None)
    return Rule(
        comparison=comparison,
        value=D(value),
        upper=D(upper) if upper is not None else None,
        amber=kind,
        amber_value=D(given) if given is not None else None,
    )


def relative(basis: str, comparison: str, value: str = "0", **amber: str) -> Rule:
    rule = fixed(comparison, value, **amber)
    name = SN if basis == Basis.BENCHMARK else MARCH
    return Rule(
        comparison=rule.comparison,
        value=rule.value,
        amber=rule.amber,
        amber_value=rule.amber_value,
        basis=basis,
        reference=name,
    )


AT_LEAST_45_FLOOR_40 = fixed(Comparison.AT_LEAST, "45", limit="40")
AT_LEAST_85_WITHIN_5 = fixed(Comparison.AT_LEAST, "85", distance="5")
AT_LEAST_90 = fixed(Comparison.AT_LEAST, "90")
MORE_THAN_85 = fixed(Comparison.MORE_THAN, "85")
MORE_THAN_85_WITHIN_5 = fixed(Comparison.MORE_THAN, "85", distance="5")
MORE_THAN_85_FLOOR_80 = fixed(Comparison.MORE_THAN, "85", limit="80")
AT_MOST_20 = fixed(Comparison.AT_MOST, "20")
AT_MOST_20_WITHIN_2 = fixed(Comparison.AT_MOST, "20", distance="2")
AT_MOST_20_CEILING_25 = fixed(Comparison.AT_MOST, "20", limit="25")
FEWER_THAN_85 = fixed(Comparison.FEWER_THAN, "85")
LESS_THAN_22 = fixed(Comparison.FEWER_THAN, "22")
FEWER_THAN_85_CEILING_90 = fixed(Comparison.FEWER_THAN, "85", limit="90")
FEWER_THAN_85_WITHIN_5 = fixed(Comparison.FEWER_THAN, "85", distance="5")
BETWEEN_15_20 = fixed(Comparison.BETWEEN, "15", "20")
BETWEEN_15_20_WITHIN_2 = fixed(Comparison.BETWEEN, "15", "20", distance="2")
ABOVE_SN = relative(Basis.BENCHMARK, Comparison.MORE_THAN)
AT_LEAST_SN = relative(Basis.BENCHMARK, Comparison.AT_LEAST)
ABOVE_SN_WITHIN_1 = relative(Basis.BENCHMARK, Comparison.MORE_THAN, distance="1")
WITHIN_2_OF_SN = relative(Basis.BENCHMARK, Comparison.AT_MOST, "2")
AN_ADDITIONAL_800 = relative(Basis.OWN_FIGURE, Comparison.AT_LEAST, "800")
FIFTY_FEWER = relative(Basis.OWN_FIGURE, Comparison.AT_MOST, "-50", limit="-20")


@pytest.mark.parametrize(
    ("rule", "value", "outcome"),
    [
        # "Target 45%, tolerance 40": an amber floor of 40, not a distance of 40.
        (AT_LEAST_45_FLOOR_40, "45", G),
        (AT_LEAST_45_FLOOR_40, "60", G),
        (AT_LEAST_45_FLOOR_40, "44.9", A),
        (AT_LEAST_45_FLOOR_40, "40", A),
        (AT_LEAST_45_FLOOR_40, "39.3", R),
        (AT_LEAST_45_FLOOR_40, "39.99", R),
        (AT_LEAST_85_WITHIN_5, "85", G),
        (AT_LEAST_85_WITHIN_5, "80", A),
        (AT_LEAST_85_WITHIN_5, "79.9", R),
        (AT_LEAST_90, "90", G),
        (AT_LEAST_90, "89.9", R),  # no amber band: no amber
        # "More than": the target itself is not green.
        (MORE_THAN_85, "85", R),
        (MORE_THAN_85, "85.01", G),
        (MORE_THAN_85_WITHIN_5, "85", A),
        (MORE_THAN_85_WITHIN_5, "80", A),
        (MORE_THAN_85_WITHIN_5, "79.99", R),
        (MORE_THAN_85_FLOOR_80, "85", A),
        (MORE_THAN_85_FLOOR_80, "80", A),
        (MORE_THAN_85_FLOOR_80, "79.99", R),
        (AT_MOST_20, "20", G),
        (AT_MOST_20, "20.01", R),
        (AT_MOST_20_WITHIN_2, "10", G),
        (AT_MOST_20_WITHIN_2, "20", G),
        (AT_MOST_20_WITHIN_2, "22", A),
        (AT_MOST_20_WITHIN_2, "22.01", R),
        (AT_MOST_20_CEILING_25, "20.5", A),
        (AT_MOST_20_CEILING_25, "25", A),
        (AT_MOST_20_CEILING_25, "25.1", R),
        # "Fewer than 85" and "less than 22%": 85 and 22 are not green.
        (FEWER_THAN_85, "85", R),
        (FEWER_THAN_85, "84", G),
        (FEWER_THAN_85, "84.99", G),
        (LESS_THAN_22, "22", R),
        (LESS_THAN_22, "21.9", G),
        (FEWER_THAN_85_CEILING_90, "84", G),
        (FEWER_THAN_85_CEILING_90, "85", A),
        (FEWER_THAN_85_CEILING_90, "90", A),
        (FEWER_THAN_85_CEILING_90, "91", R),
        (FEWER_THAN_85_WITHIN_5, "85", A),
        (FEWER_THAN_85_WITHIN_5, "90", A),
        (FEWER_THAN_85_WITHIN_5, "90.01", R),
        # "Between 15 and 20" (caseloads): both ends green.
        (BETWEEN_15_20, "15", G),
        (BETWEEN_15_20, "20", G),
        (BETWEEN_15_20, "17.5", G),
        (BETWEEN_15_20, "14.99", R),
        (BETWEEN_15_20, "20.01", R),
        (BETWEEN_15_20_WITHIN_2, "14.99", A),
        (BETWEEN_15_20_WITHIN_2, "13", A),
        (BETWEEN_15_20_WITHIN_2, "12.99", R),
        (BETWEEN_15_20_WITHIN_2, "20.01", A),
        (BETWEEN_15_20_WITHIN_2, "22", A),
        (BETWEEN_15_20_WITHIN_2, "22.01", R),
    ],
)
def test_a_fixed_target_at_its_boundaries(rule, value, outcome):
    assert judge(D(value), rule) == outcome


@pytest.mark.parametrize(
    ("rule", "reference", "value", "outcome"),
    [
        # "Above the statistical-neighbour average" (102.6): the average itself is not above.
        (ABOVE_SN, "102.6", "102.6", R),
        (ABOVE_SN, "102.6", "102.7", G),
        (AT_LEAST_SN, "102.6", "102.6", G),
        (AT_LEAST_SN, "102.6", "102.5", R),
        (ABOVE_SN_WITHIN_1, "100", "100", A),
        (ABOVE_SN_WITHIN_1, "100", "99", A),
        (ABOVE_SN_WITHIN_1, "100", "98.9", R),
        (WITHIN_2_OF_SN, "30", "32", G),  # at most 2 above the average
        (WITHIN_2_OF_SN, "30", "32.1", R),
        # "An additional 800" on the March 2022 figure (1,000).
        (AN_ADDITIONAL_800, "1000", "1800", G),
        (AN_ADDITIONAL_800, "1000", "1799", R),
        # "50 fewer than in March 2022" (300), amber up to 20 fewer.
        (FIFTY_FEWER, "300", "250", G),
        (FIFTY_FEWER, "300", "251", A),
        (FIFTY_FEWER, "300", "280", A),
        (FIFTY_FEWER, "300", "281", R),
    ],
)
def test_a_relative_target_at_its_boundaries(rule, reference, value, outcome):
    assert judge(D(value), rule, reference=D(reference)) == outcome


@pytest.mark.parametrize(
    ("rule", "outcome", "words"),
    [
        (ABOVE_SN, Rag.NO_BENCHMARK, "not judged: no benchmark for the period"),
        (ABOVE_SN_WITHIN_1, Rag.NO_BENCHMARK, "not judged: no benchmark for the period"),
        (AN_ADDITIONAL_800, Rag.NO_BASELINE, "not judged: no figure for the starting month"),
    ],
)
def test_a_relative_target_without_its_reference_is_not_judged_and_says_why(rule, outcome, words):
    for value in ("0", "102.6", "1000000"):  # never a silent green, whatever the figure
        assert judge(D(value), rule) == outcome
    assert explain(outcome) == words
    assert outcome.label.startswith("Not judged: ")


def test_no_figure_is_no_data_whatever_the_target():
    for rule in (AT_LEAST_90, BETWEEN_15_20, ABOVE_SN):
        assert judge(None, rule) == Rag.NO_DATA


def test_every_outcome_has_its_words():
    assert all(explain(outcome) for outcome in Rag)


@pytest.mark.parametrize(
    ("rule", "unit", "decimals", "sentence"),
    [
        (
            AT_LEAST_45_FLOOR_40,
            Unit.PERCENT,
            0,
            "Green at 45% or more; amber from 40% to under 45%; red under 40%.",
        ),
        (FEWER_THAN_85, Unit.COUNT, 0, "Green under 85; red at 85 or more."),
        (LESS_THAN_22, Unit.PERCENT, 1, "Green under 22.0%; red at 22.0% or more."),
        (
            AT_LEAST_85_WITHIN_5,
            Unit.PERCENT,
            1,
            "Green at 85.0% or more; amber from 80.0% to under 85.0%; red under 80.0%.",
        ),
        (AT_LEAST_90, Unit.PERCENT, 1, "Green at 90.0% or more; red under 90.0%."),
        (MORE_THAN_85, Unit.COUNT, 0, "Green over 85; red at 85 or under."),
        (
            MORE_THAN_85_WITHIN_5,
            Unit.COUNT,
            0,
            "Green over 85; amber from 80 to 85; red under 80.",
        ),
        (AT_MOST_20, Unit.COUNT, 0, "Green at 20 or under; red over 20."),
        (
            AT_MOST_20_CEILING_25,
            Unit.RATE,
            1,
            "Green at 20.0 or under; amber over 20.0 up to 25.0; red over 25.0.",
        ),
        (
            FEWER_THAN_85_CEILING_90,
            Unit.COUNT,
            0,
            "Green under 85; amber from 85 to 90; red over 90.",
        ),
        (BETWEEN_15_20, Unit.AVERAGE, 0, "Green from 15 to 20; red under 15 or over 20."),
        (
            BETWEEN_15_20_WITHIN_2,
            Unit.AVERAGE,
            0,
            "Green from 15 to 20; amber from 13 to under 15 or over 20 up to 22; red under 13 "
            "or over 22.",
        ),
        (
            ABOVE_SN,
            Unit.RATE,
            1,
            f"Green over {SN}; red at {SN} or under.",
        ),
        (
            AN_ADDITIONAL_800,
            Unit.COUNT,
            0,
            f"Green at {MARCH} plus 800 or more; red under {MARCH} plus 800.",
        ),
        (
            relative(Basis.BENCHMARK, Comparison.AT_LEAST, "2", distance="1"),
            Unit.PERCENT,
            1,
            f"Green at {SN} plus 2.0 percentage points or more; amber from {SN} plus 1.0 "
            f"percentage points to under {SN} plus 2.0 percentage points; red under {SN} plus "
            "1.0 percentage points.",
        ),
        # A boundary is never rounded to the KPI's decimals: 22.5 is not "22" or "23".
        (
            fixed(Comparison.FEWER_THAN, "22.5"),
            Unit.PERCENT,
            0,
            "Green under 22.5%; red at 22.5% or more.",
        ),
    ],
)
def test_every_rule_reads_as_a_sentence(rule, unit, decimals, sentence):
    assert describe(rule, unit, decimals) == sentence


@pytest.mark.parametrize(
    ("rule", "unit", "decimals", "reference", "words"),
    [
        (AT_LEAST_45_FLOOR_40, Unit.PERCENT, 0, None, "at least 45% (amber from 40%)"),
        (AT_LEAST_85_WITHIN_5, Unit.PERCENT, 1, None, "at least 85.0% (amber from 80.0%)"),
        (FEWER_THAN_85, Unit.COUNT, 0, None, "fewer than 85"),
        (LESS_THAN_22, Unit.PERCENT, 0, None, "less than 22%"),
        (AT_MOST_20_WITHIN_2, Unit.COUNT, 0, None, "at most 20 (amber up to 22)"),
        (BETWEEN_15_20, Unit.AVERAGE, 0, None, "between 15 and 20"),
        (BETWEEN_15_20_WITHIN_2, Unit.AVERAGE, 0, None, "between 15 and 20 (amber from 13 to 22)"),
        (ABOVE_SN, Unit.RATE, 1, None, f"more than {SN}"),
        (ABOVE_SN, Unit.RATE, 1, "102.6", f"more than {SN} (102.6)"),
        (ABOVE_SN_WITHIN_1, Unit.RATE, 1, None, f"more than {SN} (amber within 1.0)"),
        (ABOVE_SN_WITHIN_1, Unit.RATE, 1, "100", f"more than {SN} (100.0; amber from 99.0)"),
        (AN_ADDITIONAL_800, Unit.COUNT, 0, "1000", f"at least {MARCH} plus 800 (1,800)"),
    ],
)
def test_a_target_is_named_as_written(rule, unit, decimals, reference, words):
    given = D(reference) if reference is not None else None
    assert phrase(rule, unit, decimals, reference=given) == words


@pytest.mark.parametrize(
    ("rule", "value", "where"),
    [
        (AT_LEAST_85_WITHIN_5, "74.9", "below"),
        (AT_MOST_20, "258", "above"),
        (FEWER_THAN_85, "85", "at"),  # the end itself is not green
        (BETWEEN_15_20, "14", "below"),
        (BETWEEN_15_20, "21", "above"),
        (BETWEEN_15_20, "16", ""),
    ],
)
def test_where_a_missed_figure_lies(rule, value, where):
    assert side(D(value), rule) == where


def test_the_value_a_process_is_assured_against():
    assert target_value(AT_LEAST_85_WITHIN_5) == D(85)
    assert target_value(ABOVE_SN, reference=D("102.6")) == D("102.6")
    assert target_value(ABOVE_SN) is None  # no benchmark: no assurance
    assert target_value(BETWEEN_15_20, higher_is_better=False) == D(20)
    assert target_value(BETWEEN_15_20, higher_is_better=True) == D(15)


RANK = {R: 0, A: 1, G: 2}
numbers = st.decimals(min_value=-1000, max_value=1000, places=2)


@given(
    comparison=st.sampled_from([c for c in Comparison if c != Comparison.BETWEEN]),
    target=numbers,
    distance=st.one_of(st.none(), st.decimals(min_value="0.01", max_value=100, places=2)),
    low=numbers,
    high=numbers,
)
def test_a_better_figure_is_never_judged_worse(comparison, target, distance, low, high):
    """Higher is better for "at least" and "more than", lower for "at most" and "fewer than":
    moving a figure the better way never takes it from green to amber or red."""
    rule = Rule(
        comparison=comparison,
        value=target,
        amber=Amber.DISTANCE if distance is not None else Amber.NONE,
        amber_value=distance,
    )
    worse, better = sorted([low, high])
    if comparison in (Comparison.AT_MOST, Comparison.FEWER_THAN):
        worse, better = better, worse
    assert RANK[judge(worse, rule)] <= RANK[judge(better, rule)]
    inclusive = comparison in (Comparison.AT_LEAST, Comparison.AT_MOST)
    assert (judge(target, rule) == G) == inclusive
