"""Red/amber/green against a target as councils write it. Pure code.

A target is a rule: a comparison with a value (or two, for a range), and optionally an amber
band. The values are fixed, or relative to a reference the caller resolves and passes in: a
benchmark (the statistical-neighbour mean or median, the region, England) or the KPI's own
figure at a starting month ("an additional 800"); a relative rule's values are amounts added
to that reference (0 for the reference itself, negative for below it).

How the ends behave, as councils' frameworks write them:

- "at least 45%" and "at most 20" include the target: 45% is green.
- "more than 85" and "fewer than 85" ("less than 22%") do not: 85 is not green.
- "between 15 and 20" includes both ends: 15 and 20 are green, 14.99 and 20.01 are not.
  (No council framework read writes an open range, so the ends are not configurable.)
- The amber band includes its outer limit, given either as a distance from the target
  ("amber within 5 points": at least 85 makes 80 amber and 79.9 red) or as a floor or
  ceiling value ("target 45%, tolerance 40": 40% is amber, 39.3% red). A range takes its
  amber band as a distance beyond each end.

Green meets the rule; amber misses it within the band; red misses it by more. A relative
target whose reference is missing is not judged, and says why: never a silent green.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from .units import Unit, format_change, format_value, places


class Rag(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"
    NO_TARGET = "no-target", "No target"
    NOT_JUDGED = "not-judged", "Not judged"
    NO_DATA = "no-data", "No data"
    # A relative target whose reference is missing for the period: not judged, and why.
    NO_BENCHMARK = "no-benchmark", "Not judged: no benchmark"
    NO_BASELINE = "no-baseline", "Not judged: no starting figure"


class Comparison(models.TextChoices):
    AT_LEAST = "at-least", "At least (the target or more is green)"
    MORE_THAN = "more-than", "More than (strictly above the target is green)"
    AT_MOST = "at-most", "At most (the target or less is green)"
    FEWER_THAN = "fewer-than", "Fewer than / less than (strictly below the target is green)"
    BETWEEN = "between", "Between two values (both ends are green)"


class Basis(models.TextChoices):
    FIXED = "fixed", "Fixed values"
    BENCHMARK = "benchmark", "A benchmark (statistical neighbours, region or England)"
    OWN_FIGURE = "own-figure", "The KPI's own figure at a starting month"


class Amber(models.TextChoices):
    NONE = "none", "No amber band"
    DISTANCE = "distance", "A distance from the target"
    LIMIT = "limit", "A floor or ceiling value"


UNJUDGED = (Rag.NO_BENCHMARK, Rag.NO_BASELINE)  # a relative target without its reference
HIGHER_IS_GREEN = (Comparison.AT_LEAST, Comparison.MORE_THAN)
LOWER_IS_GREEN = (Comparison.AT_MOST, Comparison.FEWER_THAN)


@dataclass(frozen=True)
class Stated:
    """A status the organisation states itself (its own RAG and/or words, and why), shown as
    stated, never mistaken for a derived RAG."""

    rag: str = ""  # green, amber, red, or ""
    words: str = ""
    reason: str = ""

    @property
    def text(self) -> str:
        """Amber: potential concern"""
        label = {"green": "Green", "amber": "Amber", "red": "Red"}.get(self.rag, "")
        return ": ".join(part for part in (label, self.words) if part)

    @property
    def said(self) -> str:
        """Amber: potential concern — performance board, 5 July (as a report prints it)."""
        return f"{self.text} — {self.reason}" if self.reason else self.text


@dataclass(frozen=True)
class Rule:
    """A target as written. `value` is the target (a range's lower end) and `upper` a range's
    upper end; `amber_value` is the distance, or the floor or ceiling. For a relative rule
    every value except a distance is an amount added to the reference, which `reference`
    names in words ("the statistical-neighbour average")."""

    comparison: str
    value: Decimal
    upper: Decimal | None = None
    amber: str = Amber.NONE
    amber_value: Decimal | None = None
    basis: str = Basis.FIXED
    reference: str = ""


@dataclass(frozen=True)
class Bounds:
    """A rule's numbers once its reference is known. Green from `low` to `high` (None: no
    end on that side), each end included or not; amber from `amber_low` up to `low` and from
    `high` up to `amber_high`, the amber limits included (None: no amber on that side)."""

    low: Decimal | None
    high: Decimal | None
    low_included: bool = True
    high_included: bool = True
    amber_low: Decimal | None = None
    amber_high: Decimal | None = None

    def is_green(self, value: Decimal) -> bool:
        if self.low is not None and (
            value < self.low or (value == self.low and not self.low_included)
        ):
            return False
        return self.high is None or value < self.high or (value == self.high and self.high_included)

    def is_amber(self, value: Decimal) -> bool:
        """Within the amber band (for a value that is not green)."""
        if (
            self.low is not None
            and self.amber_low is not None
            and self.amber_low <= value <= self.low
        ):
            return True
        return (
            self.high is not None
            and self.amber_high is not None
            and self.high <= value <= self.amber_high
        )


def bounds(rule: Rule, *, reference: Decimal | None = None) -> Bounds | None:
    """The rule's numbers, or None when it is relative and the reference is missing."""
    if rule.basis != Basis.FIXED and reference is None:
        return None
    base = reference if rule.basis != Basis.FIXED and reference is not None else Decimal(0)
    target = base + rule.value
    distance = rule.amber_value if rule.amber == Amber.DISTANCE else None
    limit = (
        base + rule.amber_value
        if rule.amber == Amber.LIMIT and rule.amber_value is not None
        else None
    )
    if rule.comparison == Comparison.BETWEEN:
        assert rule.upper is not None, "a range has two ends"
        upper = base + rule.upper
        return Bounds(
            low=target,
            high=upper,
            amber_low=target - distance if distance is not None else None,
            amber_high=upper + distance if distance is not None else None,
        )
    if rule.comparison in HIGHER_IS_GREEN:
        floor = target - distance if distance is not None else limit
        return Bounds(
            low=target,
            high=None,
            low_included=rule.comparison == Comparison.AT_LEAST,
            amber_low=floor,
        )
    ceiling = target + distance if distance is not None else limit
    return Bounds(
        low=None,
        high=target,
        high_included=rule.comparison == Comparison.AT_MOST,
        amber_high=ceiling,
    )


