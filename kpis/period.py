"""The figures of a period, built once: where every KPI stands at a month.

`build` takes what one read of the database gave (kpis.dashboard.read_period) and works in
plain Python with the pure modules — `periods`, `polarity`, `rag` and `spc` — and returns a
`Period`: for each KPI its figures (numbers and symbols, numerators and denominators,
notes, stated statuses), the target and RAG in force, direction of travel against the
previous period and the same period a year before, the SPC analysis of its whole history,
goals and benchmarks, and the figures revised since a report published them. The overview,
the trend table, the KPI page, the report with its workbook and PDF, and the drafted
sentences all render this object; none reads the figures again.

No database here: the model instances it is given (KPIs with their sections, targets, goals,
benchmarks) are read, never queried.
"""

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from sct_portal import periods
from sct_portal.periods import FinancialYear, Quarter

from . import chart_records, rag, spc, symbols
from .axes import value_axis
from .models import (
    Annotation,
    BaselineExclusion,
    Benchmark,
    ChangePoint,
    ChangePointStatus,
    Goal,
    Kpi,
    Target,
)
from .polarity import Direction, Polarity, direction, movement
from .rag import Rag, Stated
from .references import NONE, References, gathered

SPARKLINE_MONTHS = 15  # as many months as the report's KPI table


# ---------------------------------------------------------------------------------------
# What was read


@dataclass(frozen=True)
class Published:
    """A figure as a published report printed it, when it has been revised since."""

    shown: str
    value: Decimal | None
    symbol: str
    report: str  # "Q1 2022/23"


@dataclass(frozen=True)
class Figure:
    """One KPI's record for one period: a number or a symbol (or only a stated status)."""

    month: dt.date
    value: Decimal | None
    symbol: str = ""
    numerator: int | None = None
    denominator: int | None = None
    note: str = ""
    version: int = 1
    updated_at: dt.datetime | None = None
    stated: Stated | None = None
    stated_by: str = ""
    stated_at: dt.datetime | None = None
    published: Published | None = None  # what a report published, when it differs now

    @property
    def has_figure(self) -> bool:
        return self.value is not None or bool(self.symbol)

    @property
    def figure(self) -> Decimal | str | None:
        return self.value if self.value is not None else (self.symbol or None)

    @property
    def fraction(self) -> str:
        """34 of 45"""
        if self.numerator is None or self.denominator is None:
            return ""
        return f"{self.numerator:,} of {self.denominator:,}"

    @property
    def symbol_meaning(self) -> str:
        return symbols.meaning(self.symbol) if self.symbol else ""

    @property
    def revised(self) -> bool:
        """Changed since it was first entered."""
        return self.version > 1


@dataclass(frozen=True)
class ChartRecords:
    """How a KPI's SPC chart is read, as recorded by analysts (kpis/chart_records.py): its
    change points of every status, baseline exclusions and annotations, oldest first."""

    change_points: tuple[ChangePoint, ...] = ()
    exclusions: tuple[BaselineExclusion, ...] = ()
    annotations: tuple[Annotation, ...] = ()


NO_RECORDS = ChartRecords()


# ---------------------------------------------------------------------------------------
# Small pure pieces


def axis(kpi: Kpi, months: Iterable[dt.date]) -> list[dt.date]:
    """The months a KPI's series runs over, oldest first: every month it takes a figure from
    its first figure to its last, and any month that has a figure."""
    found = set(months)
    if not found:
        return []
    return sorted(set(periods.due_months(kpi.frequency, min(found), max(found))) | found)


def target_in_force(targets: Sequence[Target], month: dt.date) -> Target | None:
    return next((target for target in targets if target.in_force(month)), None)


def judge(
    kpi: Kpi, figure: Figure | None, target: Target | None, reference: Decimal | None = None
) -> Rag:
    """The figure's RAG by the target in force; `reference` is what a relative target is
    measured from. A context measure is judged only against a range; a symbol is not
    judged (there is no number to judge)."""
    context = kpi.polarity == Polarity.NEITHER
    if target is None or (context and target.comparison != rag.Comparison.BETWEEN):
        return Rag.NOT_JUDGED if context else Rag.NO_TARGET
    value = figure.value if figure is not None else None
    if figure is not None and figure.symbol:
        return Rag.NO_DATA
    return rag.judge(value, target.rule, reference=reference)


def assured_against(kpi: Kpi, target: Target | None, reference: Decimal | None) -> Decimal | None:
    """The value SPC assurance is judged against, and the chart draws: the target's edge
    (see rag.target_value); none for a context measure's range, which has no side."""
    if target is None or kpi.polarity == Polarity.NEITHER:
        return None
    higher = kpi.polarity == Polarity.HIGHER
    return rag.target_value(target.rule, reference=reference, higher_is_better=higher)


def target_words(
    kpi: Kpi, target: Target | None, reference: Decimal | None, *, amber: bool = True
) -> str:
    """at least 85.0% (amber from 80.0%); more than the statistical-neighbour average (102.6)"""
    if target is None:
        return ""
    return rag.phrase(target.rule, kpi.unit, kpi.decimals, reference=reference, amber=amber)


