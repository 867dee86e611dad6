import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sct_portal.periods import (
    FinancialYear,
    Quarter,
    add_months,
    is_quarter_end,
    latest_complete_month,
    month_label,
    month_name,
    months_between,
    parse_month,
    quarter_end_month,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (D(2022, 3, 31), "2021/22"),
        (D(2022, 4, 1), "2022/23"),
        (D(2023, 3, 31), "2022/23"),
        (D(2023, 4, 1), "2023/24"),
        (D(2024, 2, 29), "2023/24"),  # leap day
        (D(2022, 12, 31), "2022/23"),
        (D(2023, 1, 1), "2022/23"),
        (D(1999, 4, 1), "1999/00"),
        (D(2000, 3, 31), "1999/00"),
    ],
)
def test_financial_year_of_a_day(day: dt.date, label: str) -> None:
    assert FinancialYear.of(day).label == label


def test_financial_year_labels_and_bounds() -> None:
    year = FinancialYear(2022)
    assert (year.label, year.slug, str(year)) == ("2022/23", "2022-23", "2022/23")
    assert year.first_day == D(2022, 4, 1)
    assert year.last_day == D(2023, 3, 31)
    assert FinancialYear(2023).last_day == D(2024, 3, 31)
    assert year.months()[0] == D(2022, 4, 1)
    assert year.months()[-1] == D(2023, 3, 1)
    assert len(year.months()) == 12
    assert D(2023, 3, 31) in year
    assert D(2023, 4, 1) not in year
    assert year.previous == FinancialYear(2021)
    assert year.next == FinancialYear(2023)


@pytest.mark.parametrize("text", ["2022/23", "2022-23", "2022/2023", " 2022 / 23 ", "2022–23"])
def test_financial_year_parses_its_labels(text: str) -> None:
    assert FinancialYear.parse(text) == FinancialYear(2022)


def test_financial_year_across_a_century() -> None:
    assert FinancialYear.parse("2099/00") == FinancialYear(2099)
    assert FinancialYear(2099).label == "2099/00"


@pytest.mark.parametrize("text", ["2022/24", "2022", "22/23", "2022-2022", "next year", ""])
def test_financial_year_rejects_what_is_not_one(text: str) -> None:
    with pytest.raises(ValueError, match="financial year"):
        FinancialYear.parse(text)


@pytest.mark.parametrize(
    ("day", "number", "year_start"),
    [
        (D(2022, 4, 1), 1, 2022),
        (D(2022, 6, 30), 1, 2022),
        (D(2022, 7, 1), 2, 2022),
        (D(2022, 9, 30), 2, 2022),
        (D(2022, 10, 1), 3, 2022),
        (D(2022, 12, 31), 3, 2022),
        (D(2023, 1, 1), 4, 2022),
        (D(2023, 3, 31), 4, 2022),
        (D(2024, 2, 29), 4, 2023),
        (D(2022, 3, 31), 4, 2021),
    ],
)
def test_quarter_of_a_day(day: dt.date, number: int, year_start: int) -> None:
    quarter = Quarter.of(day)
    assert (quarter.number, quarter.year.start) == (number, year_start)
    assert quarter.first_month <= day <= quarter.last_day


@pytest.mark.parametrize(
    ("number", "first", "last", "last_day"),
    [
        (1, D(2022, 4, 1), D(2022, 6, 1), D(2022, 6, 30)),
        (2, D(2022, 7, 1), D(2022, 9, 1), D(2022, 9, 30)),
        (3, D(2022, 10, 1), D(2022, 12, 1), D(2022, 12, 31)),
        (4, D(2023, 1, 1), D(2023, 3, 1), D(2023, 3, 31)),
    ],
)
def test_quarter_bounds(number: int, first: dt.date, last: dt.date, last_day: dt.date) -> None:
    quarter = Quarter(FinancialYear(2022), number)
    assert quarter.first_month == first
    assert quarter.last_month == last
    assert quarter.last_day == last_day
    assert quarter.months() == [first, add_months(first, 1), last]


def test_quarter_labels_and_parsing() -> None:
    quarter = Quarter(FinancialYear(2022), 1)
    assert (quarter.label, quarter.slug, quarter.title) == ("Q1", "q1", "Quarter 1 2022/23")
    assert str(quarter) == "Q1 2022/23"
    assert Quarter.parse("2022-23", "Q1") == quarter
    assert Quarter.parse("2022/23", "q1") == quarter
    assert Quarter.parse("2022-23", "1") == quarter
    with pytest.raises(ValueError, match="not a quarter"):
        Quarter.parse("2022-23", "Q5")
    with pytest.raises(ValueError, match="1 to 4"):
        Quarter(FinancialYear(2022), 0)


