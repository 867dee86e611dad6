"""Reading the figures of a period: one read of the database, built into a `kpis.period.Period`.

`read_period` reads a fixed number of times whatever the number of KPIs and months (the
KPIs, their figures, targets, goals, benchmarks and the figures published by reports), and
keeps what it built keyed to the data version (sct_portal.models.DataVersion), which every
write raises in its own transaction: a kept period can never show a stale figure. The
overview, the KPI page, the trend table and the report are all views of it.
"""

import datetime as dt
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from threading import Lock
from urllib.parse import quote

from django.conf import settings
from django.db.models import FETCH_PEERS, FETCH_RAISE, Max, Min, OuterRef, QuerySet, Subquery
from django.db.models.fetch_modes import FetchMode
from django.urls import reverse
from django.utils import timezone

from sct_portal import periods
from sct_portal.models import data_version
from sct_portal.periods import Quarter

from . import period, symbols
from .models import (
    Annotation,
    BaselineExclusion,
    Benchmark,
    ChangePoint,
    Goal,
    Kpi,
    Observation,
    PublishedFigure,
    Section,
    Target,
)
from .period import ChartRecords, Figure, Period, Position, Published, TrendTable
from .rag import Stated

KEPT_PERIODS = 24  # periods kept per process (a few months × filters of one data version)


def detail_urls() -> Callable[[Kpi], str]:
    """The KPI pages' addresses, reversed once for a page listing hundreds of KPIs."""
    placeholder = "kpi-ref"
    pattern = reverse("kpis:detail", kwargs={"ref": placeholder})
    return lambda kpi: pattern.replace(placeholder, quote(kpi.ref, safe="!$&'()*+,;=~:@"))


@dataclass(frozen=True)
class Span:
    """The months for which there are figures."""

    first: dt.date
    last: dt.date

    def months(self) -> list[dt.date]:
        return periods.months_between(self.first, self.last)

    def quarters(self) -> list[Quarter]:
        found: list[Quarter] = []
        quarter = Quarter.of(self.first)
        while quarter.first_month <= self.last:
            found.append(quarter)
            quarter = quarter.next
        return found


def span(*, table_only: bool = False) -> Span | None:
    """First and last month with a figure for an active KPI (one query of index look-ups:
    each KPI's first and last month)."""
    kpis = Kpi.objects.active()
    if table_only:
        kpis = kpis.filter(in_kpi_table=True)
    months = Observation.objects.filter(kpi=OuterRef("pk")).order_by("month").values("month")
    found = kpis.aggregate(
        first=Min(Subquery(months[:1])), last=Max(Subquery(months.reverse()[:1]))
    )
    if found["first"] is None:
        return None
    return Span(found["first"], found["last"])


# ---------------------------------------------------------------------------------------
# Reading


def _by_kpi[T](rows: Iterable[T], key: Callable[[T], int]) -> dict[int, list[T]]:
    found: dict[int, list[T]] = defaultdict(list)
    for row in rows:
        found[key(row)].append(row)
    return found


def _figures(kpi_ids: list[int], month: dt.date) -> dict[int, dict[dt.date, Figure]]:
    """Every figure of the KPIs up to `month`, with what a published report showed of it
    where it differs now (two queries)."""
    published: dict[tuple[int, dt.date], PublishedFigure] = {}
    for row in PublishedFigure.objects.filter(kpi_id__in=kpi_ids, month__lte=month).order_by(
        "published_at", "id"
    ):
        published[(row.kpi_id, row.month)] = row  # the latest report's, last
    rows = Observation.objects.filter(kpi_id__in=kpi_ids, month__lte=month).values_list(
        "kpi_id",
        "month",
        "value",
        "symbol",
        "numerator",
        "denominator",
        "note",
        "version",
        "updated_at",
        "stated_rag",
        "stated_words",
        "stated_reason",
        "stated_by__username",
        "stated_at",
    )
    found: dict[int, dict[dt.date, Figure]] = defaultdict(dict)
    for (
        kpi_id,
        when,
        value,
        symbol,
        numerator,
        denominator,
        note,
        version,
        updated_at,
        stated_rag,
        stated_words,
        stated_reason,
        stated_by,
        stated_at,
    ) in rows.order_by():
        number = Decimal(value) if value is not None else None
        stated = (
            Stated(stated_rag, stated_words, stated_reason) if stated_rag or stated_words else None
        )
        shown = None
        printed = published.get((kpi_id, when))
        if printed is not None and (printed.value != number or printed.symbol != symbol):
            shown = Published(printed.shown, printed.value, printed.symbol, printed.report)
        found[kpi_id][when] = Figure(
            month=when,
            value=number,
            symbol=symbol,
            numerator=numerator,
            denominator=denominator,
            note=note,
            version=version,
            updated_at=updated_at,
            stated=stated,
            stated_by=stated_by or "",
            stated_at=stated_at,
            published=shown,
        )
    # A published figure deleted since: the period says so with an empty figure.
    for (kpi_id, when), row in published.items():
        if when not in found[kpi_id]:
            found[kpi_id][when] = Figure(
                month=when,
                value=None,
                published=Published(row.shown, row.value, row.symbol, row.report),
            )
    return found


def fetch_mode() -> FetchMode:
    """How the period's records load what was not read with them: in tests (and wherever
    PORTAL_FETCH_RAISE is set) a lazy load raises, so that an extra query per KPI fails a
    test; otherwise related rows load for all the records read together (FETCH_PEERS)."""
    return FETCH_RAISE if settings.PORTAL_FETCH_RAISE else FETCH_PEERS


