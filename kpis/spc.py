"""Statistical process control as NHS England's *Making Data Count* does it: the XmR chart.

Pure code: a series of figures in, frozen dataclasses out, every result explained in words.

- The mean and the process limits (mean ± 2.66 × the mean moving range) come from a
  baseline: the first 12 figures. With fewer than 12 figures they are "trial limits".
- A figure is a special cause when it is outside the process limits; when it is one of 7 or
  more figures in a row on one side of the mean (a figure exactly on the mean breaks the
  run); when it is one of 7 or more figures in a row each higher (or each lower) than the
  one before (an equal figure breaks the trend); or when it is beyond the 2-sigma line
  (mean ± 1.773 × the mean moving range, two thirds of the way to a limit) and is one of
  2 in 3 figures in a row beyond the same line.
- The latest figure's variation is common cause, or a special cause that is an improvement
  or a concern by the KPI's polarity (neutral for a context measure), high or low.
- Assurance against a target: the process consistently passes when the target lies
  outside the limits on the bad side, consistently fails when it lies outside them on the
  good side, and is hit and miss when it lies within them.

A missing figure (None) is "no data", never zero: it is skipped, so the moving range is
taken between the figures either side of it and it neither makes nor breaks a run.
"""

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from .polarity import Polarity

BASELINE = 12  # figures in the baseline from which the mean and limits are computed
LIMIT_FACTOR = Decimal("2.66")  # process limits: mean ± 2.66 × mean moving range
TWO_SIGMA_FACTOR = Decimal("1.773")  # 2-sigma lines: two thirds of the way to a limit
RUN = 7  # figures in a row on one side of the mean: a shift
TREND = 7  # figures in a row rising or falling: a trend

Describe = Callable[[Decimal], str]


class Side(models.TextChoices):
    HIGH = "high", "High"
    LOW = "low", "Low"


class Rule(models.TextChoices):
    OUTSIDE_LIMITS = "outside-limits", "Outside the process limits"
    SHIFT = "shift", "7 in a row on one side of the mean"
    TREND = "trend", "7 in a row rising or falling"
    TWO_OF_THREE = "two-of-three", "2 of 3 beyond the 2-sigma line"


class Variation(models.TextChoices):
    COMMON_CAUSE = "common-cause", "Common cause"
    IMPROVEMENT_HIGH = "improvement-high", "Improvement (high)"
    IMPROVEMENT_LOW = "improvement-low", "Improvement (low)"
    CONCERN_HIGH = "concern-high", "Concern (high)"
    CONCERN_LOW = "concern-low", "Concern (low)"
    NEUTRAL_HIGH = "neutral-high", "Neutral (high)"
    NEUTRAL_LOW = "neutral-low", "Neutral (low)"
    NOT_ENOUGH_DATA = "not-enough-data", "Not enough data"

    @property
    def kind(self) -> str:
        """common-cause, improvement, concern, neutral or not-enough-data."""
        return (
            self.value.rsplit("-", 1)[0] if self.value.endswith(("-high", "-low")) else self.value
        )


class Assurance(models.TextChoices):
    PASSES = "passes", "Consistently passes"
    HIT_AND_MISS = "hit-and-miss", "Hit and miss"
    FAILS = "fails", "Consistently fails"
    NO_TARGET = "no-target", "No target"
    NOT_JUDGED = "not-judged", "Not judged"
    NOT_ENOUGH_DATA = "not-enough-data", "Not enough data"


@dataclass(frozen=True)
class Limits:
    mean: Decimal
    mean_moving_range: Decimal
    lower: Decimal
    upper: Decimal
    lower_two_sigma: Decimal
    upper_two_sigma: Decimal
    baseline_size: int  # how many figures the baseline holds
    trial: bool  # fewer than BASELINE figures: trial limits

    def contains(self, value: Decimal) -> bool:
        return self.lower <= value <= self.upper


@dataclass(frozen=True)
class Point:
    value: Decimal | None
    moving_range: Decimal | None = None
    rules: tuple[Rule, ...] = ()
    side: Side | None = None  # the side of a special cause: high or low

    @property
    def special_cause(self) -> bool:
        return bool(self.rules)

    @property
    def rule_labels(self) -> list[str]:
        return [rule.label for rule in self.rules]


NO_FIGURE = Point(None)  # a month without a figure: no data, not zero
RULES = (Rule.OUTSIDE_LIMITS, Rule.SHIFT, Rule.TREND, Rule.TWO_OF_THREE)


@dataclass(frozen=True)
class Analysis:
    points: tuple[Point, ...]
    limits: Limits | None
    variation: Variation
    assurance: Assurance
    target: Decimal | None
    polarity: str
    describe: Describe = str

    # The sentences are written when read: a dashboard of hundreds of KPIs shows none.

    @property
    def variation_sentence(self) -> str:
        if self.limits is None:
            return "Not enough data for a process chart: it needs at least two figures."
        return _variation_sentence(
            self.variation, self.latest, self.limits, self.polarity, self.describe
        )

    @property
    def assurance_sentence(self) -> str:
        return _assurance_sentence(self.assurance, self.limits, self.target, self.describe)

    @property
    def limits_sentence(self) -> str:
        return _limits_sentence(self.limits, self.describe) if self.limits else ""

    @property
    def latest(self) -> Point | None:
        return next((p for p in reversed(self.points) if p.value is not None), None)

    @property
    def special_causes(self) -> int:
        return sum(point.special_cause for point in self.points)