@dataclass(frozen=True)
class Comparison:
    """The latest figure against an earlier one: the previous period's, or a year before."""

    month: dt.date
    figure: Figure | None
    direction: Direction
    movement: str  # up, down, unchanged, or "" when there is nothing to compare
    against: str  # what it compares with, in words: "the previous quarter"

    @property
    def value(self) -> Decimal | None:
        return self.figure.value if self.figure else None

    @property
    def symbol(self) -> str:
        return self.figure.symbol if self.figure else ""

    @property
    def why_not(self) -> str:
        """Why there is no direction, in words; "" when there is one."""
        if self.figure is None or not self.figure.has_figure:
            return "no figure"
        if self.figure.symbol:
            return f"{self.figure.symbol} ({self.figure.symbol_meaning}): not compared"
        return ""


def compare(
    kpi: Kpi, latest: Figure, earlier: Figure | None, month: dt.date, against: str
) -> Comparison:
    old = earlier.value if earlier is not None else None
    new = latest.value
    return Comparison(
        month=month,
        figure=earlier,
        direction=direction(old, new, kpi.polarity),
        movement=movement(old, new),
        against=against,
    )


@dataclass(frozen=True)
class Sparkline:
    months: tuple[dt.date, ...]
    values: tuple[Decimal | None, ...]
    description: str


def sparkline(kpi: Kpi, months: Sequence[dt.date], figures: Mapping[dt.date, Figure]) -> Sparkline:
    shown = [(m, f.value if (f := figures.get(m)) else None) for m in months]
    present = [(m, v) for m, v in shown if v is not None]
    if not months:
        return Sparkline((), (), "")
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


def goal_ahead(goals: Sequence[Goal], month: dt.date) -> Goal | None:
    """The next goal due at or after `month`, else the last one (goals sorted by due)."""
    ahead = [goal for goal in goals if goal.due >= month]
    return ahead[0] if ahead else goals[-1] if goals else None


def goal_distance(kpi: Kpi, value: Decimal, goal: Goal) -> str:
    """52 above the goal of 796 for March 2023."""
    gap = Decimal(value) - Decimal(goal.value)
    where = "at" if gap == 0 else f"{kpi.format(abs(gap))} {'above' if gap > 0 else 'below'}"
    return f"{where} the goal of {kpi.format(goal.value)} for {periods.month_name(goal.due)}"


# ---------------------------------------------------------------------------------------
# A KPI's position at a month


