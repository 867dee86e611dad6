"""What the dashboards show: the overview, one KPI's history, and the 15-month trend table.

Each builder reads the database a fixed number of times, whatever the number of KPIs and
months (the KPIs; their figures; their targets, goals and benchmarks), then works in plain
Python with the pure modules: `periods`, `polarity`, `rag` and `spc`.
"""

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast
from urllib.parse import quote

from django.db.models import (
    Case,
    CharField,
    DateField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.urls import reverse

from sct_portal import periods
from sct_portal.periods import FinancialYear, Quarter

from . import spc
from .models import Benchmark, Frequency, Goal, Kpi, Observation, Section, Target
from .polarity import Direction, Polarity, direction, movement
from .rag import Rag, rag

# The overview reads each KPI's first figures (the SPC baseline) and its recent ones: enough
# recent months for the last 7 figures of a quarterly KPI (a run or a trend), the same
# month a year before, and the sparkline.
RECENT_MONTHS = 24
RECENT_MONTHS_ANNUAL = 96  # an annual KPI's last 7 figures span 7 years
SPARKLINE_MONTHS = 15  # as many months as the report's KPI table
SPC_TAIL = max(spc.RUN, spc.TREND)  # the figures that decide the latest one's SPC verdict


# ---------------------------------------------------------------------------------------
# Small pure pieces


def step_months(kpi: Kpi) -> int:
    """Months between two figures of the KPI."""
    return {Frequency.QUARTERLY: 3, Frequency.ANNUAL: 12}.get(Frequency(kpi.frequency), 1)


def due_months(kpi: Kpi, first: dt.date, last: dt.date) -> list[dt.date]:
    """The months from `first` to `last` in which the KPI takes a figure."""
    return [month for month in periods.months_between(first, last) if kpi.is_due_in(month)]


def axis(kpi: Kpi, months: Sequence[dt.date]) -> list[dt.date]:
    """The months a KPI's series runs over, oldest first: every month it takes a figure from
    its first figure to its last, and any month that has a figure."""
    if not months:
        return []
    return sorted(set(due_months(kpi, min(months), max(months))) | set(months))


def detail_urls() -> Callable[[Kpi], str]:
    """The KPI pages' addresses, reversed once for a page listing hundreds of KPIs."""
    placeholder = "kpi-ref"
    pattern = reverse("kpis:detail", kwargs={"ref": placeholder})
    return lambda kpi: pattern.replace(placeholder, quote(kpi.ref, safe="!$&'()*+,;=~:@"))


def target_in_force(targets: Sequence[Target], month: dt.date) -> Target | None:
    return next((target for target in targets if target.in_force(month)), None)


def judge(kpi: Kpi, value: Decimal | None, target: Target | None) -> Rag:
    return rag(value, target.threshold if target else None, kpi.polarity)


def describer(kpi: Kpi) -> spc.Describe:
    return lambda value: kpi.format(value)


@dataclass(frozen=True)
class Comparison:
    """The latest figure against an earlier one: the previous figure or a year before."""

    month: dt.date
    value: Decimal | None
    direction: Direction
    movement: str  # up, down, unchanged, or "" when there is nothing to compare


def compare(
    kpi: Kpi, latest: Decimal | None, month: dt.date, earlier: Decimal | None
) -> Comparison:
    return Comparison(
        month=month,
        value=earlier,
        direction=direction(earlier, latest, kpi.polarity),
        movement=movement(earlier, latest),
    )


@dataclass(frozen=True)
class Sparkline:
    months: tuple[dt.date, ...]
    values: tuple[Decimal | None, ...]
    description: str


def sparkline(kpi: Kpi, months: Sequence[dt.date], values: dict[dt.date, Decimal]) -> Sparkline:
    shown = [(m, values.get(m)) for m in months]
    present = [(m, v) for m, v in shown if v is not None]
    if not present:
        first, last_month = periods.month_label(months[0]), periods.month_label(months[-1])
        text = f"No figures from {first} to {last_month}."
    else:
        low = min(present, key=lambda item: item[1])
        high = max(present, key=lambda item: item[1])
        last = present[-1]
        text = (
            f"{len(present)} figure{'s' if len(present) != 1 else ''} from "
            f"{periods.month_label(present[0][0])} to {periods.month_label(last[0])}: lowest "
            f"{kpi.format(low[1])} ({periods.month_label(low[0])}), highest "
            f"{kpi.format(high[1])} ({periods.month_label(high[0])}), latest "
            f"{kpi.format(last[1])}."
        )
    return Sparkline(tuple(m for m, _ in shown), tuple(v for _, v in shown), text)


# ---------------------------------------------------------------------------------------
# A KPI's position at a month: the overview's row, the detail page's headline


@dataclass(frozen=True)
class Position:
    kpi: Kpi
    month: dt.date | None  # the month of the latest figure at or before the chosen month
    value: Decimal | None
    previous: Comparison | None
    year_ago: Comparison | None
    target: Target | None
    rag: Rag
    analysis: spc.Analysis
    sparkline: Sparkline | None = None
    chosen: dt.date | None = None  # the month asked for

    @property
    def formatted(self) -> str:
        return self.kpi.format(self.value)

    @property
    def is_out_of_date(self) -> bool:
        """No figure for the chosen month although the KPI takes one then."""
        return (
            self.chosen is not None
            and self.month is not None
            and self.month != self.chosen
            and self.kpi.is_due_in(self.chosen)
        )

    @property
    def target_text(self) -> str:
        return self.kpi.format(self.target.value) if self.target else ""

    @property
    def sentence(self) -> str:
        return position_sentence(self)


def position(
    kpi: Kpi,
    figures: dict[dt.date, Decimal],
    *,
    at: dt.date,
    targets: Sequence[Target],
    process: spc.Limits | None = None,
    sparkline_months: Sequence[dt.date] = (),
) -> Position:
    """The KPI's position at month `at` from its figures: all of them, or the recent ones
    with `process` limits from its whole history. Then only the last SPC_TAIL figures are
    judged: they alone decide the latest figure's verdict (a run or a trend is 7 long; a
    missing month neither makes nor breaks one), as tests/kpis/test_spc.py checks."""
    months = sorted(m for m in figures if m <= at)
    latest = months[-1] if months else None
    value = figures[latest] if latest else None
    previous = year_ago = None
    if latest is not None:
        before = periods.add_months(latest, -step_months(kpi))
        previous = compare(kpi, value, before, figures.get(before))
        last_year = periods.add_months(latest, -12)
        year_ago = compare(kpi, value, last_year, figures.get(last_year))
    target = target_in_force(targets, latest) if latest else None
    if process is not None:
        series: list[Decimal | None] = [figures[m] for m in months[-SPC_TAIL:]]
    else:
        series = [figures.get(m) for m in axis(kpi, months)]
    analysis = spc.analyse(
        series,
        polarity=kpi.polarity,
        target=Decimal(target.value) if target else None,
        process=process,
        describe=describer(kpi),
        bounds=spc.bounds_for(kpi.unit),
    )
    return Position(
        kpi=kpi,
        month=latest,
        value=value,
        previous=previous,
        year_ago=year_ago,
        target=target,
        rag=judge(kpi, value, target) if latest else Rag.NO_DATA,
        analysis=analysis,
        sparkline=sparkline(kpi, sparkline_months, figures) if sparkline_months else None,
        chosen=at,
    )


def _comparison_phrase(kpi: Kpi, comparison: Comparison) -> str:
    when = periods.month_name(comparison.month)
    if comparison.value is None:
        return f"no figure for {when}"
    shown = kpi.format(comparison.value)
    if comparison.direction == Direction.SAME:
        return f"the same as {when} ({shown})"
    if comparison.direction == Direction.NOT_JUDGED:
        return f"{comparison.movement} from {shown} in {when}"
    return f"{comparison.direction.label.lower()} than {when} ({shown})"


def _target_phrase(item: Position) -> str:
    kpi, outcome = item.kpi, item.rag
    if outcome == Rag.NOT_JUDGED:
        return "a context measure, not judged against a target"
    if outcome == Rag.NO_TARGET or item.target is None:
        return "no target in force"
    target = kpi.format(item.target.value)
    short_of = "below" if kpi.polarity == Polarity.HIGHER else "above"
    if outcome == Rag.GREEN:
        return f"meets its target of {target} (green)"
    if outcome == Rag.AMBER:
        return f"{short_of} its target of {target} but within the amber tolerance (amber)"
    return f"{short_of} its target of {target} (red)"


def _variation_phrase(analysis: spc.Analysis) -> str:
    variation = analysis.variation
    trial = " (trial limits)" if analysis.limits and analysis.limits.trial else ""
    return {
        "common-cause": f"common-cause variation{trial}",
        "improvement": f"special-cause improvement{trial}",
        "concern": f"special-cause concern{trial}",
        "neutral": f"special-cause variation, neither good nor bad{trial}",
        "not-analysed": "not analysed for SPC",
    }.get(variation.kind, "too few figures for SPC")


def position_sentence(item: Position) -> str:
    """74.9% in June 2022: worse than May 2022 (77.6%) and June 2021 (92.0%); below its
    target of 85.0% (red); common-cause variation."""
    kpi = item.kpi
    if item.month is None:
        return "No figures yet."
    comparisons = [c for c in (item.previous, item.year_ago) if c is not None]
    phrases = [_comparison_phrase(kpi, c) for c in comparisons]
    judged = [c.direction for c in comparisons if c.value is not None]
    if len(phrases) == 2 and judged == [Direction.WORSE, Direction.WORSE]:
        phrases[1] = phrases[1].removeprefix("worse than ")
    elif len(phrases) == 2 and judged == [Direction.BETTER, Direction.BETTER]:
        phrases[1] = phrases[1].removeprefix("better than ")
    joiner = " but " if set(judged) == {Direction.BETTER, Direction.WORSE} else " and "
    return (
        f"{item.formatted} in {periods.month_name(item.month)}: {joiner.join(phrases)}; "
        f"{_target_phrase(item)}; {_variation_phrase(item.analysis)}."
    )


# ---------------------------------------------------------------------------------------
# Reading the database


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


def with_figures(
    kpis: "QuerySet[Kpi]", *, upto: dt.date, since: dt.date, baseline: bool = False
) -> list[tuple[Kpi, list[str]]]:
    """The KPIs, each with its figures from `since` to `upto` (and, with `baseline`, its
    first BASELINE figures however old), in one query: the database joins each KPI's
    figures into one string, far cheaper than a row per figure. The entries,
    "YYYY-MM-DD=value", sort by month. An annual KPI's figures are read from further back
    (RECENT_MONTHS_ANNUAL) so that its last seven are there."""
    annual_since = periods.add_months(upto, -(RECENT_MONTHS_ANNUAL - 1))
    entry = Concat(
        Cast("month", CharField()), Value("="), Cast("value", CharField()), output_field=CharField()
    )

    def joined(*conditions: Q) -> Subquery:
        return Subquery(
            Observation.objects.filter(*conditions, kpi=OuterRef("pk"), month__lte=upto)
            .order_by()
            .values("kpi")
            .annotate(joined=StringAgg(entry, delimiter=Value(";")))
            .values("joined")
        )

    recent_since = Case(
        When(frequency=Frequency.ANNUAL, then=Value(annual_since)),
        default=Value(since),
        output_field=DateField(),
    )
    kpis = kpis.annotate(recent_since=recent_since)
    kpis = kpis.annotate(recent=joined(Q(month__gte=OuterRef("recent_since"))))
    if baseline:
        # The month of the KPI's BASELINE-th figure: its first figures are those up to it.
        nth = (
            Observation.objects.filter(kpi=OuterRef(OuterRef("pk")), month__lte=upto)
            .order_by("month")
            .values("month")[spc.BASELINE - 1 : spc.BASELINE]
        )
        kpis = kpis.annotate(first=joined(Q(month__lte=Coalesce(Subquery(nth), Value(upto)))))
    found: list[tuple[Kpi, list[str]]] = []
    for kpi in kpis:
        strings = cast(Any, kpi)
        entries = set(strings.recent.split(";")) if strings.recent else set()
        if baseline and strings.first:
            entries.update(strings.first.split(";"))
        found.append((kpi, sorted(entries)))
    return found


def _targets_by_kpi(targets: Iterable[Target]) -> dict[int, list[Target]]:
    found: dict[int, list[Target]] = defaultdict(list)
    for target in targets:
        found[target.kpi_id].append(target)
    return found


# ---------------------------------------------------------------------------------------
# The overview


@dataclass(frozen=True)
class Headline:
    position: Position
    sentence: str


@dataclass(frozen=True)
class Overview:
    month: dt.date
    positions: list[Position]
    headlines: list[Headline]

    @property
    def sparkline_months(self) -> tuple[dt.date, dt.date]:
        return periods.add_months(self.month, -(SPARKLINE_MONTHS - 1)), self.month


def parse_figures(entries: Sequence[str]) -> dict[dt.date, Decimal]:
    return {dt.date.fromisoformat(e[:10]): Decimal(e[11:]) for e in entries}


def overview(
    *,
    month: dt.date,
    sections: Sequence[Section],
    section: int | None = None,
    outcome: str | None = None,
) -> Overview:
    """Every active KPI's position at `month`, filtered by section and RAG, and the headline
    measures (four queries, whatever the number of KPIs and months). `sections` are all
    the sections, which the caller has read already for its filter."""
    since = periods.add_months(month, -(RECENT_MONTHS - 1))
    kpis = with_figures(Kpi.objects.active(), upto=month, since=since, baseline=True)
    by_id = {s.pk: s for s in sections}
    for kpi, _ in kpis:
        kpi.section = by_id[kpi.section_id]
    targets = _targets_by_kpi(Target.objects.filter(kpi__is_active=True).order_by("valid_from"))
    headline = {"kpi__is_active": True, "kpi__is_headline": True}
    goals = list(Goal.objects.filter(**headline).order_by("due"))
    benchmarks = list(Benchmark.objects.filter(**headline, month__lte=month).order_by("-month"))
    last_months = periods.months_between(periods.add_months(month, -(SPARKLINE_MONTHS - 1)), month)
    spark_months = {  # the sparkline's months for each frequency
        frequency: [m for m in last_months if Kpi(frequency=frequency).is_due_in(m)]
        for frequency in Frequency.values
    }
    positions = []
    recent_figures: dict[int, dict[dt.date, Decimal]] = {}
    for kpi, entries in kpis:
        back = RECENT_MONTHS_ANNUAL if kpi.frequency == Frequency.ANNUAL else RECENT_MONTHS
        first_recent = periods.add_months(month, -(back - 1)).isoformat()
        recent = parse_figures(entries[bisect.bisect_left(entries, first_recent) :])
        recent_figures[kpi.pk] = recent
        positions.append(
            position(
                kpi,
                recent,
                at=month,
                targets=targets.get(kpi.pk, []),
                process=baseline_limits(kpi, entries),
                sparkline_months=spark_months[kpi.frequency],
            )
        )
    headlines = [
        Headline(item, headline_sentence(item, recent_figures[item.kpi.pk], goals, benchmarks))
        for item in positions
        if item.kpi.is_headline
    ]
    shown = [
        item
        for item in positions
        if (section is None or item.kpi.section_id == section)
        and (outcome is None or item.rag == outcome)
    ]
    return Overview(month=month, positions=shown, headlines=headlines)


def baseline_limits(kpi: Kpi, entries: Sequence[str]) -> spc.Limits | None:
    """The SPC limits from the KPI's first figures, from its whole history (a missing month
    among them breaks the moving range); None when it has too few figures for SPC. `entries`
    hold its first BASELINE figures and its recent ones: together at least MINIMUM_FIGURES
    exactly when the KPI has that many."""
    if len(entries) < spc.MINIMUM_FIGURES:
        return None
    first = parse_figures(entries[: spc.BASELINE])
    series = [first.get(month) for month in axis(kpi, list(first))]
    return spc.limits(series, bounds=spc.bounds_for(kpi.unit))


def goal_ahead(goals: Sequence[Goal], month: dt.date) -> Goal | None:
    """The next goal due at or after `month`, else the last one (goals sorted by due)."""
    ahead = [goal for goal in goals if goal.due >= month]
    return ahead[0] if ahead else goals[-1] if goals else None


def goal_distance(kpi: Kpi, value: Decimal, goal: Goal) -> str:
    """52 above the goal of 796 for March 2023."""
    gap = Decimal(value) - Decimal(goal.value)
    where = "at" if gap == 0 else f"{kpi.format(abs(gap))} {'above' if gap > 0 else 'below'}"
    return f"{where} the goal of {kpi.format(goal.value)} for {periods.month_name(goal.due)}"


def headline_sentence(
    item: Position,
    figures: dict[dt.date, Decimal],
    goals: Sequence[Goal],
    benchmarks: Sequence[Benchmark],
) -> str:
    """848 in June 2022 (844 in March 2022); 52 above the goal of 796 for March 2023."""
    kpi = item.kpi
    if item.month is None or item.value is None:
        when = f" up to {periods.month_name(item.chosen)}" if item.chosen else ""
        return f"No figure{when}."
    text = f"{item.formatted} in {periods.month_name(item.month)}"
    quarter_before = Quarter.of(item.month).previous.last_month
    earlier = figures.get(quarter_before)
    if earlier is not None:
        moved = movement(earlier, item.value)
        shown = kpi.format(earlier)
        when = periods.month_name(quarter_before)
        text += (
            f", the same as in {when}"
            if moved == "unchanged"
            else f", {moved} from {shown} in {when}"
        )
    own_goals = [goal for goal in goals if goal.kpi_id == kpi.pk]
    own_benchmarks = [b for b in benchmarks if b.kpi_id == kpi.pk]  # newest first
    if goal := goal_ahead(own_goals, item.month):
        text += f"; {goal_distance(kpi, item.value, goal)}"
    elif own_benchmarks:
        benchmark = own_benchmarks[0]
        when = periods.month_name(benchmark.month)
        name = benchmark.label[0].lower() + benchmark.label[1:]
        text += f"; the {name} was {kpi.format(benchmark.value)} in {when}"
        own = figures.get(benchmark.month)
        if own is not None:
            text += f", when the trust's figure was {kpi.format(own)}"
    elif item.rag == Rag.NOT_JUDGED:
        text += "; a context measure, not judged against a target"
    else:
        text += f"; {_target_phrase(item)}"
    return text + "."


# ---------------------------------------------------------------------------------------
# One KPI's whole history


@dataclass(frozen=True)
class HistoryRow:
    month: dt.date
    observation: Observation | None
    target: Target | None
    rag: Rag
    point: spc.Point

    @property
    def revised(self) -> bool:
        return self.observation is not None and self.observation.version > 1


@dataclass(frozen=True)
class History:
    kpi: Kpi
    position: Position
    rows: list[HistoryRow]  # every month the KPI takes a figure, oldest first
    targets: list[Target]
    goals: list[Goal]
    benchmarks: list[Benchmark]
    chart: dict[str, object]

    @property
    def newest_first(self) -> list[HistoryRow]:
        return self.rows[::-1]

    @property
    def goal_sentence(self) -> str:
        """848 is 52 above the goal of 796 for March 2023."""
        item = self.position
        if item.month is None or item.value is None:
            return ""
        goal = goal_ahead(self.goals, item.month)
        if goal is None:
            return ""
        return f"{item.formatted} is {goal_distance(self.kpi, item.value, goal)}."

    @property
    def has_fractions(self) -> bool:
        return any(row.observation and row.observation.denominator for row in self.rows)


def history(kpi: Kpi) -> History:
    """The KPI's every figure with target, RAG and SPC, and its chart (four queries)."""
    observations = {o.month: o for o in kpi.observations.order_by("month")}
    targets = list(kpi.targets.order_by("valid_from"))
    goals = list(kpi.goals.order_by("due"))
    benchmarks = list(kpi.benchmarks.order_by("month", "comparator"))
    figures = {month: Decimal(o.value) for month, o in observations.items()}
    months = axis(kpi, list(observations))
    item = position(kpi, figures, at=months[-1] if months else dt.date.min, targets=targets)
    points = item.analysis.points
    rows = []
    for month, point in zip(months, points, strict=True):
        target = target_in_force(targets, month)
        observation = observations.get(month)
        rows.append(
            HistoryRow(
                month=month,
                observation=observation,
                target=target,
                rag=judge(kpi, figures.get(month), target) if observation else Rag.NO_DATA,
                point=point,
            )
        )
    return History(
        kpi=kpi,
        position=item,
        rows=rows,
        targets=targets,
        goals=goals,
        benchmarks=benchmarks,
        chart=chart_data(kpi, item, rows, goals, benchmarks),
    )


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def chart_data(
    kpi: Kpi,
    item: Position,
    rows: Sequence[HistoryRow],
    goals: Sequence[Goal],
    benchmarks: Sequence[Benchmark],
) -> dict[str, object]:
    """What the chart module draws, as JSON-able values (passed through json_script)."""
    months = [row.month for row in rows]
    extra = [goal.due for goal in goals] + [b.month for b in benchmarks]
    if months or extra:
        first = min(months + extra)
        last = max(months + extra)
        shown = periods.months_between(first, last)
        months_shown = [m for m in shown if kpi.is_due_in(m) or m in extra or m in months]
    else:
        months_shown = []
    by_month = {row.month: row for row in rows}
    limits = item.analysis.limits
    targets = [by_month[m].target if m in by_month else None for m in months_shown]
    return {
        "title": f"KPI {kpi.ref}: {kpi.description}",
        "unit": kpi.unit,
        "decimals": kpi.decimals,
        "labels": [periods.month_label(m) for m in months_shown],
        "values": [
            _number(by_month[m].point.value) if m in by_month else None for m in months_shown
        ],
        "special": [
            spc.variation_of(by_month[m].point, kpi.polarity).kind if m in by_month else ""
            for m in months_shown
        ],
        "targets": [_number(Decimal(t.value)) if t else None for t in targets],
        "mean": _number(limits.mean) if limits else None,
        "upper": _number(limits.upper) if limits else None,
        "lower": _number(limits.lower) if limits else None,
        "trial": bool(limits and limits.trial),
        "polarity": kpi.polarity,
        "goals": [
            {
                "label": periods.month_label(goal.due),
                "value": _number(Decimal(goal.value)),
                "name": f"Goal for {periods.month_name(goal.due)}",
            }
            for goal in goals
        ],
        "benchmarks": [
            {
                "label": periods.month_label(b.month),
                "value": _number(Decimal(b.value)),
                "name": b.label,
            }
            for b in benchmarks
        ],
    }


# ---------------------------------------------------------------------------------------
# The report's 15-month trend table


@dataclass(frozen=True)
class TrendCell:
    month: dt.date
    value: Decimal | None
    text: str
    rag: Rag


@dataclass(frozen=True)
class TrendRow:
    kpi: Kpi
    url: str
    cells: list[TrendCell]
    target: Target | None
    latest: Comparison | None


@dataclass(frozen=True)
class TrendTable:
    quarter: Quarter
    months: list[dt.date]
    years: list[tuple[FinancialYear, int]]  # header cells: a financial year and its months
    rows: list[TrendRow]


def trend_table(*, quarter: Quarter) -> TrendTable:
    """The report's KPI table for a quarter: the previous financial year and the current one
    to the quarter's end, RAG per cell (two queries)."""
    months = quarter.report_months()
    kpis = with_figures(
        Kpi.objects.active().filter(in_kpi_table=True),
        upto=months[-1],
        since=months[0],
    )
    targets = _targets_by_kpi(
        Target.objects.filter(kpi__is_active=True, kpi__in_kpi_table=True).order_by("valid_from")
    )
    url = detail_urls()
    rows = []
    for kpi, entries in kpis:
        figures = {m: v for m, v in parse_figures(entries).items() if m >= months[0]}
        own_targets = targets.get(kpi.pk, [])
        in_force = [target_in_force(own_targets, month) for month in months]
        thresholds = {id(t): t.threshold for t in own_targets}
        cells = []
        for month, target in zip(months, in_force, strict=True):
            value = figures.get(month)
            if value is None:
                cells.append(TrendCell(month, None, "", Rag.NO_DATA))
                continue
            threshold = thresholds[id(target)] if target else None
            cells.append(
                TrendCell(month, value, kpi.format(value), rag(value, threshold, kpi.polarity))
            )
        last = months[-1]
        before = periods.add_months(last, -step_months(kpi))
        rows.append(
            TrendRow(
                kpi=kpi,
                url=url(kpi),
                cells=cells,
                target=target_in_force(own_targets, last),
                latest=compare(kpi, figures.get(last), before, figures.get(before))
                if figures.get(last) is not None
                else None,
            )
        )
    years: list[tuple[FinancialYear, int]] = []
    for month in months:
        year = FinancialYear.of(month)
        if years and years[-1][0] == year:
            years[-1] = (year, years[-1][1] + 1)
        else:
            years.append((year, 1))
    return TrendTable(quarter=quarter, months=months, years=years, rows=rows)