def missing_reference(rule: Rule) -> Rag:
    """The outcome for a relative rule whose reference is missing."""
    return Rag.NO_BENCHMARK if rule.basis == Basis.BENCHMARK else Rag.NO_BASELINE


def judge(value: Decimal | None, rule: Rule, *, reference: Decimal | None = None) -> Rag:
    """Green, amber or red for `value` by `rule`; `reference` is the benchmark or the
    starting figure a relative rule is measured from (resolved by the caller)."""
    if value is None:
        return Rag.NO_DATA
    found = bounds(rule, reference=reference)
    if found is None:
        return missing_reference(rule)
    if found.is_green(value):
        return Rag.GREEN
    if found.is_amber(value):
        return Rag.AMBER
    return Rag.RED


def side(value: Decimal, rule: Rule, *, reference: Decimal | None = None) -> str:
    """Where a figure that misses its target lies: "below" it, "above" it, or "at" an end
    that is not green itself (fewer than 85 at 85); "" when it meets it or cannot be told."""
    found = bounds(rule, reference=reference)
    if found is None or found.is_green(value):
        return ""
    if found.low is not None and value < found.low:
        return "below"
    if found.high is not None and value > found.high:
        return "above"
    return "at"


def target_value(
    rule: Rule, *, reference: Decimal | None = None, higher_is_better: bool = True
) -> Decimal | None:
    """The one value a process is assured against (SPC): the target's edge; for a range,
    the end the KPI's polarity cares about (the lower end when higher is better)."""
    found = bounds(rule, reference=reference)
    if found is None:
        return None
    if rule.comparison == Comparison.BETWEEN:
        return found.low if higher_is_better else found.high
    return found.low if found.low is not None else found.high


def explain(outcome: Rag) -> str:
    """The RAG outcome in words, for the page and for screen readers."""
    return {
        Rag.GREEN: "meets its target",
        Rag.AMBER: "misses its target, within the amber band",
        Rag.RED: "misses its target, beyond any amber band",
        Rag.NO_TARGET: "has no target in force",
        Rag.NOT_JUDGED: "is a context measure, not judged against a target",
        Rag.NO_DATA: "has no figure to judge",
        Rag.NO_BENCHMARK: "not judged: no benchmark for the period",
        Rag.NO_BASELINE: "not judged: no figure for the starting month",
    }[outcome]


# ---------------------------------------------------------------------------------------
# The rule in words


def number(value: Decimal, unit: str, decimals: int) -> str:
    """A value of the rule, never rounded: a boundary shown as 22 when it is 22.5 would
    misstate the rule."""
    return format_value(value, unit, max(decimals, min(places(value), 4)))


def _amount(
    rule: Rule, amount: Decimal, unit: str, decimals: int, reference: Decimal | None
) -> str:
    """A value of the rule in words: "45%", or "the statistical-neighbour average plus 2.0
    percentage points"; with the reference resolved, the number it comes to."""
    if rule.basis == Basis.FIXED:
        return number(amount, unit, decimals)
    if reference is not None:
        return number(reference + amount, unit, decimals)
    if amount == 0:
        return rule.reference
    size = format_change(amount, unit, max(decimals, min(places(amount), 4)))
    return f"{rule.reference} {'plus' if amount > 0 else 'minus'} {size}"


