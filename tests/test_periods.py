import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sct_portal.periods import (
    FinancialYear,
    Period,
    Quarter,
    add_months,
    is_quarter_end,
    latest_complete_month,
    month_label,
    month_name,
    months_between,
    parse_day,
    parse_month,
    parse_period,
    parse_quarter,
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


# Periods as spreadsheets name them ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quarter"),
    [
        ("Q1 2022/23", Quarter(FinancialYear(2022), 1)),
        ("q1 2022-23", Quarter(FinancialYear(2022), 1)),
        ("Q1 22/23", Quarter(FinancialYear(2022), 1)),
        ("Q1 2022/2023", Quarter(FinancialYear(2022), 1)),
        ("2022/23 Q1", Quarter(FinancialYear(2022), 1)),
        ("2022-23 Q4", Quarter(FinancialYear(2022), 4)),
        ("Quarter 1 2022-23", Quarter(FinancialYear(2022), 1)),
        ("Quarter 3 of 2022/23", Quarter(FinancialYear(2022), 3)),
        ("Qtr 2 FY2022/23", Quarter(FinancialYear(2022), 2)),
        ("Apr–Jun 2022", Quarter(FinancialYear(2022), 1)),
        ("Apr-Jun 22", Quarter(FinancialYear(2022), 1)),
        ("April to June 2022", Quarter(FinancialYear(2022), 1)),
        ("Jul - Sep 2022", Quarter(FinancialYear(2022), 2)),
        ("Oct—Dec 2022", Quarter(FinancialYear(2022), 3)),
        # Q4 is January to March of the next calendar year.
        ("Jan–Mar 2023", Quarter(FinancialYear(2022), 4)),
        ("Jan-Mar 23", Quarter(FinancialYear(2022), 4)),
        ("Apr-22 to Jun-22", Quarter(FinancialYear(2022), 1)),
        # The century turns inside a financial year.
        ("Q4 1999/00", Quarter(FinancialYear(1999), 4)),
        ("Jan-Mar 2000", Quarter(FinancialYear(1999), 4)),
    ],
)
def test_quarters_as_councils_write_them(text: str, quarter: Quarter) -> None:
    assert parse_quarter(text) == quarter


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Q1 2022", "does not say which financial year: write Q1 2022/23"),
        ("2022 Q1", "does not say which financial year"),
        ("Q5 2022/23", "has no quarter 5: quarters run from Q1 (Apr–Jun) to Q4 (Jan–Mar)"),
        ("Q0 2022/23", "has no quarter 0"),
        ("Q1 2022/24", "is not a financial year: the years must follow (e.g. 2022/23)"),
        ("May–Jul 2022", "is not a quarter: quarters run Apr–Jun, Jul–Sep, Oct–Dec or Jan–Mar"),
        ("Apr–May 2022", "is not a quarter: quarters run Apr–Jun"),
        ("Dec–Feb 2022", "is not a quarter"),
        ("Apr 2022 – Jun 2023", "are in one calendar year"),
        ("first quarter", "is not a quarter (expected e.g. Q1 2022/23, 2022/23 Q1"),
    ],
)
def test_what_is_not_a_quarter_says_what_would_be(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        parse_quarter(text)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("30/06/2022", D(2022, 6, 30)),
        ("30/06/22", D(2022, 6, 30)),
        ("1/7/2022", D(2022, 7, 1)),
        ("31.03.2023", D(2023, 3, 31)),
        ("30 June 2022", D(2022, 6, 30)),
        ("30th Jun 2022", D(2022, 6, 30)),
        ("1st April 2022", D(2022, 4, 1)),
        ("2022-06-30", D(2022, 6, 30)),
        ("29/02/2024", D(2024, 2, 29)),  # a leap day
    ],
)
def test_dates_are_read_day_first(text: str, day: dt.date) -> None:
    assert parse_day(text) == day


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("29/02/2023", "February 2023 has no day 29"),
        ("31/06/2022", "June 2022 has no day 31"),
        ("06/30/2022", "write the day first, then the month (30/06/2022)"),
        ("32 June 2022", "June 2022 has no day 32"),
        ("30 Juin 2022", "is not a date (expected e.g. 30/06/2022)"),
    ],
)
def test_what_is_not_a_date_says_why(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        parse_day(text)


Q1 = Quarter(FinancialYear(2022), 1)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("Jun-22", Period(D(2022, 6, 1))),
        ("June - 22", Period(D(2022, 6, 1))),
        ("2022-06", Period(D(2022, 6, 1))),
        ("Q1 2022/23", Period(D(2022, 6, 1), Q1)),
        ("2022/23 Q1", Period(D(2022, 6, 1), Q1)),
        ("Quarter 1 2022-23", Period(D(2022, 6, 1), Q1)),
        ("Apr–Jun 2022", Period(D(2022, 6, 1), Q1)),
        ("Apr-Jun 22", Period(D(2022, 6, 1), Q1)),
        ("30/06/2022", Period(D(2022, 6, 1))),
        ("end June 2022", Period(D(2022, 6, 1))),
        ("End of June 2022", Period(D(2022, 6, 1))),
        ("end Jun-22", Period(D(2022, 6, 1))),
        ("as at 30 June 2022", Period(D(2022, 6, 1))),
        ("As at 30/06/2022", Period(D(2022, 6, 1))),
        ("month ending 31/03/2023", Period(D(2023, 3, 1))),
        ("1/4/2022", Period(D(2022, 4, 1))),
        ("31/3/2022", Period(D(2022, 3, 1))),
        ("Jan–Mar 2023", Period(D(2023, 3, 1), Quarter(FinancialYear(2022), 4))),
    ],
)
def test_a_period_is_a_month_a_quarter_or_a_date(text: str, period: Period) -> None:
    assert parse_period(text) == period


def test_a_quarter_is_recorded_at_its_last_month_and_labelled_as_a_quarter() -> None:
    for quarter in FinancialYear(2022).quarters():
        period = parse_period(f"{quarter.label} {quarter.year.label}")
        assert period.month == quarter.last_month
        assert period.label == str(quarter)
    assert parse_period("30/06/2022").label == "Jun-22"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("June", "is not a period: expected a month (Jun-22), a quarter (Q1 2022/23 or"),
        ("Smarch-22", "is not a period"),
        ("Q1 2022", "does not say which financial year"),
        ("31/06/2022", "June 2022 has no day 31"),
        ("end Juin 2022", "is not a month or date (expected e.g. end June 2022 or as at"),
    ],
)
def test_what_is_not_a_period_says_what_would_be(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        parse_period(text)


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2098, 12, 31)))
def test_any_date_written_day_first_is_read_as_its_month(day: dt.date) -> None:
    assert parse_period(day.strftime("%d/%m/%Y")).month == day.replace(day=1)
    assert parse_period(f"as at {day.day} {day:%B %Y}").month == day.replace(day=1)


@given(st.integers(2000, 2098), st.integers(1, 4))
def test_every_spelling_of_a_quarter_is_the_same_quarter(start: int, number: int) -> None:
    quarter = Quarter(FinancialYear(start), number)
    first, last = quarter.first_month, quarter.last_month
    spellings = [
        f"Q{number} {quarter.year.label}",
        f"{quarter.year.slug} Q{number}",
        f"Quarter {number} {quarter.year.slug}",
        f"{first:%b}–{last:%b} {last.year}",
        f"{first:%b}-{last:%b} {last.year % 100:02d}",
    ]
    assert {parse_quarter(text) for text in spellings} == {quarter}