def test_quarter_previous_and_next_cross_the_year_end() -> None:
    q1 = Quarter(FinancialYear(2022), 1)
    assert q1.previous == Quarter(FinancialYear(2021), 4)
    assert q1.previous.next == q1
    assert Quarter(FinancialYear(2022), 4).next == Quarter(FinancialYear(2023), 1)


def test_q1_report_shows_apr_21_to_jun_22() -> None:
    months = Quarter.parse("2022-23", "Q1").report_months()
    assert [month_label(m) for m in months] == [
        "Apr-21", "May-21", "Jun-21", "Jul-21", "Aug-21", "Sep-21", "Oct-21", "Nov-21",
        "Dec-21", "Jan-22", "Feb-22", "Mar-22", "Apr-22", "May-22", "Jun-22",
    ]  # fmt: skip


@pytest.mark.parametrize(("number", "count"), [(1, 15), (2, 18), (3, 21), (4, 24)])
def test_report_months_grow_through_the_year(number: int, count: int) -> None:
    quarter = Quarter(FinancialYear(2022), number)
    months = quarter.report_months()
    assert len(months) == count
    assert months[0] == D(2021, 4, 1)
    assert months[-1] == quarter.last_month


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("Apr-21", D(2021, 4, 1)),
        ("Apr - 22", D(2022, 4, 1)),
        ("May \u2013 22", D(2022, 5, 1)),
        ("June - 22", D(2022, 6, 1)),
        ("Sept-22", D(2022, 9, 1)),
        ("Jun 2022", D(2022, 6, 1)),
        ("June 2022", D(2022, 6, 1)),
        ("  jun-22 ", D(2022, 6, 1)),
        ("Jun.-22", D(2022, 6, 1)),
        ("2022-06", D(2022, 6, 1)),
        ("2022-06-01", D(2022, 6, 1)),
        ("06/2022", D(2022, 6, 1)),
        ("Dec\u221221", D(2021, 12, 1)),
    ],
)
def test_parse_month_reads_every_spelling(text: str, month: dt.date) -> None:
    assert parse_month(text) == month


@pytest.mark.parametrize("text", ["", "Pl.No", "Foo-22", "2022-13", "13/2022", "85.2%", "Jun"])
def test_parse_month_rejects_what_is_not_a_month(text: str) -> None:
    with pytest.raises(ValueError, match="is not a month"):
        parse_month(text)


def test_month_labels() -> None:
    assert month_label(D(2021, 4, 1)) == "Apr-21"
    assert month_label(D(2000, 1, 15)) == "Jan-00"
    assert month_name(D(2022, 6, 1)) == "June 2022"


@pytest.mark.parametrize(
    ("month", "count", "result"),
    [
        (D(2022, 12, 1), 1, D(2023, 1, 1)),
        (D(2023, 1, 1), -1, D(2022, 12, 1)),
        (D(2022, 4, 1), -12, D(2021, 4, 1)),
        (D(2022, 3, 1), 0, D(2022, 3, 1)),
        (D(2024, 2, 1), 25, D(2026, 3, 1)),
    ],
)
def test_add_months(month: dt.date, count: int, result: dt.date) -> None:
    assert add_months(month, count) == result


def test_months_between_includes_both_ends_and_is_empty_backwards() -> None:
    assert months_between(D(2022, 3, 31), D(2022, 4, 1)) == [D(2022, 3, 1), D(2022, 4, 1)]
    assert months_between(D(2022, 4, 1), D(2022, 3, 1)) == []


@pytest.mark.parametrize(
    ("month", "end", "is_end"),
    [
        (D(2022, 4, 1), D(2022, 6, 1), False),
        (D(2022, 6, 1), D(2022, 6, 1), True),
        (D(2022, 7, 1), D(2022, 9, 1), False),
        (D(2022, 12, 1), D(2022, 12, 1), True),
        (D(2023, 1, 1), D(2023, 3, 1), False),
        (D(2023, 3, 1), D(2023, 3, 1), True),
    ],
)
def test_quarter_end_month(month: dt.date, end: dt.date, is_end: bool) -> None:
    assert quarter_end_month(month) == end
    assert is_quarter_end(month) is is_end


@pytest.mark.parametrize(
    ("today", "month"),
    [
        (D(2022, 4, 1), D(2022, 3, 1)),
        (D(2022, 3, 31), D(2022, 2, 1)),
        (D(2023, 1, 1), D(2022, 12, 1)),
    ],
)
def test_latest_complete_month(today: dt.date, month: dt.date) -> None:
    assert latest_complete_month(today) == month


@given(st.dates(min_value=D(1901, 1, 1), max_value=D(2998, 12, 31)))
def test_every_day_lies_in_its_year_and_quarter(day: dt.date) -> None:
    quarter = Quarter.of(day)
    assert day in quarter.year
    assert quarter.first_month <= day <= quarter.last_day
    assert parse_month(month_label(day)) == day.replace(day=1) or day.year // 100 != 20
    assert FinancialYear.parse(quarter.year.label) == quarter.year