def limits(values: Sequence[Decimal | None], *, baseline: int = BASELINE) -> Limits | None:
    """Mean and limits from the first `baseline` figures; None with fewer than two figures."""
    figures = [value for value in values if value is not None][:baseline]
    if len(figures) < 2:
        return None
    mean = sum(figures, Decimal(0)) / len(figures)
    ranges = [abs(b - a) for a, b in itertools.pairwise(figures)]
    mean_range = sum(ranges, Decimal(0)) / len(ranges)
    return Limits(
        mean=mean,
        mean_moving_range=mean_range,
        lower=mean - LIMIT_FACTOR * mean_range,
        upper=mean + LIMIT_FACTOR * mean_range,
        lower_two_sigma=mean - TWO_SIGMA_FACTOR * mean_range,
        upper_two_sigma=mean + TWO_SIGMA_FACTOR * mean_range,
        baseline_size=len(figures),
        trial=len(figures) < baseline,
    )


def analyse(
    values: Sequence[Decimal | None],
    *,
    polarity: str,
    target: Decimal | None = None,
    process: Limits | None = None,
    describe: Describe = str,
) -> Analysis:
    """Judge a series, oldest first, with the Making Data Count rules.

    `process` gives limits computed elsewhere (from the whole history's baseline) when
    `values` is only the recent part of it; by default they come from `values` itself.
    `describe` writes a value in the KPI's unit for the sentences.
    """
    found = process if process is not None else limits(values)
    if found is None:
        assurance = _no_assurance(target, polarity)
        return Analysis(
            points=tuple(Point(value) for value in values),
            limits=None,
            variation=Variation.NOT_ENOUGH_DATA,
            assurance=assurance,
            target=target,
            polarity=polarity,
            describe=describe,
        )
    points = _judge(values, found)
    latest = next((p for p in reversed(points) if p.value is not None), None)
    variation = variation_of(latest, polarity)
    assurance = _assurance(found, target, polarity)
    return Analysis(
        points=points,
        limits=found,
        variation=variation,
        assurance=assurance,
        target=target,
        polarity=polarity,
        describe=describe,
    )


def _judge(values: Sequence[Decimal | None], found: Limits) -> tuple[Point, ...]:
    # Each rule's verdict per figure present: +1 high, -1 low, 0 not met.
    figures = [value for value in values if value is not None]
    n = len(figures)
    mean = found.mean
    side = [1 if v > mean else -1 if v < mean else 0 for v in figures]  # 0: on the mean
    outside = [1 if v > found.upper else -1 if v < found.lower else 0 for v in figures]

    # Shift: RUN or more in a row on one side of the mean.
    shift = [0] * n
    for start, end, way in _runs(side):
        if way and end - start >= RUN:
            shift[start:end] = [way] * (end - start)

    # Trend: TREND or more in a row each higher (or each lower) than the one before; a
    # run of rising steps start … end-1 covers the figures start-1 … end-1.
    steps = [0] + [1 if b > a else -1 if b < a else 0 for a, b in itertools.pairwise(figures)]
    trend = [0] * n
    for start, end, way in _runs(steps):
        if way and end - start + 1 >= TREND:
            trend[start - 1 : end] = [way] * (end - start + 1)

    # Two of three in a row beyond the same 2-sigma line: those beyond it are flagged.
    beyond = [
        1 if v > found.upper_two_sigma else -1 if v < found.lower_two_sigma else 0 for v in figures
    ]
    two = [0] * n
    for first in range(n - 2):
        window = beyond[first : first + 3]
        for way in (1, -1):
            if window.count(way) >= 2:
                for offset, verdict in enumerate(window):
                    if verdict == way:
                        two[first + offset] = way

    judged = iter(zip(figures, outside, shift, trend, two, side, strict=True))
    points: list[Point] = []
    previous: Decimal | None = None
    for value in values:
        if value is None:
            points.append(NO_FIGURE)
            continue
        figure, *verdicts, mean_side = next(judged)
        moving_range = abs(figure - previous) if previous is not None else None
        previous = figure
        if not any(verdicts):
            points.append(Point(figure, moving_range))
            continue
        rules = tuple(rule for rule, verdict in zip(RULES, verdicts, strict=True) if verdict)
        ways = {verdict for verdict in verdicts if verdict}
        # Where rules disagree (a rising trend below the mean): the figure's side of the mean.
        way = ways.pop() if len(ways) == 1 else mean_side
        side_of = Side.HIGH if way > 0 else Side.LOW if way < 0 else None
        points.append(Point(figure, moving_range, rules, side_of))
    return tuple(points)


def _runs(items: Sequence[int]) -> list[tuple[int, int, int]]:
    """Maximal stretches of equal items: (start, end exclusive, item)."""
    found: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(items) + 1):
        if i == len(items) or items[i] != items[start]:
            found.append((start, i, items[start]))
            start = i
    return found


