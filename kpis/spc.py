"""Statistical process control as NHS England's *Making Data Count* (MDC) does it.

Pure code: figures in, frozen dataclasses out, every result explained in words. The rules
are checked against two reference implementations, with their own published test cases
(tests/kpis/test_spc_reference.py): NHSRplotthedots (NHS-R Community, R) and PowerBI-SPC
(Western Australia Department of Health). Where the portal differs from one of them it
says so below, and the test says so beside the case.

Charts
- XmR (individuals): the centre line is the mean of a baseline; the process limits are
  mean ± 2.66 × the mean moving range; the 2-sigma lines lie two thirds of the way there.
- p-chart, for a percentage recorded as numerator and denominator ("34 of 45"): the centre
  is p̄ = Σ numerators ÷ Σ denominators over the baseline, and each month has its own limits,
  p̄ ± 3 √(p̄(1 − p̄) ÷ n) for its own base n (2-sigma lines ± 2 √…), as PowerBI-SPC's p chart
  (src/Limit Calculations/p.ts): a small base has wide limits.

Segments (rebasing). A series may be split at change points a person has approved; each
segment's mean and limits come from that segment's own baseline (its first BASELINE
figures, or the KPI's own baseline length), and the rules run within a segment only, as
NHSRplotthedots groups by `rebase_group` (R/ptd_spc_standard.R, R/ptd_calculate_point_type.R).
A figure can be left out of its segment's baseline, with a reason; it is still judged.
`propose_rebase` may propose a change point (a sustained shift); it never applies one.

The special-cause rules, each on the figures of one segment
- Outside the process limits: above the upper or below the lower (a figure exactly on a
  limit is inside it).
- A shift: RUN or more figures in a row on one side of the mean; a figure exactly on the
  mean breaks the run.
- A trend: TREND or more figures in a row each higher (or each lower) than the one before;
  an equal figure breaks it. A figure at the turn between two trends takes the later one,
  as NHSRplotthedots does ("use right side") and PowerBI-SPC's back-fill does.
- 2 of 3: two of three figures in a row beyond the same 2-sigma line, with ALL THREE on
  that side of the mean (NHSRplotthedots bug fix #143; MDC in NHSRplotthedots issue #194);
  figures beyond the process limit count as beyond the 2-sigma line (MDC's change of
  November 2023, issue #194; NHSRplotthedots 0.2.2 still counts only figures between the
  2-sigma line and the limit). Only the figures beyond the line are flagged. PowerBI-SPC
  does not look at the mean for this rule; the portal follows MDC.

Where rules disagree — seven rising figures all below the mean; a falling run that starts
above the upper limit — each rule keeps its own direction on the figure (a Signal), and
the figure's verdict is that of the first in PRECEDENCE: outside the limits, then a trend,
then 2 of 3, then a shift. This is NHSRplotthedots' order (the `case_when` of
`ptd_special_cause_type`), and it reads a rising trend below the mean as rising, as MDC's
tool does. PowerBI-SPC instead shows an improvement and a concern icon together; one
verdict per figure keeps the badge, the chart and the sentence in step. The sentences are
written from the signals that fired, each with its own direction.

Honest limits
- No verdict, limits or assurance from fewer than MINIMUM_FIGURES figures in a segment:
  the portal says "too few figures for SPC" instead.
- Moving ranges are not screened (MDC's Excel tools, as NHSRplotthedots'
  vignettes/deviations.Rmd describes; NHSRplotthedots screens by default, PowerBI-SPC
  optionally).
- A month without a figure (None) is no data, never zero. It breaks the moving range
  (no range is taken across it), as NHSRplotthedots' `c(NA, abs(diff(y)))` with
  `mean(mr, na.rm = TRUE)` does (R/ptd_spc_standard.R); PowerBI-SPC drops such rows and so
  bridges them (src/Functions/extractInputData.ts). For the run, trend and 2-of-3 rules a
  missing month neither makes nor breaks a run: they read the figures present.
- Limits and 2-sigma lines are clipped to what the measure can be (0% to 100% for a
  percentage, 0 for a count), as PowerBI-SPC clips p-chart limits, and the limits sentence
  says so.
- A year-to-date (cumulative) measure is not analysed: its figures build up month by month
  by construction, which the trend and shift rules would read as signals.
"""

import itertools
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import models

from .polarity import Polarity
from .units import Unit

# ---------------------------------------------------------------------------------------
# Thresholds, each with its source

