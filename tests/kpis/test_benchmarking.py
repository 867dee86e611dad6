"""Rank, quartile band, aggregates and the sentence: pure code, tested against the published
cases of DfE's Local Authority Interactive Tool (dfe-analytical-services/
local-authority-interactive-tool, tests/testthat/test-fn_analysis.R) and Python's own
type-7 quantiles."""

import datetime as dt
import statistics
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpis import benchmarking
from kpis.benchmarking import Area, Figure, Measure, Member, Source
from kpis.polarity import Polarity
from kpis.units import Unit

D = Decimal
LAIT_BANDS = (D(25), D(50), D(75))  # quantile() of 0, 25, 50, 75, 100 in LAIT's tests


@pytest.mark.parametrize(
    ("value", "polarity", "band"),
    [
        # LAIT's test 1: within each quartile, for "Low" and "High" polarity
        (10, Polarity.LOWER, "A"),
        (30, Polarity.LOWER, "B"),
        (60, Polarity.LOWER, "C"),
        (80, Polarity.LOWER, "D"),
        (10, Polarity.HIGHER, "D"),
        (30, Polarity.HIGHER, "C"),
        (60, Polarity.HIGHER, "B"),
        (80, Polarity.HIGHER, "A"),
        # LAIT's test 2: a value on a boundary belongs to the band below it
        (0, Polarity.LOWER, "A"),
        (25, Polarity.LOWER, "A"),
        (50, Polarity.LOWER, "B"),
        (75, Polarity.LOWER, "C"),
        (100, Polarity.LOWER, "D"),
        # A context measure is banded in the order of "higher is better", without judgement
        (80, Polarity.NEITHER, "A"),
        (10, Polarity.NEITHER, "D"),
    ],
)
def test_quartile_bands_are_lait_s(value, polarity, band):
    assert benchmarking.band(D(value), LAIT_BANDS, polarity) == band


def test_ranks_are_lait_s_with_ties_sharing_the_best_rank():
    values = [D(v) for v in (10, 20, 20, 30, 40)]
    # LAIT's test 2: "High" polarity ranks 40 first and the two 20s joint 3rd
    high = [benchmarking.standing(v, values, Polarity.HIGHER) for v in values]
    assert [s.rank for s in high] == [5, 3, 3, 2, 1]
    assert [s.joint for s in high] == [False, True, True, False, False]
    # LAIT's test 1: "Low" polarity ranks the lowest first
    five = [D(v) for v in (10, 20, 30, 40, 50)]
    assert [benchmarking.standing(v, five, Polarity.LOWER).rank for v in five] == [1, 2, 3, 4, 5]
    assert benchmarking.standing(D(20), values, Polarity.HIGHER).of == 5


@given(st.lists(st.integers(min_value=-10_000, max_value=10_000), min_size=2, max_size=60))
def test_quartiles_are_r_s_default_type_7_as_python_s_inclusive_method(numbers):
    expected = statistics.quantiles(numbers, n=4, method="inclusive")
    found = benchmarking.quartiles([D(n) for n in numbers])
    assert [float(q) for q in found] == pytest.approx(expected)


def test_one_value_is_its_own_quartiles():
    assert benchmarking.quartiles([D(7)]) == (D(7), D(7), D(7))
    with pytest.raises(ValueError, match="no values"):
        benchmarking.quartiles([])


