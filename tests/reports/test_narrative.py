import datetime as dt
from decimal import Decimal

import pytest

from reports.narrative import (
    Measure,
    Point,
    against_benchmark,
    change_since,
    is_large_change,
    large_change,
    missed_target,
    position_against_goal,
    special_cause,
)

D = Decimal
CP_RATE = Measure("2", "rate of children on a child protection plan", "rate", 1, "neither")
IN_CARE = Measure("CIC", "number of children in care", "count", 0, "lower")
CARE_RATE = Measure("CICR", "rate of children in care per 10,000 children", "rate", 1, "neither")
MASH = Measure("1", "percentage of contacts to MASH referral timeliness", "percent", 1, "higher")
UNALLOCATED = Measure("5", "number of unallocated children", "count", 0, "lower")


def at(year: int, month: int, value: str) -> Point:
    return Point(dt.date(year, month, 1), D(value))


def test_change_since_writes_the_reports_own_sentence():
    assert change_since(CP_RATE, at(2022, 3, "49.3"), at(2022, 6, "45.5")) == (
        "The rate of children on a child protection plan has fallen since March 2022, "
        "from 49.3 to 45.5."
    )


def test_change_since_a_rise_and_no_change():
    assert "has risen since March 2022, from 844 to 848" in change_since(
        IN_CARE, at(2022, 3, "844"), at(2022, 6, "848")
    )
    assert change_since(IN_CARE, at(2022, 3, "844"), at(2022, 6, "844")) == (
        "The number of children in care was 844 in June 2022, unchanged since March 2022."
    )


def test_position_against_the_goal():
    assert position_against_goal(
        IN_CARE, at(2022, 6, "848"), at(2022, 3, "844"), at(2023, 3, "796")
    ) == (
        "The number of children in care was 848 in June 2022, up from 844 in March 2022. "
        "The target for March 2023 is 796, 52 fewer than in June 2022."
    )


def test_against_a_benchmark():
    assert against_benchmark(
        CARE_RATE, at(2022, 3, "101.7"), D("102.6"), "Statistical neighbour average (5 authorities)"
    ) == (
        "In March 2022 the rate of children in care per 10,000 children was 101.7, below the "
        "statistical neighbour average (5 authorities) of 102.6."
    )


@pytest.mark.parametrize(
    ("measure", "value", "target", "side", "expected"),
    [
        (
            MASH,
            "74.9",
            "at least 85.0%",
            "below",
            "KPI 1 (percentage of contacts to MASH referral timeliness) was "
            "74.9% in June 2022, short of its target of at least 85.0% (red).",
        ),
        (
            UNALLOCATED,
            "258",
            "at most 20",
            "above",
            "KPI 5 (number of unallocated children) was 258 in June 2022, "
            "above its target of at most 20 (red).",
        ),
        (
            UNALLOCATED,
            "85",
            "fewer than 85",
            "at",
            "KPI 5 (number of unallocated children) was 85 in June 2022, "
            "outside its target of fewer than 85 (red).",
        ),
    ],
)
def test_a_missed_target_says_where_the_figure_lies(measure, value, target, side, expected):
    assert missed_target(measure, at(2022, 6, value), target, "Red", side=side) == expected


def test_an_illustrative_target_is_called_illustrative():
    text = missed_target(
        MASH, at(2022, 6, "74.9"), "at least 85.0%", "Red", side="below", illustrative=True
    )
    assert text == (
        "KPI 1 (percentage of contacts to MASH referral timeliness) was 74.9% in June 2022, "
        "short of its illustrative target of at least 85.0% (red)."
    )


def test_special_cause_names_its_kind_and_reason():
    text = special_cause(MASH, at(2022, 6, "74.9"), "concern", "7 points in a row below the mean.")
    assert text == (
        "KPI 1 (percentage of contacts to MASH referral timeliness) shows special-cause "
        "variation of concern in June 2022 (74.9%): 7 points in a row below the mean."
    )


@pytest.mark.parametrize(
    ("previous", "current", "large"),
    [
        ("112", "258", True),
        ("100", "150", False),
        ("100", "49", True),
        ("0", "3", True),
        ("0", "0", False),
        ("20", "0", True),
    ],
)
def test_a_large_change_is_more_than_half(previous, current, large):
    assert is_large_change(D(previous), D(current)) is large


def test_large_change_sentence():
    assert large_change(UNALLOCATED, at(2022, 5, "112"), at(2022, 6, "258")) == (
        "KPI 5 (number of unallocated children) rose from 112 in May 2022 to 258 in June 2022, "
        "a change of more than half."
    )