# Figures in a baseline, by default: NHSRplotthedots' vignettes/number-of-points-required.Rmd
# ("calculating control limits over the first 12 points", the MDC convention).
BASELINE = 12
# The shortest baseline a KPI may choose: NHSRplotthedots refuses fix_after_n_points < 12
# (R/ptd_spc_options.R).
SHORTEST_BASELINE = 12
# Figures a segment needs before limits, verdicts and assurance are shown: NHSRplotthedots
# calls a group of fewer than 13 short, with trial limits (the default warning_threshold of
# R/ptd_add_short_group_warnings.R), and MDC's tools show limits and icons from 13 points.
MINIMUM_FIGURES = 13
# Process limits: mean ± 2.66 × mean moving range (3 sigma, 3 ÷ 1.128); the 2-sigma lines
# are two thirds of the way: R/ptd_spc_standard.R (`limit <- 2.66`, `2 * (limit / 3)`).
LIMIT_FACTOR = Decimal("2.66")
TWO_SIGMA_FACTOR = LIMIT_FACTOR * 2 / 3
# p-chart limits: p̄ ± 3 sigma, and the 2-sigma lines p̄ ± 2 sigma (PowerBI-SPC,
# src/Limit Calculations/p.ts).
P_LIMIT_SIGMAS = 3
P_TWO_SIGMAS = 2
# A shift: 7 in a row on one side of the mean (ptd_seven_point_one_side_mean).
RUN = 7
# A trend: 7 in a row each higher or each lower (ptd_seven_point_trend).
TREND = 7
# 2 of 3 in a row beyond the same 2-sigma line (ptd_two_in_three).
TWO_OF_THREE_WINDOW = 3
TWO_OF_THREE_BEYOND = 2
# A rebase is proposed after a sustained shift: a run of at least RUN figures on one side of
# the mean that the latest figure continues. NHSRplotthedots' number-of-points-required
# vignette: limits stay locked "until such time as a signal of special cause variation
# occurs - for example, a long run above or below the mean. At this point, if we understand
# the cause of the variation, we might decide to revise the limits from the start of the
# long run"; its introduction rebases where "we understand the reason for the change ... and
# believe this will be the new normal range". Hence: proposed from the run's first figure,
# approved only by a person who knows the cause.
SUSTAINED_SHIFT = RUN
PERCENT = Decimal(100)  # a p-chart is drawn in percentages

Describe = Callable[[Decimal], str]


class Side(models.TextChoices):
    HIGH = "high", "High"
    LOW = "low", "Low"


class Rule(models.TextChoices):
    OUTSIDE_LIMITS = "outside-limits", "Outside the process limits"
    SHIFT = "shift", "7 in a row on one side of the mean"
    TREND = "trend", "7 in a row rising or falling"
    TWO_OF_THREE = "two-of-three", "2 of 3 beyond the 2-sigma line"


# Where rules disagree on a figure, the first of these decides (NHSRplotthedots' order).
PRECEDENCE = (Rule.OUTSIDE_LIMITS, Rule.TREND, Rule.TWO_OF_THREE, Rule.SHIFT)


class Chart(models.TextChoices):
    XMR = "xmr", "XmR (individuals) chart"
    P = "p", "p-chart (a percentage with numerator and denominator)"


class Variation(models.TextChoices):
    COMMON_CAUSE = "common-cause", "Common cause"
    IMPROVEMENT_HIGH = "improvement-high", "Improvement (high)"
    IMPROVEMENT_LOW = "improvement-low", "Improvement (low)"
    CONCERN_HIGH = "concern-high", "Concern (high)"
    CONCERN_LOW = "concern-low", "Concern (low)"
    NEUTRAL_HIGH = "neutral-high", "Neutral (high)"
    NEUTRAL_LOW = "neutral-low", "Neutral (low)"
    NOT_ENOUGH_DATA = "not-enough-data", "Too few figures for SPC"
    NOT_ANALYSED = "not-analysed", "Not analysed"

    @property
    def kind(self) -> str:
        """common-cause, improvement, concern, neutral, not-enough-data or not-analysed."""
        return (
            self.value.rsplit("-", 1)[0] if self.value.endswith(("-high", "-low")) else self.value
        )


class Assurance(models.TextChoices):
    PASSES = "passes", "Consistently passes"
    HIT_AND_MISS = "hit-and-miss", "Hit and miss"
    FAILS = "fails", "Consistently fails"
    NO_TARGET = "no-target", "No target"
    NOT_JUDGED = "not-judged", "Not judged"
    NOT_ENOUGH_DATA = "not-enough-data", "Too few figures for SPC"
    NOT_ANALYSED = "not-analysed", "Not analysed"


# ---------------------------------------------------------------------------------------
# What goes in


@dataclass(frozen=True)
class Bounds:
    """What a measure can be: limits beyond these are clipped to them."""

    lower: Decimal | None = None
    upper: Decimal | None = None
    name: str = "the measure"  # for the sentence: "below what a count can be"

    def clip(self, value: Decimal) -> Decimal:
        if self.lower is not None and value < self.lower:
            return self.lower
        if self.upper is not None and value > self.upper:
            return self.upper
        return value


UNBOUNDED = Bounds()
NOT_NEGATIVE = Bounds(lower=Decimal(0))
PERCENTAGE = Bounds(lower=Decimal(0), upper=PERCENT, name="a percentage")


def bounds_for(unit: str) -> Bounds:
    """The bounds of a unit, as units.problems checks values: a percentage is 0 to 100; a
    count, rate, average or number of days is never negative; money may be."""
    if unit == Unit.PERCENT:
        return PERCENTAGE
    if unit == Unit.MONEY:
        return UNBOUNDED
    if unit == Unit.COUNT:
        return replace(NOT_NEGATIVE, name="a count")
    return NOT_NEGATIVE


