"""Factual sentences drafted from the data, for analysts to use or edit. Pure code.

Each function takes plain values and returns one sentence in the report's register:
"The rate of children on a child protection plan has fallen since March 2022, from 49.3
to 45.5."
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from kpis.units import format_change, format_value
from sct_portal.periods import month_name

LARGE_CHANGE = Decimal("0.5")  # a change of more than half


@dataclass(frozen=True)
class Measure:
    """What a sentence needs to know of a KPI."""

    ref: str
    name: str  # as it reads inside a sentence: "rate of children on a child protection plan"
    unit: str
    decimals: int
    polarity: str

    def show(self, value: Decimal) -> str:
        return format_value(value, self.unit, self.decimals)

    @property
    def called(self) -> str:
        """KPI 1 (percentage of contacts to MASH referral timeliness)"""
        return f"KPI {self.ref} ({self.name})"


@dataclass(frozen=True)
class Point:
    month: dt.date
    value: Decimal


@dataclass(frozen=True)
class Draft:
    """A drafted sentence, with what it is about."""

    topic: str
    ref: str
    text: str


def change_since(measure: Measure, start: Point, end: Point) -> str:
    """The rate of children on a child protection plan has fallen since March 2022, from 49.3
    to 45.5."""
    subject = f"The {measure.name}"
    since = month_name(start.month)
    if end.value == start.value:
        return (
            f"{subject} was {measure.show(end.value)} in {month_name(end.month)}, "
            f"unchanged since {since}."
        )
    verb = "risen" if end.value > start.value else "fallen"
    return (
        f"{subject} has {verb} since {since}, from {measure.show(start.value)} "
        f"to {measure.show(end.value)}."
    )


def position_against_goal(
    measure: Measure, latest: Point, previous: Point | None, goal: Point
) -> str:
    """The number of children in care was 848 in June 2022, up from 844 in March 2022. The
    target for March 2023 is 796, 52 fewer than in June 2022."""
    when = month_name(latest.month)
    text = f"The {measure.name} was {measure.show(latest.value)} in {when}"
    if previous is not None and previous.value != latest.value:
        way = "up" if latest.value > previous.value else "down"
        text += f", {way} from {measure.show(previous.value)} in {month_name(previous.month)}"
    text += f". The target for {month_name(goal.month)} is {measure.show(goal.value)}"
    gap = goal.value - latest.value
    if gap:
        size = format_change(gap, measure.unit, measure.decimals)
        if measure.unit == "count":
            text += f", {size} {'more' if gap > 0 else 'fewer'} than in {when}"
        else:
            text += f", {size} {'higher' if gap > 0 else 'lower'} than in {when}"
    return text + "."


def against_benchmark(measure: Measure, point: Point, benchmark_value: Decimal, label: str) -> str:
    """In March 2022 the rate of children in care per 10,000 children was 101.7, below the
    statistical neighbour average (5 authorities) of 102.6."""
    if point.value == benchmark_value:
        relation = "the same as"
    else:
        relation = "above" if point.value > benchmark_value else "below"
    return (
        f"In {month_name(point.month)} the {measure.name} was {measure.show(point.value)}, "
        f"{relation} the {label[:1].lower() + label[1:]} of {measure.show(benchmark_value)}."
    )


def missed_target(
    measure: Measure,
    point: Point,
    target: str,
    rag_word: str,
    *,
    side: str,
    illustrative: bool = False,
) -> str:
    """KPI 1 (…) was 74.9% in June 2022, short of its target of at least 85.0% (red).

    `target` is the target as written; `side` where the figure lies (kpis.rag.side): below
    it, above it, or at an end that is not green itself ("fewer than 85" at 85). A target
    marked illustrative is not the organisation's own, and the sentence says so: "short of
    its illustrative target of …"."""
    relation = {"below": "short of", "above": "above"}.get(side, "outside")
    kind = "illustrative target" if illustrative else "target"
    return (
        f"{measure.called} was {measure.show(point.value)} in {month_name(point.month)}, "
        f"{relation} its {kind} of {target} ({rag_word.lower()})."
    )


def special_cause(measure: Measure, point: Point, variation: str, reason: str) -> str:
    """KPI 13 (…) shows special-cause variation of concern in June 2022 (45.05%): …"""
    kind = {
        "improvement": "special-cause variation of improvement",
        "concern": "special-cause variation of concern",
    }.get(variation, "special-cause variation")
    return (
        f"{measure.called} shows {kind} in {month_name(point.month)} "
        f"({measure.show(point.value)}): {reason.rstrip('.')}."
    )


def event(measure: Measure, point: Point, date: dt.date, text: str) -> str:
    """KPI 3 (…) was 84.0% in June 2022; an event is dated that month: Ofsted visit (14 June
    2022)."""
    return (
        f"{measure.called} was {measure.show(point.value)} in {month_name(point.month)}; an "
        f"event is dated then: {text.rstrip('.')} ({date.day} {date:%B %Y})."
    )


def is_large_change(previous: Decimal, current: Decimal) -> bool:
    if previous == 0:
        return current != 0
    return abs(current - previous) / abs(previous) > LARGE_CHANGE


def large_change(measure: Measure, previous: Point, current: Point) -> str:
    """KPI 5 (…) rose from 112 in May 2022 to 258 in June 2022, a change of more than half."""
    verb = "rose" if current.value > previous.value else "fell"
    return (
        f"{measure.called} {verb} from {measure.show(previous.value)} in "
        f"{month_name(previous.month)} to {measure.show(current.value)} in "
        f"{month_name(current.month)}, a change of more than half."
    )