@dataclass(frozen=True)
class Position:
    """A KPI at a month: its latest figure then, compared, judged and analysed."""

    kpi: Kpi
    chosen: dt.date  # the month asked for
    figures: Mapping[dt.date, Figure]  # every figure up to the month asked for
    latest: Figure | None  # the latest figure (number or symbol) at or before it
    previous: Comparison | None
    year_ago: Comparison | None
    target: Target | None
    rag: Rag
    stated: Stated | None  # the status stated for the latest figure's period, if any
    analysis: spc.Analysis
    axis: tuple[dt.date, ...]  # the months of the SPC series, oldest first
    targets: tuple[Target, ...] = ()
    goals: tuple[Goal, ...] = ()
    benchmarks: tuple[Benchmark, ...] = ()  # newest first
    sparkline: Sparkline | None = None
    reference: Decimal | None = None  # what a relative target is measured from, that month
    measured_from: References = NONE  # the same for every month (history, trend table)
    records: ChartRecords = NO_RECORDS  # change points, exclusions, annotations

    @property
    def month(self) -> dt.date | None:
        """The month of the latest figure."""
        return self.latest.month if self.latest else None

    @property
    def value(self) -> Decimal | None:
        return self.latest.value if self.latest else None

    @property
    def symbol(self) -> str:
        return self.latest.symbol if self.latest else ""

    @property
    def formatted(self) -> str:
        return self.kpi.format_figure(self.latest.figure if self.latest else None)

    @property
    def published(self) -> Published | None:
        """What a published report showed for the latest figure, when it differs now."""
        return self.latest.published if self.latest else None

    @property
    def period_label(self) -> str:
        return self.kpi.period_label(self.month) if self.month else ""

    @property
    def is_out_of_date(self) -> bool:
        """No figure for the chosen month although the KPI takes one then."""
        return (
            self.month is not None and self.month != self.chosen and self.kpi.is_due_in(self.chosen)
        )

    @property
    def due(self) -> dt.date:
        """The latest period that should have a figure by the chosen month."""
        return periods.last_due(self.kpi.frequency, self.chosen)

    @property
    def months_old(self) -> int:
        """How many months the latest figure is older than the latest due (0: up to date)."""
        if self.month is None:
            return 0
        return max(periods.months_apart(self.month, self.due), 0)

    @property
    def is_long_overdue(self) -> bool:
        """More than one period has passed without a figure."""
        if self.month is None:
            return False
        return periods.previous_due(self.kpi.frequency, self.due) > self.month

    @property
    def age_text(self) -> str:
        """latest figure Dec-19: 33 months old — when it is late for its frequency."""
        if self.month is None or self.months_old == 0:
            return ""
        old = self.months_old
        return (
            f"latest figure {self.kpi.period_label(self.month)}: "
            f"{old} month{'s' if old != 1 else ''} old"
        )

    @property
    def target_text(self) -> str:
        return target_words(self.kpi, self.target, self.reference)

    @property
    def assured(self) -> bool:
        """Whether SPC can assure the process against the target as written: not against a
        range on a context measure, nor a relative target without its reference."""
        if self.target is None:
            return True
        context = self.kpi.polarity == Polarity.NEITHER
        return self.rag not in rag.UNJUDGED and not context

    @property
    def assurance_label(self) -> str:
        return self.analysis.assurance.label if self.assured else "Not judged"

    @property
    def assurance_sentence(self) -> str:
        if self.assured:
            return self.analysis.assurance_sentence
        if self.rag == Rag.NO_BENCHMARK:
            return "No assurance: the target is measured from a benchmark, and there is none yet."
        if self.rag == Rag.NO_BASELINE:
            return "No assurance: the target is measured from a starting figure that is missing."
        return (
            "No assurance: a process is assured against a target on one side, not against a "
            f"range ({self.target_text})."
        )

    @property
    def sentence(self) -> str:
        return position_sentence(self)

    @cached_property
    def points(self) -> dict[dt.date, spc.Point]:
        return dict(zip(self.axis, self.analysis.points, strict=True))

    @cached_property
    def segments(self) -> tuple["Baseline", ...]:
        """Each SPC segment with the month it starts and the change point that starts it."""
        if not self.axis:  # no figures yet: nothing to analyse, no baseline
            return ()
        approved = sorted(
            (p for p in self.records.change_points if p.is_approved), key=lambda p: p.month
        )
        found = []
        for segment in self.analysis.segments:
            # The change point that chart_records.segmentation started this segment with.
            point = next(
                (
                    p
                    for p in approved
                    if segment.start and bisect.bisect_left(self.axis, p.month) == segment.start
                ),
                None,
            )
            left_out = tuple(
                (self.kpi.period_label(self.axis[e.index]), e.reason) for e in segment.excluded
            )
            found.append(Baseline(self.kpi, self.axis[segment.start], segment, point, left_out))
        return tuple(found)

    @property
    def baseline(self) -> "Baseline | None":
        """The segment whose limits apply to the latest figure."""
        latest = self.analysis.latest
        return self.segments[latest.segment] if latest and self.segments else None

    @property
    def baseline_text(self) -> str:
        """Which limits apply, as the report and workbook say it."""
        if self.analysis.not_analysed:
            return "not analysed by SPC: a year-to-date measure"
        found = self.baseline
        return found.sentence if found is not None else ""

    @cached_property
    def proposal(self) -> "Proposal | None":
        """A change point the portal proposes (spc.propose_rebase: a sustained shift), unless
        one is already recorded for its month, whatever its status."""
        found = spc.propose_rebase(self.analysis)
        if found is None:
            return None
        month = self.axis[found.start]
        if any(p.month == month for p in self.records.change_points):
            return None
        return Proposal(month, self.kpi.period_name(month), found.reason)

    @property
    def proposals(self) -> list["Proposal"]:
        """What awaits a person's decision: the portal's proposal and change points recorded
        as proposed."""
        recorded = [
            Proposal(p.month, self.kpi.period_name(p.month), p.reason)
            for p in self.records.change_points
            if p.status == ChangePointStatus.PROPOSED
        ]
        return [*([self.proposal] if self.proposal else []), *recorded]

    def annotations_in(self, month: dt.date) -> list[Annotation]:
        """The annotations of the period recorded at `month` (a quarter's: its three months)."""
        before = periods.previous_due(self.kpi.frequency, month)
        return [a for a in self.records.annotations if before < a.month <= month]

    @property
    def latest_annotations(self) -> list[Annotation]:
        return self.annotations_in(self.month) if self.month else []


@dataclass(frozen=True)
class Baseline:
    """An SPC segment of a KPI: the limits from its first month, and why they start there."""

    kpi: Kpi
    month: dt.date  # its first month
    segment: spc.Segment
    change_point: ChangePoint | None  # None for the first segment
    left_out: tuple[tuple[str, str], ...] = ()  # (Jun-21, why) left out of its baseline

    @property
    def limits(self) -> spc.Limits | None:
        """An XmR segment's limits (a p-chart's vary month by month: see each point)."""
        return self.segment.limits

    @property
    def label(self) -> str:
        """Apr-23: new definition — as the table twin's column says it."""
        first = self.kpi.period_label(self.month)
        if self.change_point is None:
            return f"From {first}"
        return f"From {first}: {self.change_point.reason}"

    @property
    def sentence(self) -> str:
        """limits from April 2023 (new definition from April 2023)"""
        if self.change_point is not None:
            return f"limits from {self.change_point.label}"
        return f"limits from {self.kpi.period_name(self.month)}, its first figures"


@dataclass(frozen=True)
class Proposal:
    """A change point awaiting a person's decision."""

    month: dt.date
    name: str  # April 2023
    reason: str