@dataclass(frozen=True)
class Fraction:
    """A percentage as its numerator and denominator: 34 of 45."""

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        if self.denominator <= 0 or not 0 <= self.numerator <= self.denominator:
            raise ValueError(f"{self.numerator} of {self.denominator} is not a proportion")

    @property
    def percentage(self) -> Decimal:
        return PERCENT * self.numerator / self.denominator

    def __str__(self) -> str:
        return f"{self.numerator:,} of {self.denominator:,}"


@dataclass(frozen=True)
class ChangePoint:
    """A new segment starts at `start` (an index into the series), for a reason a person
    approved: `label` names it in sentences, e.g. "April 2023 (new definition)"."""

    start: int
    label: str


@dataclass(frozen=True)
class Exclusion:
    """The figure at `index` is left out of its segment's baseline, for `reason`."""

    index: int
    reason: str


# ---------------------------------------------------------------------------------------
# What comes out


@dataclass(frozen=True)
class Limits:
    """The lines that apply to a figure: the same for a whole XmR segment, the figure's own
    on a p-chart."""

    mean: Decimal
    lower: Decimal
    upper: Decimal
    lower_two_sigma: Decimal
    upper_two_sigma: Decimal
    mean_moving_range: Decimal | None = None  # XmR only
    baseline_size: int = 0  # the figures the mean (and ranges) come from
    trial: bool = False  # the baseline holds fewer figures than the baseline length asks
    calculated_lower: Decimal | None = None  # where a bound clipped a limit: as calculated
    calculated_upper: Decimal | None = None
    bounded_by: str = "the measure"  # what the bounds are of: "a percentage", "a count"
    base: int | None = None  # p-chart: the denominator these limits are for

    def contains(self, value: Decimal) -> bool:
        return self.lower <= value <= self.upper


@dataclass(frozen=True)
class Signal:
    """A rule that fired on a figure, in that rule's own direction."""

    rule: Rule
    side: Side

    @property
    def label(self) -> str:
        return f"{self.rule.label} ({self.side.label.lower()})"


@dataclass(frozen=True)
class Point:
    value: Decimal | None
    moving_range: Decimal | None = None  # None across a missing month or a change point
    signals: tuple[Signal, ...] = ()  # in PRECEDENCE order: the first decides
    segment: int = 0  # index into Analysis.segments
    limits: Limits | None = None  # None: too few figures in its segment, or not analysed
    in_baseline: bool = False
    excluded: str = ""  # why it is left out of its segment's baseline
    fraction: Fraction | None = None  # p-chart: the figure as numerator and denominator

    @property
    def special_cause(self) -> bool:
        return bool(self.signals)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(signal.rule for signal in self.signals)

    @property
    def side(self) -> Side | None:
        """The side of the deciding signal: high or low."""
        return self.signals[0].side if self.signals else None

    @property
    def rule_labels(self) -> list[str]:
        return [rule.label for rule in self.rules]

    @property
    def signal_labels(self) -> list[str]:
        return [signal.label for signal in self.signals]


@dataclass(frozen=True)
class Segment:
    """Figures start … end − 1 (indices into the series), judged against their own baseline."""

    start: int
    end: int
    label: str  # the change point that starts it; "" for the first segment
    figures: int  # figures present
    baseline: tuple[int, ...]  # indices of the figures the mean and limits come from
    excluded: tuple[Exclusion, ...] = ()
    mean: Decimal | None = None  # the centre line; None when too few figures
    limits: Limits | None = None  # XmR: the segment's limits (a p-chart's are per figure)

    @property
    def too_few(self) -> bool:
        return self.figures < MINIMUM_FIGURES


@dataclass(frozen=True)
class Proposal:
    """A change point the portal proposes, for a person to approve or reject."""

    start: int  # index of the first figure of the sustained shift
    figures: int
    side: Side
    reason: str


@dataclass(frozen=True)
class Analysis:
    points: tuple[Point, ...]
    segments: tuple[Segment, ...]
    variation: Variation
    assurance: Assurance
    target: Decimal | None
    polarity: str
    describe: Describe = str
    chart: str = Chart.XMR
    baseline_length: int = BASELINE
    not_analysed: str = ""  # why there is no SPC at all

    # The sentences are written when read: a dashboard of hundreds of KPIs shows none.

    @property
    def latest(self) -> Point | None:
        return next((p for p in reversed(self.points) if p.value is not None), None)

    @property
    def latest_segment(self) -> Segment | None:
        latest = self.latest
        return self.segments[latest.segment] if latest and self.segments else None

    @property
    def limits(self) -> Limits | None:
        """The limits that apply to the latest figure."""
        latest = self.latest
        return latest.limits if latest else None

    @property
    def special_causes(self) -> int:
        return sum(point.special_cause for point in self.points)

    @property
    def variation_sentence(self) -> str:
        if self.not_analysed:
            return f"Not analysed: {self.not_analysed}."
        latest = self.latest
        if latest is None:
            return "No figure to judge."
        if latest.limits is None:
            return self._too_few_sentence()
        return _variation_sentence(self, latest, latest.limits)

    @property
    def assurance_sentence(self) -> str:
        return _assurance_sentence(self)

    @property
    def limits_sentence(self) -> str:
        found, segment = self.limits, self.latest_segment
        if found is None or segment is None or self.not_analysed:
            return ""
        return _limits_sentence(self, found, segment)

    def _too_few_sentence(self) -> str:
        segment = self.latest_segment
        count = segment.figures if segment else 0
        there = f"there {'is' if count == 1 else 'are'} only {count}"
        if segment is not None and not segment.too_few:
            return (
                "Too few figures for SPC: no two figures of its baseline are in consecutive "
                "months, so there is no moving range to set the limits from."
            )
        if segment is not None and segment.label:
            return (
                f"Too few figures for SPC with limits from {segment.label}: the new "
                f"process needs at least {MINIMUM_FIGURES} figures of its own for limits and "
                f"a verdict, and {there}."
            )
        return (
            f"Too few figures for SPC: process limits and a verdict need at least "
            f"{MINIMUM_FIGURES} figures, and {there}."
        )


