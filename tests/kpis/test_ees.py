"""The Explore Education Statistics format as a mapping describes a file: pure code."""

import datetime as dt

import pytest

from kpis import ees


def test_a_column_is_found_by_any_of_its_names_ignoring_case_and_spacing():
    population = ees.column("population_type | population_count")
    assert population.find(["time_period", " Population_Count ", "number"]) == 1
    assert population.find(["time_period", "population_type", "population_count"]) == 1
    assert population.find(["time_period"]) is None
    assert str(population) == "“population_type” or “population_count”"


def test_a_column_needs_a_name():
    with pytest.raises(ValueError, match="name the column"):
        ees.column(" | ")


def test_filters_are_read_one_a_line_and_match_ignoring_case():
    filters = ees.parse_filters(
        "# the measure\npopulation_type | population_count = Children looked after on 31 "
        "March each year\n\n"
    )
    assert len(filters) == 1
    assert filters[0].matches("children looked after on 31  March each year")
    assert not filters[0].matches("Children starting to be looked after each year")


def test_a_filter_that_is_not_column_equals_value_names_its_line():
    with pytest.raises(ValueError, match=r"line 2 \(“population_type”\)"):
        ees.parse_filters("category = Referrals and Re-referrals\npopulation_type")


@pytest.mark.parametrize(
    ("time_period", "month", "expected"),
    [
        ("2022", 3, dt.date(2022, 3, 1)),  # children looked after at 31 March 2022
        ("2022", 9, dt.date(2022, 9, 1)),  # the workforce at 30 September 2022
        ("202223", 3, dt.date(2023, 3, 1)),  # a financial year's end
        ("202223", 4, dt.date(2022, 4, 1)),  # its first month
        ("202223", 12, dt.date(2022, 12, 1)),
        ("202223", 1, dt.date(2023, 1, 1)),
        ("199900", 3, dt.date(2000, 3, 1)),
    ],
)
def test_a_time_period_falls_in_a_month_of_the_kpi(time_period, month, expected):
    assert ees.month_of(time_period, month) == expected


@pytest.mark.parametrize("text", ["2022/23", "22", "202224", "2022-23", "", "20222"])
def test_what_is_not_a_time_period_is_refused_in_words(text):
    with pytest.raises(ValueError, match="is not a time period"):
        ees.month_of(text, 3)


def test_time_periods_are_chosen_by_years_and_ranges():
    chosen = ees.parse_periods("2021-2023, 2025")
    assert [chosen.includes(p) for p in ("2020", "2021", "2023", "2024", "2025")] == [
        False,
        True,
        True,
        False,
        True,
    ]
    assert chosen.includes("202324")  # a two-year period by its first year
    assert str(chosen) == "2021–2023, 2025"
    assert ees.parse_periods("").includes("1999")
    assert str(ees.parse_periods(" ")) == "every period in the file"


@pytest.mark.parametrize(
    ("text", "message"), [("2025-2021", "ends before"), ("202223", "first year")]
)
def test_time_periods_that_cannot_be_read_are_refused_in_words(text, message):
    with pytest.raises(ValueError, match=message):
        ees.parse_periods(text)
