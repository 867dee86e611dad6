"""Closing months: once a quarter's report is published its months are closed, and a figure
in a closed month changes only with the permission to amend closed periods and a reason.

The rule itself is enforced by Observation.save() and delete() (see ClosedMonth); these are
the services that close and reopen months.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from sct_portal import periods

from .models import ClosedMonth


@transaction.atomic
def close_months(*, months: list[dt.date], by: Any, reason: str) -> list[ClosedMonth]:
    """Close the months (any day of a month stands for the month). A month that is already
    closed stays as it was closed first. Returns the months' closures, oldest first."""
    if not reason.strip():
        raise ValueError("Say why the months are closed, e.g. “Q1 2022/23 report published”.")
    wanted = sorted({periods.month_start(month) for month in months})
    closures = []
    for month in wanted:
        closure, _ = ClosedMonth.objects.get_or_create(
            month=month,
            defaults={"closed_by": by if getattr(by, "pk", None) else None, "reason": reason},
        )
        closures.append(closure)
    return closures


@transaction.atomic
def reopen_months(*, months: list[dt.date]) -> int:
    """Open closed months again; returns how many were closed."""
    wanted = {periods.month_start(month) for month in months}
    count, _ = ClosedMonth.objects.filter(month__in=wanted).delete()
    return count


def is_closed(month: dt.date) -> bool:
    return ClosedMonth.objects.filter(month=periods.month_start(month)).exists()


def closures(months: Iterable[dt.date]) -> dict[dt.date, ClosedMonth]:
    """The closed months among `months`, by month (one query)."""
    wanted = {periods.month_start(month) for month in months}
    return {closed.month: closed for closed in ClosedMonth.objects.filter(month__in=wanted)}