@pytest.mark.parametrize(
    ("number", "text"),
    [
        *[(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th")],
        *[(13, "13th"), (21, "21st"), (22, "22nd"), (101, "101st"), (111, "111th")],
        *[(112, "112th"), (151, "151st")],
    ],
)
def test_ordinals(number, text):
    assert benchmarking.ordinal(number) == text


def member(name, value=None, symbol="", *, present=True, note=""):
    figure = Figure(name[:3], name, D(value) if value is not None else None, symbol)
    return Member(name[:3], name, figure if present else None, note=note)


def test_a_group_s_mean_and_median_leave_out_symbols_and_missing_authorities_and_say_so():
    members = [
        member("Walsall", 97),
        member("Wolverhampton", 83),
        member("Coventry", 95),
        member("Luton", symbol="c"),
        member("Cumberland", present=False, note="no figure in the file for the period"),
    ]
    group = benchmarking.summarise("statistical neighbours", members)
    assert group.mean == D(275) / 3
    assert group.median == D(95)
    assert [m.name for m in group.suppressed] == ["Luton"]
    assert [m.name for m in group.missing] == ["Cumberland"]
    assert group.describe() == (
        "computed by the portal from 3 of the 5 authorities with a figure; left out: Luton "
        "(c: suppressed to protect confidentiality); Cumberland (no figure in the file for the "
        "period)"
    )
    everyone = benchmarking.summarise("two", members[:2])
    assert everyone.describe() == "computed by the portal from all 2 authorities"
    nobody = benchmarking.summarise("none", [members[3]])
    assert nobody.mean is None
    assert nobody.median is None


def test_the_statistical_neighbour_model_in_force_for_a_month():
    starts = [dt.date(2025, 4, 1), dt.date(2021, 4, 1)]  # in any order
    in_force = benchmarking.model_in_force
    assert in_force(starts, dt.date(2022, 3, 1)) == 1  # the 2021 groupings
    assert in_force(starts, dt.date(2025, 3, 1)) == 1  # the day before the 2025 model
    assert in_force(starts, dt.date(2025, 4, 1)) == 0  # the 2025 model from its first month
    assert in_force(starts, dt.date(2019, 3, 1)) == 1  # before every model: the earliest
    assert in_force([], dt.date(2022, 3, 1)) is None


SOURCE = Source("DfE", "Children looked after", "", "cla.csv", "2025 release", "DfE: at 31 March")


def position(polarity, own, *, unit=Unit.RATE, neighbours=(), england=None, others=()):
    measure = Measure("CICR", "rate of children in care", unit, 1, polarity, "at 31 March")
    own_figure = Figure("333", "Sandwell", D(own), "") if isinstance(own, int | str) else own
    group = benchmarking.summarise(
        "statistical neighbours", [member(f"Neighbour {i}", v) for i, v in enumerate(neighbours)]
    )
    figures = [own_figure, *(m.figure for m in group.members), *others]
    return benchmarking.position(
        measure=measure,
        month=dt.date(2022, 3, 1),
        time_period="2022",
        authority="Sandwell",
        own=own_figure,
        all_figures=[f for f in figures if f is not None],
        neighbours=group if neighbours else None,
        neighbour_model="DfE 2021",
        groups=[],
        region=None,
        england=Area("England", Figure("E92000001", "England", D(england), ""))
        if england is not None
        else None,
        source=SOURCE,
    )


def test_a_context_measure_is_said_higher_or_lower_never_better_or_worse():
    found = position(Polarity.NEITHER, 99, neighbours=(96, 107, 83), england=70)
    assert found.sentence == (
        "99 per 10,000 at 31 March 2022: above the median of its 3 statistical neighbours (96; "
        "mean 95.3) and above England (70); 2nd highest of 4 authorities with a figure, quartile "
        "B (the second-highest quarter)."
    )
    for word in ("better", "worse", "best"):
        assert word not in found.sentence


def test_a_measure_with_a_polarity_says_which_way_is_better():
    found = position(Polarity.LOWER, 14, unit=Unit.PERCENT, neighbours=(18, 20, 16), england=17)
    assert found.sentence == (
        "14% at 31 March 2022: below the median of its 3 statistical neighbours (18%; mean 18%) "
        "and below England (17%), better than both; the lowest of 4 authorities with a figure, "
        "where lowest is best, quartile A (the best quarter)."
    )
    mixed = position(Polarity.HIGHER, 17, unit=Unit.PERCENT, neighbours=(18, 20, 16), england=15)
    assert "worse than its neighbours' median and better than England" in mixed.sentence
    tied = benchmarking.standing(D(5), [D(5), D(5), D(9)], Polarity.LOWER)
    assert tied.rank_words == "joint lowest of 3 authorities with a figure, where lowest is best"


def test_an_authority_with_a_symbol_is_not_compared_or_ranked():
    own = Figure("333", "Sandwell", None, "c")
    found = position(Polarity.NEITHER, own, neighbours=(96, 107), england=70)
    assert found.standing is None
    assert found.sentence.startswith(
        "c at 31 March 2022 (suppressed to protect confidentiality): Sandwell is not compared"
    )
    assert "its statistical neighbours' median is 101.5 and England's 70" in found.sentence
    assert found.symbols_shown == {"c"}


def test_symbols_elsewhere_are_left_out_of_the_rank_and_counted():
    others = [Figure("909", "Cumbria", None, "x"), Figure("942", "Cumberland", None, "z")]
    found = position(Polarity.NEITHER, 99, neighbours=(96,), others=others)
    assert found.standing is not None
    assert found.standing.of == 2
    assert found.all_with_figure == 2
    assert [f.name for f in found.all_left_out] == ["Cumbria", "Cumberland"]


def test_published_values_are_shown_as_published_and_computed_ones_one_place_finer():
    measure = Measure("13", "vacancy rate", Unit.PERCENT, 2, Polarity.LOWER, "at 30 September")
    assert measure.published(D("14.2000")) == "14.2%"
    assert measure.published(D("99")) == "99%"
    assert measure.computed(D("18.155"), [D("18.1"), D("18.2")]) == "18.16%"
    assert measure.computed(D("96.6666"), [D("96"), D("97")]) == "96.7%"
    assert measure.computed(None) == "no figure"
