"""Benchmarks as the pages read them: each mapped KPI's position among England's authorities,
built from the published values in force (imported by kpis/published.py) with the pure
kpis/benchmarking.py. A fixed number of queries, whatever the number of KPIs and months.

`positions(kpis, months)` is the one read the overview, the report and the workbook use;
`benchmark_page(kpi)` is the benchmark page's (every period of one KPI, with its charts).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q

from sct_portal.models import Organisation, current

from . import benchmarking, symbols
from .benchmarking import Area, Figure, Measure, Member, Position, Source, Summary
from .ees import GeographicLevel
from .models import (
    BenchmarkMapping,
    ComparatorGroup,
    Geography,
    Kpi,
    Neighbour,
    NeighbourModel,
    PublishedValue,
    Release,
)
from .polarity import Polarity

IN_FORCE = Q(release__imported_at__isnull=False, release__superseded_by__isnull=True)
LICENCE = "Contains public sector information licensed under the Open Government Licence v3.0."
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

Key = tuple[int, dt.date]  # (KPI id, month)


@dataclass(frozen=True)
class Period:
    mapping_id: int
    month: dt.date
    time_period: str
    release_id: int


def positions(
    kpis: Iterable[Kpi], months: Iterable[dt.date], *, organisation: Organisation | None = None
) -> dict[Key, Position]:
    """Each mapped KPI's position for each month: at the latest published period on or
    before the month (Position.month says which: asked for June 2022, a figure at 31 March
    is March 2022's). Absent when the KPI has no mapping, the month comes before every
    period, or the organisation has no local authority code. About ten queries in all (one
    when no KPI is mapped and the caller gives the organisation it has read)."""
    chosen_kpis = {kpi.pk: kpi for kpi in kpis}
    asked = sorted(set(months))
    if not chosen_kpis or not asked:
        return {}
    organisation = organisation or current()
    if not organisation.la_code:
        return {}
    mappings = {
        m.pk: m
        for m in BenchmarkMapping.objects.filter(kpi_id__in=chosen_kpis).select_related("kpi")
    }
    if not mappings:
        return {}
    available = (
        PublishedValue.objects.filter(IN_FORCE, mapping_id__in=mappings, month__lte=asked[-1])
        .order_by()
        .values_list("mapping_id", "month", "time_period", "release_id")
        .distinct()
    )
    by_kpi: dict[int, list[Period]] = defaultdict(list)
    for mapping_id, month, time_period, release_id in available:
        by_kpi[mappings[mapping_id].kpi_id].append(
            Period(mapping_id, month, time_period, release_id)
        )
    answer: dict[Key, Period] = {}
    for kpi_id, found in by_kpi.items():
        found.sort(key=lambda period: period.month)
        for month in asked:
            latest = [period for period in found if period.month <= month]
            if latest:
                answer[(kpi_id, month)] = latest[-1]
    if not answer:
        return {}
    context = _Context.read(organisation, set(answer.values()))
    built: dict[Period, Position] = {}
    result: dict[Key, Position] = {}
    for (kpi_id, month), period in answer.items():
        if period not in built:
            built[period] = context.position(mappings[period.mapping_id], period)
        result[(kpi_id, month)] = built[period]
    return result


class _Context:
    """What every position is built from, read once."""

    def __init__(
        self,
        organisation: Organisation,
        values: dict[tuple[int, dt.date], dict[int, tuple[Decimal | None, str]]],
        geographies: dict[int, Geography],
        releases: dict[int, Release],
        models: list[NeighbourModel],
        neighbours: dict[int, list[Neighbour]],
        groups: list[ComparatorGroup],
    ) -> None:
        self.organisation = organisation
        self.values = values
        self.geographies = geographies
        self.releases = releases
        self.models = models
        self.neighbours = neighbours
        self.groups = groups
        self.by_code = {
            g.code: g for g in geographies.values() if g.level == GeographicLevel.LOCAL_AUTHORITY
        }
        self.own = self.by_code.get(organisation.la_code)
        self.england = next(
            (g for g in geographies.values() if g.level == GeographicLevel.NATIONAL), None
        )

    @classmethod
    def read(cls, organisation: Organisation, wanted: set[Period]) -> "_Context":
        months: dict[int, set[dt.date]] = defaultdict(set)
        for period in wanted:
            months[period.mapping_id].add(period.month)
        which = Q()
        for mapping_id, chosen in months.items():
            which |= Q(mapping_id=mapping_id, month__in=chosen)
        values: dict[tuple[int, dt.date], dict[int, tuple[Decimal | None, str]]] = defaultdict(dict)
        rows = (
            PublishedValue.objects.filter(IN_FORCE)
            .filter(which)
            .order_by()
            .values_list("mapping_id", "month", "geography_id", "value", "symbol")
        )
        for mapping_id, month, geography_id, value, symbol in rows:
            values[(mapping_id, month)][geography_id] = (value, symbol)
        models = list(NeighbourModel.objects.filter(IN_FORCE).order_by("in_force_from", "id"))
        neighbours: dict[int, list[Neighbour]] = defaultdict(list)
        for row in Neighbour.objects.filter(
            model__in=models, authority_code=organisation.la_code
        ).order_by("rank"):
            neighbours[row.model_id].append(row)
        return cls(
            organisation=organisation,
            values=values,
            geographies={g.pk: g for g in Geography.objects.all()},
            releases={
                r.pk: r
                for r in Release.objects.filter(
                    pk__in={period.release_id for period in wanted}
                ).defer("content")
            },
            models=models,
            neighbours=neighbours,
            groups=list(ComparatorGroup.objects.prefetch_related("members")),
        )

    def position(self, mapping: BenchmarkMapping, period: Period) -> Position:
        kpi = mapping.kpi
        found = self.values.get((mapping.pk, period.month), {})
        figures = {
            geography_id: Figure(
                self.geographies[geography_id].code,
                self.geographies[geography_id].name,
                value,
                symbol,
            )
            for geography_id, (value, symbol) in found.items()
        }
        by_code = {
            self.geographies[geography_id].code: figure
            for geography_id, figure in figures.items()
            if self.geographies[geography_id].level == GeographicLevel.LOCAL_AUTHORITY
        }
        own = figures.get(self.own.pk) if self.own else None
        region = None
        if self.own is not None and self.own.region_id is not None:
            place = self.geographies[self.own.region_id]
            region = self._area(place.name, figures.get(place.pk), by_code, place.pk)
        england = self._area(
            "England", figures.get(self.england.pk) if self.england else None, by_code, None
        )
        model = self._model(period.month)
        release = self.releases[period.release_id]
        return benchmarking.position(
            measure=Measure(
                kpi_ref=kpi.ref,
                name=kpi.name_in_sentences,
                unit=kpi.unit,
                decimals=kpi.decimals,
                polarity=kpi.polarity,
                period_phrase=mapping.period_phrase,
            ),
            month=period.month,
            time_period=period.time_period,
            authority=self.own.name if self.own else self.organisation.area,
            own=own,
            all_figures=list(by_code.values()),
            neighbours=self._neighbours(model, by_code) if model else None,
            neighbour_model=model.name if model else "",
            groups=[self._group(group, by_code) for group in self.groups],
            region=region,
            england=england,
            source=Source(
                publisher=mapping.publisher,
                publication=mapping.publication,
                url=mapping.publication_url,
                file_name=release.file_name,
                release=release.citation,
                definition_note=mapping.definition_note,
            ),
        )

    def _area(
        self, name: str, figure: Figure | None, by_code: dict[str, Figure], region_id: int | None
    ) -> Area:
        """A region (or England, `region_id` None) as published; when the file has no row for
        it, the mean of its authorities' values, computed."""
        if figure is not None:
            return Area(name, figure)
        members = [
            self._member(g.code, g.name, by_code)
            for g in self.by_code.values()
            if g.code in by_code and (region_id is None or g.region_id == region_id)
        ]
        return Area(name, None, benchmarking.summarise(f"{name}'s authorities", members))

    def _model(self, month: dt.date) -> NeighbourModel | None:
        index = benchmarking.model_in_force([m.in_force_from for m in self.models], month)
        return self.models[index] if index is not None else None

    def _member(
        self, code: str, name: str, by_code: dict[str, Figure], closeness: str = ""
    ) -> Member:
        figure = by_code.get(code)
        note = ""
        if figure is None:
            joint = next((c for c in by_code if "/" in c and code in c.split(" / ")), None)
            note = (
                f"reported jointly, as {by_code[joint].name} ({joint})"
                if joint
                else "no figure in the file for the period"
            )
        geography = self.by_code.get(code)
        return Member(
            code=code,
            name=geography.name if geography else name or code,
            figure=figure,
            closeness=closeness,
            note=note,
        )

    def _neighbours(self, model: NeighbourModel, by_code: dict[str, Figure]) -> Summary:
        rows = self.neighbours.get(model.pk, [])
        members = [
            self._member(row.neighbour_code, row.neighbour_name, by_code, row.closeness)
            for row in rows
        ]
        return benchmarking.summarise(f"statistical neighbours ({model.name})", members)

    def _group(self, group: ComparatorGroup, by_code: dict[str, Figure]) -> Summary:
        members = sorted(group.members.all(), key=lambda g: g.name)
        return benchmarking.summarise(
            group.name, [self._member(g.code, g.name, by_code) for g in members]
        )


# ---------------------------------------------------------------------------------------
# The benchmark page


@dataclass(frozen=True)
class BenchmarkPage:
    kpi: Kpi
    positions: tuple[Position, ...]  # every period, oldest first
    mappings: tuple[BenchmarkMapping, ...]
    chosen: str = ""  # the time period shown in detail; blank: the latest

    @property
    def shown(self) -> Position | None:
        """The period shown in detail: the one chosen, or the latest."""
        for position in self.positions:
            if position.time_period == self.chosen:
                return position
        return self.positions[-1] if self.positions else None

    @property
    def latest(self) -> Position | None:
        return self.positions[-1] if self.positions else None

    @property
    def newest_first(self) -> tuple[Position, ...]:
        return self.positions[::-1]

    @property
    def sources(self) -> list[Source]:
        return list(dict.fromkeys(position.source for position in self.positions))

    @property
    def symbol_key(self) -> list[tuple[str, str]]:
        shown: set[str] = set()
        for position in self.positions:
            shown |= position.symbols_shown
        return symbols.key(shown) if shown else []

    @property
    def ranked(self) -> list[Member]:
        """The shown period's neighbours and the authority itself, best first (a context
        measure: highest first); those without a number last."""
        latest = self.shown
        if latest is None or latest.neighbours is None:
            return []
        own = Member(latest.own.code, latest.own.name, latest.own) if latest.own else None
        members = [*latest.neighbours.members, *([own] if own else [])]
        lowest_first = latest.measure.polarity == Polarity.LOWER
        numbered = sorted(
            (m for m in members if m.value is not None),
            key=lambda m: (m.value if lowest_first else -(m.value or 0), m.name),
        )
        return numbered + [m for m in members if m.value is None]

    def chart(self) -> dict[str, Any]:
        """The charts' data, for the page's json_script; the tables carry the same."""
        latest = self.shown
        measure = latest.measure if latest else None
        series: dict[str, list[float | None]] = defaultdict(list)
        for position in self.positions:
            series["own"].append(_number(position.own_value))
            group = position.neighbours
            series["median"].append(_number(group.median if group else None))
            series["mean"].append(_number(group.mean if group else None))
            series["region"].append(_area_number(position.region))
            series["england"].append(_area_number(position.england))
        return {
            "unit": measure.unit if measure else "",
            "decimals": measure.decimals if measure else 0,
            "labels": [str(position.time_period) for position in self.positions],
            "names": {
                "own": latest.authority if latest else "",
                "median": "Statistical neighbours' median",
                "mean": "Statistical neighbours' mean",
                "region": latest.region.name if latest and latest.region else "Region",
                "england": "England",
            },
            "series": dict(series),
            "ranked": [
                {
                    "name": member.name,
                    "value": _number(member.value),
                    "own": bool(latest and latest.own and member.code == latest.own.code),
                }
                for member in self.ranked
                if member.value is not None
            ],
        }


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _area_number(area: Area | None) -> float | None:
    return _number(area.value) if area is not None else None


def benchmark_page(kpi: Kpi, *, chosen: str = "") -> BenchmarkPage:
    """Every published period of one KPI, with its position in each; `chosen` is the time
    period shown in detail (blank or unknown: the latest)."""
    mappings = tuple(BenchmarkMapping.objects.filter(kpi=kpi).order_by("name"))
    months: Sequence[dt.date] = sorted(
        PublishedValue.objects.filter(IN_FORCE, mapping__in=mappings)
        .order_by()
        .values_list("month", flat=True)
        .distinct()
    )
    found = positions([kpi], months) if mappings and months else {}
    ordered = [found[(kpi.pk, month)] for month in months if (kpi.pk, month) in found]
    return BenchmarkPage(kpi=kpi, positions=tuple(ordered), mappings=mappings, chosen=chosen)