def variation_of(latest: Point | None, polarity: str) -> Variation:
    """A figure's variation: common cause, or a special cause judged by polarity."""
    if latest is None or latest.value is None:
        return Variation.NOT_ENOUGH_DATA
    if not latest.special_cause or latest.side is None:
        return Variation.COMMON_CAUSE
    high = latest.side == Side.HIGH
    if polarity == Polarity.NEITHER:
        return Variation.NEUTRAL_HIGH if high else Variation.NEUTRAL_LOW
    good = high == (polarity == Polarity.HIGHER)
    if good:
        return Variation.IMPROVEMENT_HIGH if high else Variation.IMPROVEMENT_LOW
    return Variation.CONCERN_HIGH if high else Variation.CONCERN_LOW


def _no_assurance(target: Decimal | None, polarity: str) -> Assurance:
    if polarity == Polarity.NEITHER:
        return Assurance.NOT_JUDGED
    return Assurance.NO_TARGET if target is None else Assurance.NOT_ENOUGH_DATA


def _assurance(found: Limits, target: Decimal | None, polarity: str) -> Assurance:
    if polarity == Polarity.NEITHER or target is None:
        return _no_assurance(target, polarity)
    if found.contains(target):
        return Assurance.HIT_AND_MISS
    target_is_low = target < found.lower
    # Higher is better: a target below the whole process is always met.
    passes = target_is_low == (polarity == Polarity.HIGHER)
    return Assurance.PASSES if passes else Assurance.FAILS


def _limits_sentence(found: Limits, describe: Describe) -> str:
    text = (
        f"Mean {describe(found.mean)}; process limits {describe(found.lower)} to "
        f"{describe(found.upper)}, from the first {found.baseline_size} figures."
    )
    if found.trial:
        text += (
            f" These are trial limits: a baseline needs {BASELINE} figures, and there "
            f"{'is' if found.baseline_size == 1 else 'are'} only {found.baseline_size}."
        )
    return text


def _reasons(point: Point, found: Limits, describe: Describe) -> list[str]:
    reasons = []
    high = point.side == Side.HIGH
    for rule in point.rules:
        if rule == Rule.OUTSIDE_LIMITS:
            reasons.append(
                f"above the upper process limit ({describe(found.upper)})"
                if high
                else f"below the lower process limit ({describe(found.lower)})"
            )
        elif rule == Rule.SHIFT:
            where = "above" if high else "below"
            reasons.append(
                f"one of {RUN} or more figures in a row {where} the mean ({describe(found.mean)})"
            )
        elif rule == Rule.TREND:
            way = "higher" if high else "lower"
            reasons.append(f"one of {TREND} or more figures in a row each {way} than the last")
        elif rule == Rule.TWO_OF_THREE:
            line = found.upper_two_sigma if high else found.lower_two_sigma
            reasons.append(
                f"one of 2 in 3 figures {'above' if high else 'below'} the 2-sigma line "
                f"({describe(line)})"
            )
    return reasons


def _variation_sentence(
    variation: Variation,
    latest: Point | None,
    found: Limits,
    polarity: str,
    describe: Describe,
) -> str:
    if latest is None or latest.value is None:
        return "No figure to judge."
    value = describe(latest.value)
    trial = " (trial limits)" if found.trial else ""
    if variation == Variation.COMMON_CAUSE:
        return (
            f"Common-cause variation{trial}: the latest figure, {value}, is within the process "
            f"limits ({describe(found.lower)} to {describe(found.upper)}) and meets no "
            "special-cause rule."
        )
    reasons = " and ".join(_reasons(latest, found, describe))
    high = latest.side == Side.HIGH
    if variation.kind == "neutral":
        what = f"Special-cause variation, {'high' if high else 'low'}{trial}"
        why = "a context measure, so neither direction is better"
    else:
        good = variation.kind == "improvement"
        what = f"Special-cause {'improvement' if good else 'concern'}{trial}"
        why = "higher is better" if polarity == Polarity.HIGHER else "lower is better"
    return f"{what}: the latest figure, {value}, is {reasons}; {why}."


def _assurance_sentence(
    assurance: Assurance,
    found: Limits | None,
    target: Decimal | None,
    describe: Describe,
) -> str:
    if assurance == Assurance.NOT_JUDGED:
        return "No assurance: a context measure has no target to pass or fail."
    if assurance == Assurance.NO_TARGET or target is None:
        return "No assurance: there is no target in force."
    if found is None:
        return "No assurance yet: the process limits need at least two figures."
    shown = describe(target)
    trial = " Judged against trial limits." if found.trial else ""
    if assurance == Assurance.HIT_AND_MISS:
        return (
            f"Hit and miss: the target of {shown} lies within the process limits "
            f"({describe(found.lower)} to {describe(found.upper)}), so the process will "
            f"sometimes meet it and sometimes not.{trial}"
        )
    below = target < found.lower
    where = (
        f"below the lower process limit ({describe(found.lower)})"
        if below
        else f"above the upper process limit ({describe(found.upper)})"
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