def position(
    kpi: Kpi,
    figures: Mapping[dt.date, Figure],
    *,
    at: dt.date,
    targets: Sequence[Target] = (),
    goals: Sequence[Goal] = (),
    benchmarks: Sequence[Benchmark] = (),
    sparkline_months: Sequence[dt.date] = (),
    measured_from: References = NONE,
    records: ChartRecords = NO_RECORDS,
) -> Position:
    """The KPI's position at month `at`, from all its figures (however old the latest)."""
    shown = {m: f for m, f in figures.items() if m <= at}
    with_figure = sorted(m for m, f in shown.items() if f.has_figure)
    latest = shown[with_figure[-1]] if with_figure else None
    previous = year_ago = None
    if latest is not None:
        before = periods.previous_due(kpi.frequency, latest.month)
        last_year = periods.add_months(latest.month, -12)
        if not kpi.cumulative:
            previous = compare(
                kpi,
                latest,
                shown.get(before),
                before,
                periods.PREVIOUS_PERIOD.get(kpi.frequency, "the period before"),
            )
        year_ago = compare(
            kpi,
            latest,
            shown.get(last_year),
            last_year,
            periods.SAME_PERIOD_LAST_YEAR.get(kpi.frequency, "a year before"),
        )
    target = target_in_force(targets, latest.month) if latest else None
    reference = measured_from.at(target, latest.month) if latest else None
    months = tuple(axis(kpi, with_figure))
    recorded = [shown.get(m) for m in months]
    series: list[Decimal | None] = [f.value if f is not None else None for f in recorded]
    fractions = [
        spc.Fraction(f.numerator, f.denominator)
        if f is not None and f.numerator is not None and f.denominator
        else None
        for f in recorded
    ]
    starts, excluded = chart_records.segmentation(
        months=months, change_points=records.change_points, exclusions=records.exclusions
    )
    analysis = spc.analyse(
        series,
        polarity=kpi.polarity,
        target=assured_against(kpi, target, reference),
        describe=lambda value: kpi.format(value),
        chart=kpi.chart,
        fractions=fractions if any(fractions) or kpi.chart == spc.Chart.P else (),
        change_points=starts,
        excluded=excluded,
        baseline=kpi.spc_baseline,
        bounds=spc.bounds_for(kpi.unit),
        year_to_date=kpi.cumulative,
    )
    stated_at = shown.get(periods.last_due(kpi.frequency, at))
    stated = stated_at.stated if stated_at else None
    if latest is not None and latest.stated is not None:
        stated = latest.stated
    return Position(
        kpi=kpi,
        chosen=at,
        figures=shown,
        latest=latest,
        previous=previous,
        year_ago=year_ago,
        target=target,
        rag=judge(kpi, latest, target, reference) if latest else Rag.NO_DATA,
        stated=stated,
        analysis=analysis,
        axis=months,
        targets=tuple(targets),
        goals=tuple(goals),
        benchmarks=tuple(benchmarks),
        sparkline=sparkline(kpi, sparkline_months, shown) if sparkline_months else None,
        reference=reference,
        measured_from=measured_from,
        records=records,
    )


# ---------------------------------------------------------------------------------------
# Sentences


def _comparison_phrase(kpi: Kpi, comparison: Comparison) -> str:
    when = kpi.period_name(comparison.month)
    if comparison.why_not:
        return f"{comparison.why_not} for {when}"
    shown = kpi.format(comparison.value)
    if comparison.direction == Direction.SAME:
        return f"the same as {when} ({shown})"
    if comparison.direction == Direction.NOT_JUDGED:
        return f"{comparison.movement} from {shown} in {when}"
    return f"{comparison.direction.label.lower()} than {when} ({shown})"


def target_phrase(item: Position) -> str:
    """below its target of at least 85.0% (red); misses its target of fewer than 85 (red);
    not judged: no benchmark for June 2022 (its target: more than the statistical-neighbour
    average)"""
    kpi, outcome = item.kpi, item.rag
    if outcome == Rag.NOT_JUDGED:
        return "a context measure, not judged against a target"
    if outcome == Rag.NO_TARGET or item.target is None:
        return "no target in force"
    if item.symbol:
        return f"not judged against its target: the figure is {item.symbol}"
    target = target_words(kpi, item.target, item.reference, amber=False)
    if outcome == Rag.NO_BENCHMARK and item.month is not None:
        when = periods.month_name(item.month)
        return f"not judged: no benchmark for {when} (its target: {target})"
    if outcome == Rag.NO_BASELINE and item.target.baseline_month:
        when = periods.month_name(item.target.baseline_month)
        return f"not judged: no figure for {when}, the starting month (its target: {target})"
    if outcome == Rag.GREEN:
        return f"meets its target of {target} (green)"
    where = (
        rag.side(item.value, item.target.rule, reference=item.reference)
        if item.value is not None
        else ""
    )
    missed = {"below": "below", "above": "above"}.get(where, "misses")
    if outcome == Rag.AMBER:
        return f"{missed} its target of {target}, within the amber band (amber)"
    return f"{missed} its target of {target} (red)"