# ---------------------------------------------------------------------------------------
# The rules, on the figures of one segment (no missing months): +1 high, −1 low, 0 not met


def _sign(value: Decimal) -> int:
    return 1 if value > 0 else -1 if value < 0 else 0


def _runs(items: Sequence[int]) -> list[tuple[int, int, int]]:
    """Maximal stretches of equal items: (start, end exclusive, item)."""
    found: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(items) + 1):
        if i == len(items) or items[i] != items[start]:
            found.append((start, i, items[start]))
            start = i
    return found


def outside_limits(
    values: Sequence[Decimal], lower: Sequence[Decimal], upper: Sequence[Decimal]
) -> list[int]:
    """Above the upper limit (+1) or below the lower (−1); on a limit is inside."""
    return [
        1 if v > hi else -1 if v < lo else 0 for v, lo, hi in zip(values, lower, upper, strict=True)
    ]


def shifts(values: Sequence[Decimal], centre: Sequence[Decimal], *, length: int = RUN) -> list[int]:
    """`length` or more figures in a row on one side of the centre line."""
    side = [_sign(v - c) for v, c in zip(values, centre, strict=True)]
    found = [0] * len(values)
    for start, end, way in _runs(side):
        if way and end - start >= length:
            found[start:end] = [way] * (end - start)
    return found


def trends(values: Sequence[Decimal], *, length: int = TREND) -> list[int]:
    """`length` or more figures in a row each higher (+1) or each lower (−1) than the one
    before. A run of rising steps start … end − 1 covers the figures start − 1 … end − 1;
    a figure where one trend turns into another takes the later one."""
    steps = [0] + [_sign(b - a) for a, b in itertools.pairwise(values)]
    found = [0] * len(values)
    for start, end, way in _runs(steps):
        if way and end - start + 1 >= length:
            found[start - 1 : end] = [way] * (end - start + 1)
    return found


def two_of_three(
    values: Sequence[Decimal],
    centre: Sequence[Decimal],
    lower_two_sigma: Sequence[Decimal],
    upper_two_sigma: Sequence[Decimal],
) -> list[int]:
    """Two of three figures in a row beyond the same 2-sigma line (a figure beyond the
    process limit counts), all three on that side of the centre line; the figures beyond
    the line are flagged."""
    beyond = [
        1 if v > hi else -1 if v < lo else 0
        for v, lo, hi in zip(values, lower_two_sigma, upper_two_sigma, strict=True)
    ]
    side = [_sign(v - c) for v, c in zip(values, centre, strict=True)]
    found = [0] * len(values)
    for first in range(len(values) - TWO_OF_THREE_WINDOW + 1):
        window = range(first, first + TWO_OF_THREE_WINDOW)
        for way in (1, -1):
            if sum(beyond[i] == way for i in window) >= TWO_OF_THREE_BEYOND and all(
                side[i] == way for i in window
            ):
                for i in window:
                    if beyond[i] == way:
                        found[i] = way
    return found


def signals(
    *, outside: int = 0, trend: int = 0, two: int = 0, shift: int = 0
) -> tuple[Signal, ...]:
    """The rules that fired on a figure, each in its own direction, in PRECEDENCE order."""
    verdicts = {
        Rule.OUTSIDE_LIMITS: outside,
        Rule.TREND: trend,
        Rule.TWO_OF_THREE: two,
        Rule.SHIFT: shift,
    }
    return tuple(
        Signal(rule, Side.HIGH if verdicts[rule] > 0 else Side.LOW)
        for rule in PRECEDENCE
        if verdicts[rule]
    )


def _judge(values: Sequence[Decimal], lines: Sequence[Limits]) -> list[tuple[Signal, ...]]:
    centre = [line.mean for line in lines]
    found_outside = outside_limits(values, [x.lower for x in lines], [x.upper for x in lines])
    found_trend = trends(values)
    found_two = two_of_three(
        values, centre, [x.lower_two_sigma for x in lines], [x.upper_two_sigma for x in lines]
    )
    found_shift = shifts(values, centre)
    return [
        signals(outside=o, trend=t, two=w, shift=s)
        for o, t, w, s in zip(found_outside, found_trend, found_two, found_shift, strict=True)
    ]


