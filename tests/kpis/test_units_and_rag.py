import re
from decimal import Decimal

import pytest

from kpis.polarity import Direction, Polarity, direction
from kpis.units import (
    DecimalSeparatorError,
    Unit,
    format_change,
    format_value,
    parse_number,
    problems,
)

D = Decimal


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "shown"),
    [
        (D("74.9"), Unit.PERCENT, 1, "74.9%"),
        (D("68.1"), Unit.PERCENT, 2, "68.10%"),
        (D("100"), Unit.PERCENT, 1, "100.0%"),
        (D("258.0"), Unit.COUNT, 0, "258"),
        (D("1234"), Unit.COUNT, 0, "1,234"),
        (D("45.5"), Unit.RATE, 1, "45.5"),
        (D("19.61"), Unit.AVERAGE, 2, "19.61"),
        (D("1900000"), Unit.MONEY, 0, "£1,900,000"),
        (D("-250.5"), Unit.MONEY, 2, "-£250.50"),
        (D("12.25"), Unit.DAYS, 1, "12.2 days"),  # banker's rounding of a half
        (None, Unit.PERCENT, 1, "no data"),
    ],
)
def test_format_value_as_the_report_prints(value, unit, decimals, shown):
    assert format_value(value, unit, decimals) == shown


def test_format_change_speaks_of_percentage_points():
    assert format_change(D("-2.7"), Unit.PERCENT, 1) == "2.7 percentage points"
    assert format_change(D("4"), Unit.COUNT, 0) == "4"


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "problem"),
    [
        (D("104"), Unit.PERCENT, 1, "between 0 and 100"),
        (D("-0.1"), Unit.PERCENT, 1, "between 0 and 100"),
        (D("-3"), Unit.COUNT, 0, "cannot be negative"),
        (D("2.5"), Unit.COUNT, 0, "whole number"),
        (D("74.95"), Unit.PERCENT, 1, "2 decimal places; this KPI is kept to 1"),
        (D("-1"), Unit.RATE, 1, "cannot be negative"),
    ],
)
def test_problems_name_what_is_wrong(value, unit, decimals, problem):
    assert any(problem in found for found in problems(value, unit, decimals))


@pytest.mark.parametrize(
    ("value", "unit", "decimals"),
    [
        (D("100"), Unit.PERCENT, 1),
        (D("0"), Unit.PERCENT, 1),
        (D("83.30"), Unit.PERCENT, 1),  # a trailing zero is not a decimal place
        (D("41.0"), Unit.COUNT, 0),
        (D("-1900000"), Unit.MONEY, 2),
    ],
)
def test_problems_accept_good_values(value, unit, decimals):
    assert problems(value, unit, decimals) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("85.2%", D("85.2")),
        ("85.20 %", D("85.20")),
        (" 41.0 ", D("41.0")),
        ("1,234", D("1234")),
        ("£1.9", D("1.9")),
        ("-3", D("-3")),
    ],
)
def test_parse_number_reads_spreadsheet_spellings(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["n/a", "", "NaN", "Infinity", "12..3", "=1+1"])
def test_parse_number_rejects_what_is_not_a_number(text):
    with pytest.raises(ValueError, match="is not a number"):
        parse_number(text)


@pytest.mark.parametrize(
    ("previous", "current", "polarity", "judged"),
    [
        (D("77.6"), D("74.9"), Polarity.HIGHER, Direction.WORSE),
        (D("74.9"), D("77.6"), Polarity.HIGHER, Direction.BETTER),
        (D("112"), D("258"), Polarity.LOWER, Direction.WORSE),
        (D("258"), D("112"), Polarity.LOWER, Direction.BETTER),
        (D("46.3"), D("45.5"), Polarity.NEITHER, Direction.NOT_JUDGED),
        (D("45.5"), D("45.50"), Polarity.HIGHER, Direction.SAME),
        (None, D("45.5"), Polarity.HIGHER, Direction.NO_DATA),
    ],
)
def test_direction_of_travel_by_polarity(previous, current, polarity, judged):
    assert direction(previous, current, polarity) == judged


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234", D("1234")),
        ("12,345.6", D("12345.6")),
        ("1,234,567", D("1234567")),
        ("-1,000", D("-1000")),
        ("1\u00a0234", D("1234")),  # a no-break space, as Excel pastes it
    ],
)
def test_a_comma_is_a_thousands_separator_only_in_groups_of_three(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("19,61", "19,61 — use a point: 19.61"),
        ("1,5", "1,5 — use a point: 1.5"),
        ("0,125", "0,125 — use a point: 0.125"),  # 0 is never a thousands group
        ("1,2345", "1,2345 — use a point: 1.2345"),
        ("85,2%", "85,2% — use a point: 85.2%"),
    ],
)
def test_a_decimal_comma_is_refused_with_the_number_as_it_should_be_typed(text, words):
    with pytest.raises(DecimalSeparatorError, match=f"^{re.escape(words)}$"):
        parse_number(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("19,61", D("19.61")),
        ("1.234,5", D("1234.5")),
        ("1 234,5", D("1234.5")),
        ("1.234", D("1234")),
        ("75", D("75")),
        ("85,2%", D("85.2")),
    ],
)
def test_declared_decimal_commas_are_read(text, value):
    assert parse_number(text, decimal_comma=True) == value


def test_a_decimal_point_in_a_file_declared_with_commas_is_refused():
    with pytest.raises(DecimalSeparatorError, match="declared to use decimal commas: type 74,9"):
        parse_number("74.9", decimal_comma=True)
    with pytest.raises(ValueError, match="is not a number"):
        parse_number("1,234,5")


def test_the_monthly_return_refuses_a_decimal_comma_in_words(db):
    from kpis.imports import parse_value

    with pytest.raises(ValueError, match=re.escape("19,61 — use a point: 19.61")):
        parse_value("19,61")