def variation_phrase(item: Position) -> str:
    analysis = item.analysis
    if analysis.variation.kind == "not-analysed":
        return "not analysed by SPC: a year-to-date measure"
    variation = analysis.variation
    trial = " (trial limits)" if analysis.limits and analysis.limits.trial else ""
    return {
        "common-cause": f"common-cause variation{trial}",
        "improvement": f"special-cause improvement{trial}",
        "concern": f"special-cause concern{trial}",
        "neutral": f"special-cause variation, neither good nor bad{trial}",
    }.get(variation.kind, "too few figures for SPC")


def position_sentence(item: Position) -> str:
    """74.9% in June 2022: worse than May 2022 (77.6%) and June 2021 (92.0%); below its
    target of 85.0% (red); common-cause variation."""
    kpi = item.kpi
    if item.latest is None:
        return "No figures yet."
    shown = item.formatted
    if item.symbol:
        shown = f"{item.symbol} ({item.latest.symbol_meaning})"
    comparisons = [c for c in (item.previous, item.year_ago) if c is not None]
    phrases = [_comparison_phrase(kpi, c) for c in comparisons]
    judged = [c.direction for c in comparisons if not c.why_not]
    if len(phrases) == 2 and judged == [Direction.WORSE, Direction.WORSE]:
        phrases[1] = phrases[1].removeprefix("worse than ")
    elif len(phrases) == 2 and judged == [Direction.BETTER, Direction.BETTER]:
        phrases[1] = phrases[1].removeprefix("better than ")
    joiner = " but " if set(judged) == {Direction.BETTER, Direction.WORSE} else " and "
    parts = [joiner.join(phrases)] if phrases else []
    parts += [target_phrase(item), variation_phrase(item)]
    if item.stated is not None:
        parts.append(f"stated status: {item.stated.text}")
    late = f" ({item.age_text})" if item.age_text else ""
    return f"{shown} in {kpi.period_name(item.latest.month)}{late}: {'; '.join(parts)}."


def headline_sentence(item: Position, area: str = "") -> str:
    """848 in June 2022 (up from 844 in March 2022); 52 above the goal of 796 for March 2023."""
    kpi = item.kpi
    if item.latest is None or item.value is None:
        return f"No figure up to {periods.month_name(item.chosen)}."
    text = f"{item.formatted} in {kpi.period_name(item.latest.month)}"
    quarter_before = Quarter.of(item.latest.month).previous.last_month
    earlier = item.figures.get(quarter_before)
    if earlier is not None and earlier.value is not None:
        moved = movement(earlier.value, item.value)
        shown = kpi.format(earlier.value)
        when = periods.month_name(quarter_before)
        text += (
            f", the same as in {when}"
            if moved == "unchanged"
            else f", {moved} from {shown} in {when}"
        )
    if goal := goal_ahead(item.goals, item.latest.month):
        text += f"; {goal_distance(kpi, item.value, goal)}"
    elif item.benchmarks:
        benchmark = item.benchmarks[0]
        when = periods.month_name(benchmark.month)
        name = benchmark.label[0].lower() + benchmark.label[1:]
        text += f"; the {name} was {kpi.format(benchmark.value)} in {when}"
        own = item.figures.get(benchmark.month)
        if own is not None and own.value is not None:
            whose = f"{area}'s figure" if area else "its own figure"
            text += f", when {whose} was {kpi.format(own.value)}"
    elif item.rag == Rag.NOT_JUDGED:
        text += "; a context measure, not judged against a target"
    else:
        text += f"; {target_phrase(item)}"
    return text + "."


# ---------------------------------------------------------------------------------------
# The period


@dataclass(frozen=True)
class Headline:
    position: Position
    sentence: str


@dataclass(frozen=True)
class Period:
    """Every KPI's position at a month, and what the pages built from them share."""

    month: dt.date
    positions: tuple[Position, ...]
    area: str = ""  # the organisation's area, as sentences name it: "Sandwell"

    @cached_property
    def by_ref(self) -> dict[str, Position]:
        return {item.kpi.ref: item for item in self.positions}

    @cached_property
    def by_id(self) -> dict[int, Position]:
        return {item.kpi.pk: item for item in self.positions}

    @property
    def headlines(self) -> list[Headline]:
        return [
            Headline(item, headline_sentence(item, self.area))
            for item in self.positions
            if item.kpi.is_headline
        ]

    @property
    def sparkline_months(self) -> tuple[dt.date, dt.date]:
        return periods.add_months(self.month, -(SPARKLINE_MONTHS - 1)), self.month

    def filtered(self, *, section: int | None = None, outcome: str | None = None) -> list[Position]:
        return [
            item
            for item in self.positions
            if (section is None or item.kpi.section_id == section)
            and (outcome is None or item.rag == outcome)
        ]

    @property
    def symbols_shown(self) -> set[str]:
        return {item.symbol for item in self.positions if item.symbol}