# ---------------------------------------------------------------------------------------
# Limits


def _clipped(value: Decimal, bounds: Bounds) -> tuple[Decimal, Decimal | None]:
    shown = bounds.clip(value)
    return shown, (value if shown != value else None)


def _lines(
    mean: Decimal,
    limit: Decimal,
    two_sigma: Decimal,
    bounds: Bounds,
    *,
    baseline_size: int,
    trial: bool,
    mean_moving_range: Decimal | None = None,
    base: int | None = None,
) -> Limits:
    """Limits at mean ± limit and 2-sigma lines at mean ± two_sigma, clipped to `bounds`."""
    lower, calculated_lower = _clipped(mean - limit, bounds)
    upper, calculated_upper = _clipped(mean + limit, bounds)
    return Limits(
        mean=mean,
        lower=lower,
        upper=upper,
        lower_two_sigma=bounds.clip(mean - two_sigma),
        upper_two_sigma=bounds.clip(mean + two_sigma),
        mean_moving_range=mean_moving_range,
        baseline_size=baseline_size,
        trial=trial,
        calculated_lower=calculated_lower,
        calculated_upper=calculated_upper,
        bounded_by=bounds.name,
        base=base,
    )


def _baseline(values: Sequence[object], excluded: Collection[int], length: int) -> list[int]:
    """The indices of the first `length` figures present and not excluded."""
    present = [i for i, v in enumerate(values) if v is not None and i not in excluded]
    return present[:length]


def limits(
    values: Sequence[Decimal | None],
    *,
    baseline: int = BASELINE,
    excluded: Collection[int] = (),
    bounds: Bounds = UNBOUNDED,
) -> Limits | None:
    """The XmR limits of one segment, oldest first: from its first `baseline` figures,
    leaving out the `excluded` indices, with moving ranges only between figures of
    consecutive months (a missing or excluded month breaks the range; none is screened out).
    None when the baseline has no moving range. Whether there are enough figures to show
    them is `analyse`'s question (MINIMUM_FIGURES)."""
    figure = {i: v for i in _baseline(values, excluded, baseline) if (v := values[i]) is not None}
    ranges = [abs(v - figure[i - 1]) for i, v in figure.items() if i - 1 in figure]
    if not ranges:
        return None
    mean = sum(figure.values(), Decimal(0)) / len(figure)
    mean_range = sum(ranges, Decimal(0)) / len(ranges)
    return _lines(
        mean,
        LIMIT_FACTOR * mean_range,
        TWO_SIGMA_FACTOR * mean_range,
        bounds,
        mean_moving_range=mean_range,
        baseline_size=len(figure),
        trial=len(figure) < baseline,
    )


def p_limits(
    fractions: Sequence[Fraction | None],
    *,
    baseline: int = BASELINE,
    excluded: Collection[int] = (),
) -> list[Limits | None]:
    """Each figure's p-chart limits, in percentages, from the centre p̄ of the segment's
    first `baseline` fractions (leaving out the `excluded` indices); None where a month has
    no fraction or the baseline has none."""
    chosen = _baseline(fractions, excluded, baseline)
    taken = [f for i in chosen if (f := fractions[i]) is not None]
    total = sum(f.denominator for f in taken)
    if not total:
        return [None] * len(fractions)
    centre = Decimal(sum(f.numerator for f in taken)) / total
    spread = centre * (1 - centre)
    found: list[Limits | None] = []
    for fraction in fractions:
        if fraction is None:
            found.append(None)
            continue
        sigma = (spread / fraction.denominator).sqrt()
        found.append(
            _lines(
                PERCENT * centre,
                PERCENT * P_LIMIT_SIGMAS * sigma,
                PERCENT * P_TWO_SIGMAS * sigma,
                PERCENTAGE,
                baseline_size=len(taken),
                trial=len(taken) < baseline,
                base=fraction.denominator,
            )
        )
    return found


# ---------------------------------------------------------------------------------------
# The analysis