@dataclass(frozen=True)
class _Words:
    """The rule's values in words: the target, a range's upper end, the amber limits."""

    low: str
    high: str
    amber_low: str
    amber_high: str


def _words(rule: Rule, unit: str, decimals: int, reference: Decimal | None = None) -> _Words:
    def say(amount: Decimal | None) -> str:
        return "" if amount is None else _amount(rule, amount, unit, decimals, reference)

    distance = rule.amber_value if rule.amber == Amber.DISTANCE else None
    limit = rule.amber_value if rule.amber == Amber.LIMIT else None
    upper = rule.upper if rule.upper is not None else rule.value
    if rule.comparison == Comparison.BETWEEN or rule.comparison in HIGHER_IS_GREEN:
        amber_low = say(rule.value - distance) if distance is not None else say(limit)
    else:
        amber_low = ""
    if rule.comparison == Comparison.BETWEEN or rule.comparison in LOWER_IS_GREEN:
        amber_high = say(upper + distance) if distance is not None else say(limit)
    else:
        amber_high = ""
    return _Words(say(rule.value), say(upper), amber_low, amber_high)


def describe(rule: Rule, unit: str, decimals: int) -> str:
    """The whole rule as a sentence: "Green at 45% or more; amber from 40% to under 45%;
    red under 40%." """
    w = _words(rule, unit, decimals)
    band = rule.amber != Amber.NONE
    match rule.comparison:
        case Comparison.AT_LEAST:
            green = f"Green at {w.low} or more"
            rest = [f"amber from {w.amber_low} to under {w.low}", f"red under {w.amber_low}"]
            plain = f"red under {w.low}"
        case Comparison.MORE_THAN:
            green = f"Green over {w.low}"
            rest = [f"amber from {w.amber_low} to {w.low}", f"red under {w.amber_low}"]
            plain = f"red at {w.low} or under"
        case Comparison.AT_MOST:
            green = f"Green at {w.low} or under"
            rest = [f"amber over {w.low} up to {w.amber_high}", f"red over {w.amber_high}"]
            plain = f"red over {w.low}"
        case Comparison.FEWER_THAN:
            green = f"Green under {w.low}"
            rest = [f"amber from {w.low} to {w.amber_high}", f"red over {w.amber_high}"]
            plain = f"red at {w.low} or more"
        case _:
            green = f"Green from {w.low} to {w.high}"
            rest = [
                f"amber from {w.amber_low} to under {w.low} or over {w.high} up to {w.amber_high}",
                f"red under {w.amber_low} or over {w.amber_high}",
            ]
            plain = f"red under {w.low} or over {w.high}"
    return "; ".join([green, *(rest if band else [plain])]) + "."


def phrase(
    rule: Rule,
    unit: str,
    decimals: int,
    *,
    reference: Decimal | None = None,
    amber: bool = True,
) -> str:
    """The target as a table or a sentence names it: "at least 45% (amber from 40%)", "fewer
    than 85", "more than the statistical-neighbour average (102.6)": with `reference`, the
    number a relative target comes to; without `amber`, no amber band."""
    named = _words(rule, unit, decimals)
    less = "fewer than" if unit == Unit.COUNT else "less than"
    words = {
        Comparison.AT_LEAST: f"at least {named.low}",
        Comparison.MORE_THAN: f"more than {named.low}",
        Comparison.AT_MOST: f"at most {named.low}",
        Comparison.FEWER_THAN: f"{less} {named.low}",
        Comparison.BETWEEN: f"between {named.low} and {named.high}",
    }[Comparison(rule.comparison)]
    relative = rule.basis != Basis.FIXED
    resolved = None
    notes = []
    if relative and reference is not None:
        resolved = _words(rule, unit, decimals, reference)
        between = rule.comparison == Comparison.BETWEEN
        notes.append(f"{resolved.low} to {resolved.high}" if between else resolved.low)
    if amber and rule.amber != Amber.NONE and rule.amber_value is not None:
        notes.append(_amber_note(rule, resolved or named, unit, decimals, resolved is None))
    return f"{words} ({'; '.join(notes)})" if notes else words


def _amber_note(rule: Rule, shown: _Words, unit: str, decimals: int, unresolved: bool) -> str:
    """ "amber from 40%", "amber up to 30", "amber from 13 to 22", "amber within 2.0"."""
    assert rule.amber_value is not None
    if rule.basis != Basis.FIXED and unresolved and rule.amber == Amber.DISTANCE:
        decimals = max(decimals, min(places(rule.amber_value), 4))
        return f"amber within {format_change(rule.amber_value, unit, decimals)}"
    if rule.comparison == Comparison.BETWEEN:
        return f"amber from {shown.amber_low} to {shown.amber_high}"
    if rule.comparison in HIGHER_IS_GREEN:
        return f"amber from {shown.amber_low}"
    return f"amber up to {shown.amber_high}"