def build(
    *,
    month: dt.date,
    kpis: Sequence[Kpi],
    figures: Mapping[int, Mapping[dt.date, Figure]],
    targets: Mapping[int, Sequence[Target]] | None = None,
    goals: Mapping[int, Sequence[Goal]] | None = None,
    benchmarks: Mapping[int, Sequence[Benchmark]] | None = None,
    records: Mapping[int, ChartRecords] | None = None,
    area: str = "",
) -> Period:
    """The period from what was read: figures, targets (sorted by valid_from), goals (by due),
    benchmarks (newest first) and chart records by KPI id."""
    first = periods.add_months(month, -(SPARKLINE_MONTHS - 1))
    recent = periods.months_between(first, month)
    measured_from = gathered(
        [t for ts in (targets or {}).values() for t in ts],
        benchmarks=[b for bs in (benchmarks or {}).values() for b in bs],
        starting={
            (kpi_id, m): f.value
            for kpi_id, own in figures.items()
            for m, f in own.items()
            if f.value is not None
        },
    )
    spark_months = {
        frequency: [m for m in recent if periods.is_due(frequency, m)]
        for frequency in {kpi.frequency for kpi in kpis}
    }
    positions = tuple(
        position(
            kpi,
            figures.get(kpi.pk, {}),
            at=month,
            targets=(targets or {}).get(kpi.pk, ()),
            goals=(goals or {}).get(kpi.pk, ()),
            benchmarks=(benchmarks or {}).get(kpi.pk, ()),
            sparkline_months=spark_months[kpi.frequency],
            measured_from=measured_from,
            records=(records or {}).get(kpi.pk, NO_RECORDS),
        )
        for kpi in kpis
    )
    return Period(month=month, positions=positions, area=area)


# ---------------------------------------------------------------------------------------
# One KPI's whole history: the KPI page


@dataclass(frozen=True)
class HistoryRow:
    month: dt.date
    label: str  # Jun-22, Q1 2022/23
    figure: Figure | None
    target: Target | None
    rag: Rag
    point: spc.Point
    target_text: str = ""  # the target as written, with a relative target's number that month
    target_line: Decimal | None = None  # the target's edge, drawn on the chart
    baseline: Baseline | None = None  # the SPC segment whose limits apply
    annotations: tuple[Annotation, ...] = ()  # events dated in this period

    @property
    def limits_text(self) -> str:
        """The limits that judge this figure, as the chart draws them: 70.0% to 90.0%."""
        found = self.point.limits
        if found is None:
            return ""
        base = f" for a base of {found.base:,}" if found.base else ""
        shown = self.baseline.kpi.format if self.baseline else str
        text = f"{shown(found.lower)} to {shown(found.upper)}{base}"
        clipped = [
            f"{which} clipped from {shown(value)}"
            for which, value in (
                ("lower", found.calculated_lower),
                ("upper", found.calculated_upper),
            )
            if value is not None
        ]
        if clipped:  # beyond what the measure can be; the limits sentence says it in full
            text += f" ({'; '.join(clipped)})"
        return text

    @property
    def revised(self) -> bool:
        return self.figure is not None and self.figure.revised


@dataclass(frozen=True)
class History:
    position: Position
    rows: tuple[HistoryRow, ...]  # every period the KPI takes a figure, oldest first
    chart: dict[str, object]

    @property
    def kpi(self) -> Kpi:
        return self.position.kpi

    @property
    def targets(self) -> tuple[Target, ...]:
        return self.position.targets

    @property
    def goals(self) -> tuple[Goal, ...]:
        return self.position.goals

    @property
    def benchmarks(self) -> tuple[Benchmark, ...]:
        return tuple(sorted(self.position.benchmarks, key=lambda b: (b.month, b.comparator)))

    @property
    def newest_first(self) -> tuple[HistoryRow, ...]:
        return self.rows[::-1]

    def newest_in(self, years: int) -> tuple[HistoryRow, ...]:
        """The rows of the latest `years` financial years, newest first: the table twin of a
        long series shows these unless every figure is asked for (the chart has them all)."""
        if not self.rows:
            return ()
        first = periods.FinancialYear.of(self.rows[-1].month).start - years + 1
        return tuple(
            row for row in self.newest_first if periods.FinancialYear.of(row.month).start >= first
        )

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
        return any(row.figure and row.figure.denominator for row in self.rows)

    @property
    def revised_since_published(self) -> dict[dt.date, Published]:
        return {
            row.month: row.figure.published
            for row in self.rows
            if row.figure is not None and row.figure.published is not None
        }

    @property
    def symbols_shown(self) -> list[tuple[str, str]]:
        return symbols.key(
            {row.figure.symbol for row in self.rows if row.figure and row.figure.symbol}
        )