def analyse(
    values: Sequence[Decimal | None],
    *,
    polarity: str,
    target: Decimal | None = None,
    describe: Describe = str,
    chart: str = Chart.XMR,
    fractions: Sequence[Fraction | None] = (),
    change_points: Sequence[ChangePoint] = (),
    excluded: Sequence[Exclusion] = (),
    baseline: int = BASELINE,
    bounds: Bounds = UNBOUNDED,
    year_to_date: bool = False,
    process: Limits | None = None,
) -> Analysis:
    """Judge a series, oldest first, one value per month the KPI is due (None: no figure).

    - `chart`: Chart.XMR, or Chart.P with `fractions` (one per month, None where there is
      none); a p-chart judges the fractions' percentages. An XmR chart may be given them
      too, so that its sentences state small bases ("75.6% (34 of 45)").
    - `change_points`: where approved new segments start; `excluded`: figures left out of
      their segment's baseline; `baseline`: the figures in each baseline (at least
      SHORTEST_BASELINE).
    - `bounds`: what the measure can be (`bounds_for(unit)`); limits beyond are clipped.
    - `year_to_date`: a cumulative measure, not analysed.
    - `process`: XmR limits computed elsewhere from the whole history's baseline, when
      `values` is only the recent part of a one-segment series the caller knows has at
      least MINIMUM_FIGURES figures (the overview).
    - `describe` writes a value in the KPI's unit for the sentences.
    """
    _check(values, chart, fractions, change_points, excluded, baseline, process)
    plain = Analysis(
        points=tuple(Point(value) for value in values),
        segments=(),
        variation=Variation.NOT_ANALYSED,
        assurance=Assurance.NOT_ANALYSED,
        target=target,
        polarity=polarity,
        describe=describe,
        chart=chart,
        baseline_length=baseline,
    )
    if year_to_date:
        return replace(plain, not_analysed=YEAR_TO_DATE)
    if chart == Chart.P and (missing := _without_fraction(values, fractions)):
        return replace(
            plain,
            not_analysed=f"a p-chart needs every figure's numerator and denominator, and "
            f"{missing} of the figures {'has' if missing == 1 else 'have'} none",
        )
    series: list[Decimal | None] = (
        [f.percentage if f else None for f in fractions] if chart == Chart.P else list(values)
    )
    if process is not None:
        segments = [_given(series, process)]
    else:
        segments = _segments(series, fractions, chart, change_points, excluded, baseline, bounds)
    points = tuple(
        itertools.chain.from_iterable(
            _points(series, fractions, lined, number) for number, lined in enumerate(segments)
        )
    )
    latest = next((p for p in reversed(points) if p.value is not None), None)
    return replace(
        plain,
        points=points,
        segments=tuple(segment for segment, _ in segments),
        variation=variation_of(latest, polarity),
        assurance=assurance_of(latest.limits if latest else None, target, polarity),
    )


YEAR_TO_DATE = (
    "a year-to-date measure, whose figures build up month by month, so the SPC rules would "
    "read the build-up as a signal"
)


def _check(
    values: Sequence[Decimal | None],
    chart: str,
    fractions: Sequence[Fraction | None],
    change_points: Sequence[ChangePoint],
    excluded: Sequence[Exclusion],
    baseline: int,
    process: Limits | None,
) -> None:
    if baseline < SHORTEST_BASELINE:
        raise ValueError(f"a baseline needs at least {SHORTEST_BASELINE} figures, not {baseline}")
    if (chart == Chart.P or fractions) and len(fractions) != len(values):
        raise ValueError("fractions must be one (or None) for each month")
    starts = [point.start for point in change_points]
    if len(set(starts)) != len(starts) or any(not 0 < s < len(values) for s in starts):
        raise ValueError(f"change points must start within the series, once each: {starts}")
    if any(not 0 <= e.index < len(values) for e in excluded):
        raise ValueError("an excluded figure must be within the series")
    if process is not None and (change_points or excluded or chart != Chart.XMR):
        raise ValueError("limits given from elsewhere are for one XmR segment")


def _without_fraction(
    values: Sequence[Decimal | None], fractions: Sequence[Fraction | None]
) -> int:
    return sum(v is not None and f is None for v, f in zip(values, fractions, strict=True))


# A segment and the limits of each of its months.
Lined = tuple[Segment, list[Limits | None]]


def _given(series: Sequence[Decimal | None], process: Limits) -> Lined:
    figures = sum(v is not None for v in series)
    segment = Segment(0, len(series), "", figures, (), (), process.mean, process)
    return segment, [process] * len(series)


def _segments(
    series: Sequence[Decimal | None],
    fractions: Sequence[Fraction | None],
    chart: str,
    change_points: Sequence[ChangePoint],
    excluded: Sequence[Exclusion],
    baseline: int,
    bounds: Bounds,
) -> list[Lined]:
    starts = sorted(change_points, key=lambda point: point.start)
    bounds_at = [0, *(p.start for p in starts), len(series)]
    labels = ["", *(p.label for p in starts)]
    found: list[Lined] = []
    for (start, end), label in zip(itertools.pairwise(bounds_at), labels, strict=True):
        part = series[start:end]
        own = tuple(e for e in excluded if start <= e.index < end)
        left_out = {e.index - start for e in own}
        figures = sum(v is not None for v in part)
        chosen = tuple(start + i for i in _baseline(part, left_out, baseline))
        lines: list[Limits | None] = [None] * len(part)
        whole: Limits | None = None
        if figures >= MINIMUM_FIGURES and chart == Chart.P:
            lines = p_limits(fractions[start:end], baseline=baseline, excluded=left_out)
        elif figures >= MINIMUM_FIGURES:
            whole = limits(part, baseline=baseline, excluded=left_out, bounds=bounds)
            lines = [whole] * len(part)
        mean = next((line.mean for line in lines if line is not None), None)
        segment = Segment(start, end, label, figures, chosen, own, mean, whole)
        found.append((segment, lines))
    return found


