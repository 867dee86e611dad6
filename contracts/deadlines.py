"""Dates known to the day or only to the month, and whether something due is overdue.

Pure code: the caller passes the day to judge on ("today" is never read here), so a page,
the quarterly report and a test can each ask "as at" any date.
"""

import datetime as dt
from enum import StrEnum

from django.db import models

from sct_portal import periods


class Precision(models.TextChoices):
    """How much of a date the source gives: "28th Sept" is a day; "Sept 2022" only a month."""

    DAY = "day", "Exact day"
    MONTH = "month", "Month only"


def normalise(day: dt.date, precision: str) -> dt.date:
    """A month-only date is kept as the month's first day."""
    return periods.month_start(day) if precision == Precision.MONTH else day


def earliest(day: dt.date, precision: str) -> dt.date:
    """The first day the date could mean."""
    return normalise(day, precision)


def latest(day: dt.date, precision: str) -> dt.date:
    """The last day the date could mean: the month's last day for a month-only date."""
    if precision == Precision.MONTH:
        return periods.add_months(periods.month_start(day), 1) - dt.timedelta(days=1)
    return day


def describe(day: dt.date | None, precision: str, *, unknown: str = "not recorded") -> str:
    """28 September 2022, or September 2022 when only the month is known."""
    if day is None:
        return unknown
    if precision == Precision.MONTH:
        return periods.month_name(day)
    return f"{day.day} {periods.month_name(day)}"


class Timing(StrEnum):
    DONE = "done"
    OVERDUE = "overdue"
    DUE = "due"  # due on the day judged, or within the month judged for a month-only date
    UPCOMING = "upcoming"
    UNDATED = "undated"

    @property
    def label(self) -> str:
        return TIMING_LABELS[self]


TIMING_LABELS = {
    Timing.DONE: "Closed",
    Timing.OVERDUE: "Overdue",
    Timing.DUE: "Due now",
    Timing.UPCOMING: "Upcoming",
    Timing.UNDATED: "No due date recorded",
}


def timing(*, due: dt.date | None, precision: str, closed: bool, on: dt.date) -> Timing:
    """Where something due stands on the day `on`.

    Overdue once the last day the due date could mean has passed and it is not closed; a
    month-only date ("September 2022") is overdue from 1 October, not from 2 September.
    """
    if closed:
        return Timing.DONE
    if due is None:
        return Timing.UNDATED
    if latest(due, precision) < on:
        return Timing.OVERDUE
    if earliest(due, precision) <= on:
        return Timing.DUE
    return Timing.UPCOMING