def history(item: Position) -> History:
    """A position's every period, oldest first, with target, RAG and SPC, and its chart."""
    kpi = item.kpi
    months = list(item.axis) or sorted(m for m, f in item.figures.items() if f.has_figure)
    points = item.points
    rows = []
    for month in months:
        target = target_in_force(item.targets, month)
        reference = item.measured_from.at(target, month)
        figure = item.figures.get(month)
        point = points.get(month)
        rows.append(
            HistoryRow(
                month=month,
                label=kpi.period_label(month),
                figure=figure,
                target=target,
                rag=judge(kpi, figure, target, reference)
                if figure and figure.has_figure
                else Rag.NO_DATA,
                point=point or spc.Point(figure.value if figure else None),
                target_text=target_words(kpi, target, reference),
                target_line=assured_against(kpi, target, reference),
                baseline=item.segments[point.segment] if point and item.segments else None,
                annotations=tuple(item.annotations_in(month)),
            )
        )
    return History(position=item, rows=tuple(rows), chart=chart_data(item, rows))


def value_at(rows: Mapping[dt.date, HistoryRow], month: dt.date) -> Decimal | None:
    row = rows.get(month)
    return row.figure.value if row is not None and row.figure is not None else None


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _lines(
    rows: Mapping[dt.date, HistoryRow], months: Sequence[dt.date], segment: int
) -> dict[str, list[float | None]]:
    """One segment's mean and limits at each month shown (None outside it): a p-chart's
    vary with each month's base."""

    def at(month: dt.date, name: str) -> float | None:
        row = rows.get(month)
        if row is None or row.point.limits is None or row.point.segment != segment:
            return None
        return _number(getattr(row.point.limits, name))

    return {name: [at(m, name) for m in months] for name in ("mean", "upper", "lower")}


def chart_data(item: Position, rows: Sequence[HistoryRow]) -> dict[str, object]:
    """What the chart module draws, as JSON-able values (passed through json_script): the
    figures, each SPC segment's own mean and limits, the change points and annotations at
    their months, and the value axis with its ticks as labelled here (kpis/axes.py)."""
    kpi = item.kpi
    months = [row.month for row in rows]
    extra = [goal.due for goal in item.goals] + [b.month for b in item.benchmarks]
    if months or extra:
        first, last = min(months + extra), max(months + extra)
        shown = periods.months_between(first, last)
        months_shown = [m for m in shown if kpi.is_due_in(m) or m in extra or m in months]
    else:
        months_shown = []
    index = {month: i for i, month in enumerate(months_shown)}
    by_month = {row.month: row for row in rows}
    lines = [by_month[m].target_line if m in by_month else None for m in months_shown]
    segments = [
        {
            "label": baseline.label,
            "trial": bool(baseline.segment.limits and baseline.segment.limits.trial)
            or any(
                row.point.limits.trial
                for row in rows
                if row.point.limits and row.point.segment == number
            ),
            **_lines(by_month, months_shown, number),
        }
        for number, baseline in enumerate(item.segments)
        if baseline.segment.mean is not None
    ]
    limits = [row.point.limits for row in rows if row.point.limits is not None]
    drawn = [
        *(value_at(by_month, m) for m in months_shown),
        *lines,
        *(found.upper for found in limits),
        *(found.lower for found in limits),
        *(Decimal(goal.value) for goal in item.goals),
        *(Decimal(b.value) for b in item.benchmarks),
    ]
    return {
        "title": f"KPI {kpi.ref}: {kpi.description}",
        "unit": kpi.unit,
        "decimals": kpi.decimals,
        "chart": kpi.chart,
        "labels": [kpi.period_label(m) for m in months_shown],
        "values": [_number(value_at(by_month, m)) for m in months_shown],
        "special": [
            spc.variation_of(by_month[m].point, kpi.polarity).kind if m in by_month else ""
            for m in months_shown
        ],
        "excluded": [
            index[m] for m in months_shown if m in by_month and by_month[m].point.excluded
        ],
        "targets": [_number(line) for line in lines],
        "segments": segments,
        "changes": [
            {"index": index[b.month], "label": kpi.period_label(b.month), "text": b.label}
            for b in item.segments
            if b.change_point is not None and b.month in index
        ],
        "annotations": [
            {"index": index[row.month], "label": _day(a.date), "text": a.text}
            for row in rows
            for a in row.annotations
            if row.month in index
        ],
        "axis": value_axis(drawn, unit=kpi.unit, decimals=kpi.decimals).as_data(),
        "polarity": kpi.polarity,
        "goals": [
            {
                "label": kpi.period_label(goal.due),
                "value": _number(Decimal(goal.value)),
                "name": f"Goal for {periods.month_name(goal.due)}",
            }
            for goal in item.goals
        ],
        "benchmarks": [
            {
                "label": kpi.period_label(b.month),
                "value": _number(Decimal(b.value)),
                "name": b.label,
            }
            for b in item.benchmarks
        ],
    }


def _day(date: dt.date) -> str:
    """12 May 2022"""
    return f"{date.day} {date:%B %Y}"


# ---------------------------------------------------------------------------------------
# The report's KPI table: 15 months, and each frequency in its own columns


@dataclass(frozen=True)
class TrendCell:
    month: dt.date
    figure: Figure | None
    text: str  # as printed: "74.9%", "c"; "" for no data
    rag: Rag

    @property
    def value(self) -> Decimal | None:
        return self.figure.value if self.figure else None

    @property
    def symbol(self) -> str:
        return self.figure.symbol if self.figure else ""

    @property
    def published(self) -> Published | None:
        return self.figure.published if self.figure else None


