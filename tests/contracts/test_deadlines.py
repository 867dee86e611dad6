"""Date precision and overdue, judged as at a given day: pure code, no database."""

import datetime as dt

import pytest

from contracts.deadlines import Precision, Timing, describe, earliest, latest, timing

D, M = Precision.DAY, Precision.MONTH


@pytest.mark.parametrize(
    ("due", "precision", "on", "expected"),
    [
        (dt.date(2022, 9, 28), D, dt.date(2022, 9, 27), Timing.UPCOMING),
        (dt.date(2022, 9, 28), D, dt.date(2022, 9, 28), Timing.DUE),
        (dt.date(2022, 9, 28), D, dt.date(2022, 9, 29), Timing.OVERDUE),
        # "Sept 2022": due all month, overdue only once the month is over.
        (dt.date(2022, 9, 1), M, dt.date(2022, 8, 31), Timing.UPCOMING),
        (dt.date(2022, 9, 1), M, dt.date(2022, 9, 1), Timing.DUE),
        (dt.date(2022, 9, 1), M, dt.date(2022, 9, 30), Timing.DUE),
        (dt.date(2022, 9, 1), M, dt.date(2022, 10, 1), Timing.OVERDUE),
        # Month ends of different lengths, and a leap year.
        (dt.date(2024, 2, 1), M, dt.date(2024, 2, 29), Timing.DUE),
        (dt.date(2024, 2, 1), M, dt.date(2024, 3, 1), Timing.OVERDUE),
        (dt.date(2022, 12, 1), M, dt.date(2022, 12, 31), Timing.DUE),
        (dt.date(2022, 12, 1), M, dt.date(2023, 1, 1), Timing.OVERDUE),
    ],
)
def test_timing_of_an_open_item_on_a_given_day(due, precision, on, expected):
    assert timing(due=due, precision=precision, closed=False, on=on) is expected


def test_a_closed_item_is_never_overdue():
    on = dt.date(2030, 1, 1)
    assert timing(due=dt.date(2022, 9, 28), precision=D, closed=True, on=on) is Timing.DONE


def test_an_item_without_a_due_date_is_undated_not_overdue():
    on = dt.date(2030, 1, 1)
    assert timing(due=None, precision=D, closed=False, on=on) is Timing.UNDATED
    assert Timing.UNDATED.label == "No due date recorded"


def test_a_month_only_date_spans_its_month():
    assert earliest(dt.date(2022, 9, 17), M) == dt.date(2022, 9, 1)
    assert latest(dt.date(2022, 9, 17), M) == dt.date(2022, 9, 30)
    assert latest(dt.date(2022, 9, 17), D) == dt.date(2022, 9, 17)


def test_dates_are_written_to_the_precision_they_are_known_to():
    assert describe(dt.date(2022, 9, 28), D) == "28 September 2022"
    assert describe(dt.date(2022, 9, 1), M) == "September 2022"
    assert describe(None, D) == "not recorded"
    assert describe(None, D, unknown="not yet published") == "not yet published"
