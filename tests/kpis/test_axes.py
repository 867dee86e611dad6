"""A chart's value axis (kpis/axes.py), as the KPI page's chart and the report's SVG draw it:
round lines that the KPI's own decimals label, whole numbers for a count, 0–100% for a
percentage."""

from decimal import Decimal

import pytest

from kpis.axes import nice_step, value_axis


def D(*values: str) -> list[Decimal]:
    return [Decimal(v) for v in values]


@pytest.mark.parametrize(
    ("span", "places", "step"),
    [
        ("4", 0, "1"),
        ("12", 0, "5"),
        ("0.6", 1, "0.2"),
        ("85", 0, "25"),
        ("1000", 0, "250"),
        ("6", 0, "2"),  # 1.5 would need a decimal a count does not have
        ("9", 1, "2.5"),
        ("9", 0, "5"),  # 2.5 needs a decimal
        ("0.3", 0, "1"),  # never finer than the KPI's decimals
        ("0.3", 2, "0.1"),
    ],
)
def test_steps_are_round_and_no_finer_than_the_decimals(span, places, step):
    assert nice_step(Decimal(span), most_places=places) == Decimal(step)


def test_a_count_steps_in_whole_numbers_and_no_label_repeats():
    # The children-in-care figures, 844 to 848: the chart showed 848, 848, 847 … and its
    # 844.5 line read "845".
    axis = value_axis(D("844", "848", "847"), unit="count", decimals=0)
    assert axis.step == 25
    assert all(tick == tick.to_integral_value() for tick in axis.ticks)
    assert len(set(axis.labels)) == len(axis.labels)
    assert axis.labels == ("800", "825", "850", "875", "900")


def test_a_small_count_still_steps_in_whole_numbers():
    axis = value_axis(D("3", "4", "5"), unit="count", decimals=0)
    assert axis.labels == ("3", "4", "5")  # never 3.5


def test_ticks_follow_the_kpis_decimals():
    axis = value_axis(D("19.61", "20.30", "19.95"), unit="average", decimals=2)
    assert all(label.count(".") == 1 and len(label.split(".")[1]) == 2 for label in axis.labels)
    percent = value_axis(D("59.5", "92.9", "74.9"), unit="percent", decimals=1)
    assert percent.labels == ("50.0%", "60.0%", "70.0%", "80.0%", "90.0%", "100.0%")


def test_each_line_reads_its_own_value():
    """No line is labelled with a value it is not at (844.5 read as "845")."""
    for values, unit, decimals in [
        (D("844", "848"), "count", 0),
        (D("45.5", "49.3"), "rate", 1),
        (D("0.5", "3.0"), "percent", 1),
        (D("17.61", "18.2"), "average", 2),
    ]:
        axis = value_axis(values, unit=unit, decimals=decimals)
        for tick, label in zip(axis.ticks, axis.labels, strict=True):
            assert Decimal(label.rstrip("%").replace(",", "")) == tick


@pytest.mark.parametrize(
    "values", [D("97.5", "100.0"), D("0.5", "3.0"), D("0", "100"), D("0.0", "0.0")]
)
def test_a_percentage_axis_stays_within_0_and_100(values):
    axis = value_axis(values, unit="percent", decimals=1)
    assert 0 <= axis.low <= min(values)
    assert max(values) <= axis.high <= 100


def test_a_small_change_does_not_fill_the_chart():
    axis = value_axis(D("844", "848"), unit="count", decimals=0)
    assert axis.high - axis.low >= Decimal("84.8")  # at least a tenth of the figure


def test_a_measure_that_cannot_be_negative_stops_at_zero():
    axis = value_axis(D("0", "41", "258"), unit="count", decimals=0)
    assert axis.low == 0
    money = value_axis(D("-150000", "200000"), unit="money", decimals=0)
    assert money.low < 0


def test_the_chart_module_is_given_exactly_these_lines():
    data = value_axis(D("844", "848"), unit="count", decimals=0).as_data()
    assert data == {
        "min": 800.0,
        "max": 900.0,
        "step": 25.0,
        "ticks": [800.0, 825.0, 850.0, 875.0, 900.0],
        "labels": ["800", "825", "850", "875", "900"],
    }