def _points(
    series: Sequence[Decimal | None],
    fractions: Sequence[Fraction | None],
    lined: Lined,
    number: int,
) -> list[Point]:
    segment, lines = lined
    part = series[segment.start : segment.end]
    present = [i for i, v in enumerate(part) if v is not None]
    judged: dict[int, tuple[Signal, ...]] = {}
    if present and all(lines[i] is not None for i in present):
        figures = [v for v in part if v is not None]
        found = _judge(figures, [line for i in present if (line := lines[i]) is not None])
        judged = dict(zip(present, found, strict=True))
    reasons = {e.index: e.reason for e in segment.excluded}
    points: list[Point] = []
    for i, value in enumerate(part):
        index = segment.start + i
        if value is None:
            points.append(Point(None, segment=number, limits=lines[i]))
            continue
        before = part[i - 1] if i > 0 else None
        points.append(
            Point(
                value,
                moving_range=abs(value - before) if before is not None else None,
                signals=judged.get(i, ()),
                segment=number,
                limits=lines[i],
                in_baseline=index in segment.baseline,
                excluded=reasons.get(index, ""),
                fraction=fractions[index] if fractions else None,
            )
        )
    return points


def variation_of(point: Point | None, polarity: str) -> Variation:
    """A figure's variation: common cause, or a special cause judged by polarity from its
    deciding signal; too few figures where it has no limits."""
    if point is None or point.value is None or point.limits is None:
        return Variation.NOT_ENOUGH_DATA
    if point.side is None:
        return Variation.COMMON_CAUSE
    high = point.side == Side.HIGH
    if polarity == Polarity.NEITHER:
        return Variation.NEUTRAL_HIGH if high else Variation.NEUTRAL_LOW
    good = high == (polarity == Polarity.HIGHER)
    if good:
        return Variation.IMPROVEMENT_HIGH if high else Variation.IMPROVEMENT_LOW
    return Variation.CONCERN_HIGH if high else Variation.CONCERN_LOW


def assurance_of(found: Limits | None, target: Decimal | None, polarity: str) -> Assurance:
    """Against the limits of the latest figure: a target outside them on the bad side is
    always met (passes), on the good side never (fails); within them, or on one, hit and
    miss (NHSRplotthedots' ptd_calculate_assurance_type; PowerBI-SPC's assuranceIconToDraw)."""
    if polarity == Polarity.NEITHER:
        return Assurance.NOT_JUDGED
    if target is None:
        return Assurance.NO_TARGET
    if found is None:
        return Assurance.NOT_ENOUGH_DATA
    if found.contains(target):
        return Assurance.HIT_AND_MISS
    # Higher is better: a target below the whole process is always met.
    passes = (target < found.lower) == (polarity == Polarity.HIGHER)
    return Assurance.PASSES if passes else Assurance.FAILS


def propose_rebase(analysis: Analysis) -> Proposal | None:
    """A change point to propose, by SUSTAINED_SHIFT: the latest figure continues a run of
    at least that many figures on one side of its segment's mean; proposed from the run's
    first figure. None when there is nothing to propose. Only a person applies one."""
    present = [i for i, point in enumerate(analysis.points) if point.value is not None]
    segment = analysis.latest_segment
    if not present or segment is None or analysis.not_analysed:
        return None
    latest = analysis.points[present[-1]]
    shift = next((s for s in latest.signals if s.rule == Rule.SHIFT), None)
    if shift is None:
        return None
    way = 1 if shift.side == Side.HIGH else -1
    run: list[int] = []
    for index in reversed([i for i in present if i >= segment.start]):
        point = analysis.points[index]
        assert point.value is not None
        if point.limits is None or _sign(point.value - point.limits.mean) != way:
            break
        run.append(index)
    start = run[-1]
    if start == segment.start or len(run) < SUSTAINED_SHIFT:
        return None
    mean = analysis.describe(latest.limits.mean) if latest.limits else ""
    where = "above" if shift.side == Side.HIGH else "below"
    reason = (
        f"{len(run)} figures in a row {where} the mean of {mean}, from this month to the "
        "latest: a sustained shift. If its cause is known and expected to last, the limits "
        "may be recalculated from here."
    )
    return Proposal(start=start, figures=len(run), side=shift.side, reason=reason)


# ---------------------------------------------------------------------------------------
# The sentences


def _figure(point: Point, describe: Describe) -> str:
    assert point.value is not None
    fraction = f" ({point.fraction})" if point.fraction else ""
    return f"{describe(point.value)}{fraction}"


def _base(found: Limits) -> str:
    return f" for a base of {found.base:,}" if found.base else ""


def _range(found: Limits, describe: Describe) -> str:
    return f"{describe(found.lower)} to {describe(found.upper)}{_base(found)}"


