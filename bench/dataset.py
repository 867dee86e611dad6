"""A large, realistic portfolio of KPIs for speed tests: many KPIs × many months.

Made-up figures, written as analysts' figures are: through the one write path
(kpis.figures.record_figures), in one batch with their history, then a few revised in a
second batch (version 2, with a reason). Deterministic for a given seed.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.models import Group, User

from kpis import figures
from kpis.models import (
    Benchmark,
    Frequency,
    Goal,
    Kpi,
    Section,
    Target,
    TargetSource,
)
from kpis.polarity import Polarity
from kpis.rag import Amber, Comparison
from kpis.units import Unit
from sct_portal import periods
from sct_portal.models import bump_data_version

SECTIONS = ["Front door", "Child protection", "Children in need", "Children in care", "Workforce"]


def build(
    *, kpis: int, months: int, last: dt.date = dt.date(2022, 6, 1), seed: int = 1
) -> list[Kpi]:
    """`kpis` KPIs with up to `months` months of figures ending at `last`, with targets
    (some changing at a year's start), goals and benchmarks for the headline measures."""
    rng = random.Random(seed)  # noqa: S311 - made-up figures, not secrets
    first = periods.add_months(last, -(months - 1))
    made = define_kpis(kpis, rng=rng)
    entries: list[figures.Entry] = []
    revised: list[figures.Entry] = []
    targets: list[Target] = []
    for kpi in made:
        level = Decimal(rng.randint(40, 90))
        for month in periods.months_between(first, last):
            if not kpi.is_due_in(month) or rng.random() < 0.02:  # a few gaps: no data
                continue
            level = _step(kpi, level, rng)
            note = "Late return." if rng.random() < 0.03 else ""
            entry = figures.Entry(kpi=kpi, month=month, value=level, note=note, confirmed=True)
            if rng.random() < 0.05 and level >= 1:  # entered one lower, then revised
                revised.append(entry)
                entry = figures.Entry(kpi=kpi, month=month, value=level - 1, confirmed=True)
            entries.append(entry)
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
    by = writer()
    figures.record_figures(
        entries=entries, by=by, source=figures.Source.COMMAND, reason="Bench data"
    )
    figures.record_figures(
        entries=revised, by=by, source=figures.Source.COMMAND, reason="Revised return."
    )
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
    bump_data_version()  # written in bulk: no signal said so
    return made


def define_kpis(
    count: int, *, rng: random.Random | None = None, quarterly: bool = True, first: int = 1
) -> list[Kpi]:
    """`count` made-up KPIs (percentages, counts, rates and averages; a tenth quarterly
    unless `quarterly` is False), without figures, numbered from `first` (B1, B2, …)."""
    rng = rng or random.Random(1)  # noqa: S311 - made-up figures, not secrets
    sections = [
        Section.objects.get_or_create(name=name, defaults={"order": i})[0]
        for i, name in enumerate(SECTIONS, 1)
    ]
    kpis = [_kpi(number, rng, sections) for number in range(first, first + count)]
    if not quarterly:
        for kpi in kpis:
            kpi.frequency = Frequency.MONTHLY
    return Kpi.objects.bulk_create(kpis)


def step(kpi: Kpi, level: Decimal, rng: random.Random) -> Decimal:
    """The next made-up figure of a KPI after `level`: a small random walk within its unit."""
    return _step(kpi, level, rng)


def writer() -> User:
    """The analyst the made-up figures are recorded under."""
    user, created = User.objects.get_or_create(username="bench-data")
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name="Analyst"))
    return User.objects.get(pk=user.pk)  # fresh: permissions are cached per instance


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
