"""A large, realistic portfolio of KPIs for speed tests: many KPIs × many months.

Made-up figures, written in bulk for speed: the portal's own code writes figures one at a
time through Observation.save(), which checks each and records it, and refuses bulk
writes. Here the figures are made, not entered, so they are written with the plain
QuerySet.bulk_create, each with the history rows that save() would have kept (created,
and changed for the few marked as revised). Deterministic for a given seed.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db.models import QuerySet

from kpis.models import (
    Benchmark,
    Frequency,
    Goal,
    Kpi,
    Observation,
    ObservationRevision,
    RevisionAction,
    Section,
    Target,
    TargetSource,
)
from kpis.polarity import Polarity
from kpis.rag import Amber, Comparison
from kpis.units import Unit
from sct_portal import periods

SECTIONS = ["Front door", "Child protection", "Children in need", "Children in care", "Workforce"]


def build(
    *, kpis: int, months: int, last: dt.date = dt.date(2022, 6, 1), seed: int = 1
) -> list[Kpi]:
    """`kpis` KPIs with up to `months` months of figures ending at `last`, with targets
    (some changing at a year's start), goals and benchmarks for the headline measures."""
    rng = random.Random(seed)  # noqa: S311 - made-up figures, not secrets
    sections = [
        Section.objects.get_or_create(name=name, defaults={"order": i})[0]
        for i, name in enumerate(SECTIONS, 1)
    ]
    first = periods.add_months(last, -(months - 1))
    made = Kpi.objects.bulk_create([_kpi(number, rng, sections) for number in range(1, kpis + 1)])
    observations: list[Observation] = []
    targets: list[Target] = []
    for kpi in made:
        level = Decimal(rng.randint(40, 90))
        for month in periods.months_between(first, last):
            if not kpi.is_due_in(month) or rng.random() < 0.02:  # a few gaps: no data
                continue
            level = _step(kpi, level, rng)
            observations.append(
                Observation(
                    kpi=kpi,
                    month=month,
                    value=level,
                    numerator=None,
                    denominator=None,
                    note="Late return." if rng.random() < 0.03 else "",
                    version=2 if rng.random() < 0.05 else 1,
                )
            )
        if kpi.polarity != Polarity.NEITHER and rng.random() < 0.9:
            value = Decimal(rng.randint(50, 80))
            change = periods.FinancialYear.of(last).first_day
            targets.append(
                Target(
                    kpi=kpi,
                    comparison=Comparison.AT_LEAST
                    if kpi.polarity == Polarity.HIGHER
                    else Comparison.AT_MOST,
                    value=value,
                    amber=Amber.DISTANCE,
                    amber_value=Decimal(5),
                    valid_from=first,
                    valid_to=periods.add_months(change, -1),
                    source=TargetSource.ILLUSTRATIVE,
                )
            )
            targets.append(
                Target(
                    kpi=kpi,
                    comparison=Comparison.AT_LEAST
                    if kpi.polarity == Polarity.HIGHER
                    else Comparison.AT_MOST,
                    value=value + 2,
                    amber=Amber.DISTANCE,
                    amber_value=Decimal(5),
                    valid_from=change,
                    source=TargetSource.ILLUSTRATIVE,
                )
            )
    QuerySet[Observation](Observation).bulk_create(observations, batch_size=5000)
    ObservationRevision.objects.bulk_create(_history(observations), batch_size=5000)
    Target.objects.bulk_create(targets)
    headline = [kpi for kpi in made if kpi.is_headline]
    Goal.objects.bulk_create(
        Goal(kpi=kpi, value=Decimal(60), due=periods.add_months(last, 9), source="local-plan")
        for kpi in headline
    )
    Benchmark.objects.bulk_create(
        Benchmark(
            kpi=kpi,
            month=periods.add_months(last, -3),
            comparator="sn",
            group="5 authorities",
            value=Decimal("61.5"),
            source="Regional data",
        )
        for kpi in headline
    )
    return made


def _history(observations: list[Observation]) -> list[ObservationRevision]:
    found = []
    for figure in observations:
        found.append(
            ObservationRevision(
                kpi_id=figure.kpi_id,
                month=figure.month,
                action=RevisionAction.CREATED,
                new_value=figure.value if figure.version == 1 else figure.value + 1,
                version=1,
                source="bench data",
            )
        )
        if figure.version == 2:
            found.append(
                ObservationRevision(
                    kpi_id=figure.kpi_id,
                    month=figure.month,
                    action=RevisionAction.CHANGED,
                    old_value=figure.value + 1,
                    new_value=figure.value,
                    new_note=figure.note,
                    version=2,
                    source="bench data",
                    reason="Revised return.",
                )
            )
    return found


def _kpi(number: int, rng: random.Random, sections: list[Section]) -> Kpi:
    kind = number % 10
    unit, polarity, decimals = Unit.PERCENT, Polarity.HIGHER, 1
    if kind == 3:
        unit, polarity, decimals = Unit.COUNT, Polarity.LOWER, 0
    elif kind == 5:
        unit, polarity = Unit.RATE, Polarity.NEITHER
    elif kind == 7:
        unit, polarity, decimals = Unit.AVERAGE, Polarity.LOWER, 2
    return Kpi(
        ref=f"B{number}",
        description=f"Benchmark KPI {number}: the percentage of something done in time",
        section=sections[number % len(sections)],
        unit=unit,
        decimals=decimals,
        polarity=polarity,
        frequency=Frequency.QUARTERLY if kind == 9 else Frequency.MONTHLY,
        order=number,
        definition="A KPI made up to measure the dashboards.",
        is_headline=number <= 3,
        in_kpi_table=kind != 9,
    )


def _step(kpi: Kpi, level: Decimal, rng: random.Random) -> Decimal:
    moved = level + Decimal(str(round(rng.gauss(0, 3), kpi.decimals)))
    low, high = Decimal(0), Decimal(100) if kpi.unit == Unit.PERCENT else Decimal(500)
    return min(max(moved, low), high).quantize(Decimal(1).scaleb(-kpi.decimals))