def _reason(signal: Signal, found: Limits, describe: Describe) -> str:
    high = signal.side == Side.HIGH
    where = "above" if high else "below"
    if signal.rule == Rule.OUTSIDE_LIMITS:
        return (
            f"above the upper process limit ({describe(found.upper)})"
            if high
            else f"below the lower process limit ({describe(found.lower)})"
        )
    if signal.rule == Rule.SHIFT:
        return f"one of {RUN} or more figures in a row {where} the mean ({describe(found.mean)})"
    if signal.rule == Rule.TREND:
        way = "higher" if high else "lower"
        return f"one of {TREND} or more figures in a row each {way} than the last"
    line = found.upper_two_sigma if high else found.lower_two_sigma
    return (
        f"one of 2 of 3 figures in a row beyond the {'upper' if high else 'lower'} 2-sigma "
        f"line ({describe(line)}), all three {where} the mean"
    )


DISAGREEING = (
    "where rules disagree, the first of these decides: outside the process limits, a trend, "
    "2 of 3 beyond a 2-sigma line, a run on one side of the mean"
)


def _variation_sentence(analysis: Analysis, latest: Point, found: Limits) -> str:
    describe, variation = analysis.describe, analysis.variation
    value = _figure(latest, describe)
    trial = " (trial limits)" if found.trial else ""
    if variation == Variation.COMMON_CAUSE:
        return (
            f"Common-cause variation{trial}: the latest figure, {value}, is within the process "
            f"limits ({_range(found, describe)}) and meets no special-cause rule."
        )
    deciding = latest.signals[0]
    agree = [_reason(s, found, describe) for s in latest.signals if s.side == deciding.side]
    against = [_reason(s, found, describe) for s in latest.signals if s.side != deciding.side]
    if variation.kind == "neutral":
        high = deciding.side == Side.HIGH
        what = f"Special-cause variation, {'high' if high else 'low'}{trial}"
        why = "a context measure, so neither direction is better"
    else:
        good = variation.kind == "improvement"
        what = f"Special-cause {'improvement' if good else 'concern'}{trial}"
        why = "higher is better" if analysis.polarity == Polarity.HIGHER else "lower is better"
    text = f"{what}: the latest figure, {value}, is {' and '.join(agree)}; {why}."
    if against:
        text += f" It is also {' and '.join(against)}, which points the other way; {DISAGREEING}."
    return text


def _limits_sentence(analysis: Analysis, found: Limits, segment: Segment) -> str:
    describe = analysis.describe
    since = " since then" if segment.label else ""
    left = ""
    if segment.excluded:
        count = len(segment.excluded)
        reasons = "; ".join(e.reason for e in segment.excluded)
        left = f", leaving out {count} figure{'s' if count != 1 else ''} ({reasons})"
    first = f"from the first {found.baseline_size} figures{since}{left}"
    # After a change point a person approved the sentence names it first ("limits from April
    # 2023 (new definition from April 2023)"), so the limits are never read as the old ones.
    reset = f"Limits from {segment.label}. " if segment.label else ""
    if analysis.chart == Chart.P:
        text = (
            f"{reset}Mean {describe(found.mean)}, {first}; the process limits vary with each "
            f"month's base: {_range(found, describe)}, the latest figure's."
        )
    else:
        text = (
            f"{reset}Mean {describe(found.mean)}; process limits {describe(found.lower)} to "
            f"{describe(found.upper)}, {first}."
        )
    if found.calculated_lower is not None:
        text += (
            f" The lower limit as calculated, {describe(found.calculated_lower)}, is below what "
            f"{found.bounded_by} can be, so it is shown at {describe(found.lower)}."
        )
    if found.calculated_upper is not None:
        text += (
            f" The upper limit as calculated, {describe(found.calculated_upper)}, is above what "
            f"{found.bounded_by} can be, so it is shown at {describe(found.upper)}."
        )
    if found.trial:
        count = found.baseline_size
        text += (
            f" These are trial limits: the baseline is set at {analysis.baseline_length} "
            f"figures, and there {'is' if count == 1 else 'are'} only {count}."
        )
    return text


def _assurance_sentence(analysis: Analysis) -> str:
    assurance, found, target = analysis.assurance, analysis.limits, analysis.target
    describe = analysis.describe
    if assurance == Assurance.NOT_ANALYSED:
        return f"No assurance: not analysed, {analysis.not_analysed}."
    if assurance == Assurance.NOT_JUDGED:
        return "No assurance: a context measure has no target to pass or fail."
    if assurance == Assurance.NO_TARGET or target is None:
        return "No assurance: there is no target in force."
    if found is None:
        return "No assurance yet: too few figures for SPC."
    shown = describe(target)
    trial = " Judged against trial limits." if found.trial else ""
    if assurance == Assurance.HIT_AND_MISS:
        return (
            f"Hit and miss: the target of {shown} lies within the process limits "
            f"({_range(found, describe)}), so the process will sometimes meet it and "
            f"sometimes not.{trial}"
        )
    where = (
        f"below the lower process limit ({describe(found.lower)}{_base(found)})"
        if target < found.lower
        else f"above the upper process limit ({describe(found.upper)}{_base(found)})"
    )
    if assurance == Assurance.PASSES:
        return (
            f"Consistently passes: the target of {shown} is {where}, so the process will "
            f"meet it unless the process changes.{trial}"
        )
    return (
        f"Consistently fails: the target of {shown} is {where}, so the process will not "
        f"meet it without a change to the process.{trial}"
    )
