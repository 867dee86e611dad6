"""Figures as a published report printed them, kept as rows (kpis.PublishedFigure) so that
every page can say in one query which figures were revised since publication.

Reports call `record_published` when they publish; nothing here knows of reports.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sct_portal.models import bump_data_version

from . import symbols
from .models import Kpi, PublishedFigure


@dataclass(frozen=True)
class Printed:
    """A figure as a report printed it."""

    ref: str
    month: dt.date
    value: Decimal | None
    shown: str  # "74.9%", "c", "no data"


def record_published(*, report: str, at: dt.datetime, printed: Iterable[Printed]) -> int:
    """Keep what a report printed, once per KPI and month; returns how many were kept."""
    wanted = {
        (p.ref, p.month): p for p in printed if p.value is not None or symbols.is_symbol(p.shown)
    }
    if not wanted:
        return 0
    kpis = dict(Kpi.objects.filter(ref__in={ref for ref, _ in wanted}).values_list("ref", "pk"))
    rows = [
        PublishedFigure(
            kpi_id=kpis[p.ref],
            month=p.month,
            value=p.value,
            symbol=p.shown if p.value is None else "",
            shown=p.shown[:40],
            report=report,
            published_at=at,
        )
        for p in wanted.values()
        if p.ref in kpis
    ]
    PublishedFigure.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    bump_data_version()  # written in bulk: no signal says so
    return len(rows)