def _owned[T: Target | Goal | Benchmark](rows: "QuerySet[T]", kpis: dict[int, Kpi]) -> list[T]:
    """The rows, each holding its KPI as read already (no query to reach it)."""
    found = list(rows.fetch_mode(fetch_mode()))
    for row in found:
        row.kpi = kpis[row.kpi_id]
    return found


def _read(kpis: list[Kpi], month: dt.date, area: str) -> Period:
    ids = [kpi.pk for kpi in kpis]
    by_id = {kpi.pk: kpi for kpi in kpis}
    targets = _by_kpi(
        _owned(Target.objects.filter(kpi_id__in=ids).order_by("valid_from"), by_id),
        lambda t: t.kpi_id,
    )
    goals = _by_kpi(
        _owned(Goal.objects.filter(kpi_id__in=ids).order_by("due"), by_id), lambda g: g.kpi_id
    )
    benchmarks = _by_kpi(
        _owned(
            Benchmark.objects.filter(kpi_id__in=ids, month__lte=month).order_by(
                "-month", "comparator"
            ),
            by_id,
        ),
        lambda b: b.kpi_id,
    )
    return period.build(
        month=month,
        kpis=kpis,
        figures=_figures(ids, month),
        targets=targets,
        goals=goals,
        benchmarks=benchmarks,
        records=_chart_records(ids, month),
        area=area,
    )


def _chart_records(kpi_ids: list[int], month: dt.date) -> dict[int, ChartRecords]:
    """The KPIs' change points, baseline exclusions and annotations up to `month` (three
    queries; their KPIs are not loaded)."""
    fields = {"kpi_id__in": kpi_ids, "month__lte": month}
    points = _by_kpi(ChangePoint.objects.filter(**fields).order_by("month"), lambda r: r.kpi_id)
    exclusions = _by_kpi(
        BaselineExclusion.objects.filter(**fields).order_by("month"), lambda r: r.kpi_id
    )
    last_day = periods.add_months(month, 1)
    annotations = _by_kpi(
        Annotation.objects.filter(kpi_id__in=kpi_ids, date__lt=last_day).order_by("date", "id"),
        lambda r: r.kpi_id,
    )
    return {
        kpi_id: ChartRecords(
            tuple(points.get(kpi_id, ())),
            tuple(exclusions.get(kpi_id, ())),
            tuple(annotations.get(kpi_id, ())),
        )
        for kpi_id in {*points, *exclusions, *annotations}
    }


_KEPT: "OrderedDict[tuple[object, ...], Period]" = OrderedDict()
_KEEPING = Lock()


def read_period(
    *,
    month: dt.date,
    kpis: "QuerySet[Kpi] | None" = None,
    area: str = "",
    today: dt.date | None = None,
) -> Period:
    """Every KPI's position at `month` (the active KPIs unless `kpis` says which), read once
    and kept for the data version: a page asking again within it is answered from memory."""
    wanted = (
        (kpis if kpis is not None else Kpi.objects.active())
        .select_related("section")
        .fetch_mode(fetch_mode())
    )
    version = data_version()
    key = (version, month, str(wanted.query), area, today or timezone.localdate())
    with _KEEPING:
        if (kept := _KEPT.get(key)) is not None:
            _KEPT.move_to_end(key)
            return kept
    built = _read(list(wanted), month, area)
    with _KEEPING:
        _KEPT[key] = built
        while len(_KEPT) > KEPT_PERIODS:
            _KEPT.popitem(last=False)
    return built


def forget() -> None:
    """Drop every kept period (tests that change the clock use it)."""
    with _KEEPING:
        _KEPT.clear()


# ---------------------------------------------------------------------------------------
# The views of a period


@dataclass(frozen=True)
class Overview:
    month: dt.date
    positions: list[Position]
    headlines: list[period.Headline]
    period: Period

    @property
    def sparkline_months(self) -> tuple[dt.date, dt.date]:
        return self.period.sparkline_months

    @property
    def symbol_key(self) -> list[tuple[str, str]]:
        """The meaning of each symbol the overview's table shows (latest, previous and
        year-before figures): (code, meaning)."""
        shown = {
            code
            for item in self.positions
            for code in (
                item.symbol,
                item.previous.symbol if item.previous else "",
                item.year_ago.symbol if item.year_ago else "",
            )
            if code
        }
        return symbols.key(shown) if shown else []


def overview(
    *,
    month: dt.date,
    sections: Iterable[Section] = (),
    section: int | None = None,
    outcome: str | None = None,
    area: str = "",
) -> Overview:
    """Every active KPI's position at `month`, filtered by section and RAG, and the headline
    measures."""
    found = read_period(month=month, area=area)
    return Overview(
        month=month,
        positions=found.filtered(section=section, outcome=outcome),
        headlines=found.headlines,
        period=found,
    )


def history(kpi: Kpi, *, area: str = "") -> period.History:
    """The KPI's every figure with target, RAG and SPC, and its chart."""
    latest = (
        Observation.objects.filter(kpi=kpi)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    month = latest or periods.month_start(timezone.localdate())
    found = read_period(month=month, kpis=Kpi.objects.filter(pk=kpi.pk), area=area)
    return period.history(found.positions[0])


def trend_table(*, quarter: Quarter) -> TrendTable:
    """The report's KPI table for a quarter (see kpis.period.trend_table)."""
    return period.trend_table(read_period(month=quarter.last_month), quarter=quarter)