@dataclass(frozen=True)
class TrendRow:
    kpi: Kpi
    cells: tuple[TrendCell, ...]
    target: Target | None
    latest: Comparison | None  # the last column against the one before it
    target_text: str = ""  # the target at the table's last column, as written


@dataclass(frozen=True)
class Column:
    month: dt.date
    label: str  # Jun-22, Q1 2022/23


@dataclass(frozen=True)
class TrendGroup:
    """The rows of one frequency, with that frequency's columns."""

    frequency: str
    heading: str  # "Monthly KPIs", "Quarterly KPIs"
    columns: tuple[Column, ...]
    years: tuple[tuple[FinancialYear, int], ...]  # header cells: a financial year, its columns
    rows: tuple[TrendRow, ...]
    comparison: str  # what the last column's direction compares with: "the month before"

    @property
    def months(self) -> list[dt.date]:
        return [column.month for column in self.columns]

    @property
    def first_label(self) -> str:
        return self.columns[0].label if self.columns else ""

    @property
    def last_label(self) -> str:
        return self.columns[-1].label if self.columns else ""


@dataclass(frozen=True)
class TrendTable:
    quarter: Quarter
    groups: tuple[TrendGroup, ...]

    @property
    def months(self) -> list[dt.date]:
        return self.quarter.report_months()

    @property
    def rows(self) -> list[TrendRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def symbols_shown(self) -> list[tuple[str, str]]:
        return symbols.key({cell.symbol for row in self.rows for cell in row.cells if cell.symbol})

    @property
    def has_unjudged_cells(self) -> bool:
        """Whether a relative target lacked its benchmark or starting figure somewhere."""
        return any(cell.rag in rag.UNJUDGED for row in self.rows for cell in row.cells)


GROUP_HEADINGS = {
    periods.MONTHLY: "Monthly KPIs",
    periods.QUARTERLY: "Quarterly KPIs",
    periods.ANNUAL: "Annual KPIs",
    periods.TERMLY: "Termly KPIs",
    periods.ACADEMIC_YEAR: "School-year KPIs",
}
GROUP_ORDER = list(GROUP_HEADINGS)


def trend_table(period: Period, *, quarter: Quarter) -> TrendTable:
    """The report's KPI table for a quarter, from a period at the quarter's last month: the
    previous financial year and the current one to the quarter's end, RAG per cell; a
    quarterly KPI in quarter columns, an annual one in year columns, beside monthly ones."""
    months = quarter.report_months()
    rows_by_frequency: dict[str, list[TrendRow]] = {}
    for item in period.positions:
        kpi = item.kpi
        if not kpi.in_kpi_table:
            continue
        due = [m for m in months if kpi.is_due_in(m)]
        cells = []
        for month in due:
            figure = item.figures.get(month)
            target = target_in_force(item.targets, month)
            if figure is None or not figure.has_figure:
                cells.append(TrendCell(month, figure, "", Rag.NO_DATA))
                continue
            outcome = judge(kpi, figure, target, item.measured_from.at(target, month))
            cells.append(TrendCell(month, figure, kpi.format_figure(figure.figure), outcome))
        last = cells[-1] if cells else None
        latest = None
        if last is not None and last.figure is not None and last.figure.has_figure:
            # A year-to-date figure starts again each April: it is compared with the same
            # point last year, never with the period before.
            before = (
                periods.add_months(last.month, -12)
                if kpi.cumulative
                else periods.previous_due(kpi.frequency, last.month)
            )
            against = periods.SAME_PERIOD_LAST_YEAR if kpi.cumulative else periods.PREVIOUS_PERIOD
            latest = compare(
                kpi,
                last.figure,
                item.figures.get(before),
                before,
                against.get(kpi.frequency, "the period before"),
            )
        last_target = target_in_force(item.targets, due[-1]) if due else None
        rows_by_frequency.setdefault(kpi.frequency, []).append(
            TrendRow(
                kpi=kpi,
                cells=tuple(cells),
                target=last_target,
                latest=latest,
                target_text=target_words(
                    kpi, last_target, item.measured_from.at(last_target, due[-1]) if due else None
                ),
            )
        )
    groups = []
    for frequency in sorted(rows_by_frequency, key=GROUP_ORDER.index):
        due = periods.due_months(frequency, months[0], months[-1])
        groups.append(
            TrendGroup(
                frequency=frequency,
                heading=GROUP_HEADINGS[frequency],
                columns=tuple(Column(m, periods.period_label(frequency, m)) for m in due),
                years=tuple(_years(due)),
                rows=tuple(rows_by_frequency[frequency]),
                comparison=periods.PREVIOUS_PERIOD[frequency],
            )
        )
    return TrendTable(quarter=quarter, groups=tuple(groups))


def _years(months: Sequence[dt.date]) -> list[tuple[FinancialYear, int]]:
    years: list[tuple[FinancialYear, int]] = []
    for month in months:
        year = FinancialYear.of(month)
        if years and years[-1][0] == year:
            years[-1] = (year, years[-1][1] + 1)
        else:
            years.append((year, 1))
    return years
