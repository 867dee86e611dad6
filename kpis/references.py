"""What relative targets are measured from, read once for a page: the benchmarks ("above the
statistical-neighbour average") and the KPIs' own starting figures ("an additional 800").

A page that shows fixed targets only reads nothing here. Otherwise one query for the
benchmarks and one for the starting figures, whatever the number of KPIs and months.
"""

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from .models import Benchmark, Observation, Statistic, Target
from .rag import Basis

BenchmarkKey = tuple[int, str, str]  # KPI, comparator, statistic


@dataclass(frozen=True)
class References:
    # Each benchmark series oldest first: (month, value).
    benchmarks: Mapping[BenchmarkKey, Sequence[tuple[dt.date, Decimal]]] = field(
        default_factory=dict
    )
    starting: Mapping[tuple[int, dt.date], Decimal] = field(default_factory=dict)

    def at(self, target: Target | None, month: dt.date) -> Decimal | None:
        """The value `target` is measured from in `month`: the latest benchmark of its kind
        at or before the month, or the KPI's figure at the starting month; None for a fixed
        target, and when there is none (the target is then not judged)."""
        if target is None:
            return None
        if target.basis == Basis.BENCHMARK:
            series = self.benchmarks.get(_key(target), ())
            index = bisect.bisect_right(series, month, key=lambda item: item[0])
            return series[index - 1][1] if index else None
        if target.basis == Basis.OWN_FIGURE and target.baseline_month:
            return self.starting.get((target.kpi_id, target.baseline_month))
        return None


def _key(target: Target) -> BenchmarkKey:
    return target.kpi_id, target.comparator, target.statistic or Statistic.MEAN


def references(targets: Iterable[Target], *, upto: dt.date) -> References:
    """The benchmarks up to `upto` and the starting figures the relative `targets` need."""
    on_benchmarks = [t for t in targets if t.basis == Basis.BENCHMARK]
    on_own = [t for t in targets if t.basis == Basis.OWN_FIGURE and t.baseline_month]
    benchmarks: dict[BenchmarkKey, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    if on_benchmarks:
        wanted = {_key(t) for t in on_benchmarks}
        rows = (
            Benchmark.objects.filter(kpi_id__in={t.kpi_id for t in on_benchmarks}, month__lte=upto)
            .order_by("month")
            .values_list("kpi_id", "comparator", "statistic", "month", "value")
        )
        for kpi_id, comparator, statistic, month, value in rows:
            if (kpi_id, comparator, statistic) in wanted:
                benchmarks[(kpi_id, comparator, statistic)].append((month, Decimal(value)))
    starting: dict[tuple[int, dt.date], Decimal] = {}
    if on_own:
        which = Q()
        for target in on_own:
            which |= Q(kpi_id=target.kpi_id, month=target.baseline_month)
        for kpi_id, month, stored in Observation.objects.filter(which).values_list(
            "kpi_id", "month", "value"
        ):
            if stored is not None:
                starting[(kpi_id, month)] = Decimal(stored)
    return References(benchmarks=dict(benchmarks), starting=starting)


NONE = References()  # for a page whose targets are all fixed


def gathered(
    targets: Iterable[Target],
    *,
    benchmarks: Iterable[Benchmark],
    starting: Mapping[tuple[int, dt.date], Decimal],
) -> References:
    """References from what a page has read already (no query): the benchmarks, and the
    figures the starting months may be in."""
    wanted = {_key(t) for t in targets if t.basis == Basis.BENCHMARK}
    series: dict[BenchmarkKey, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for benchmark in sorted(benchmarks, key=lambda b: b.month):
        key = (benchmark.kpi_id, benchmark.comparator, benchmark.statistic)
        if key in wanted:
            series[key].append((benchmark.month, Decimal(benchmark.value)))
    needed = {
        (t.kpi_id, t.baseline_month)
        for t in targets
        if t.basis == Basis.OWN_FIGURE and t.baseline_month
    }
    return References(
        benchmarks=dict(series), starting={key: starting[key] for key in needed if key in starting}
    )
