"""A chart's value axis: round lines that a KPI's own decimals can label. Pure.

One rule for every chart of a KPI, the KPI page's (Chart.js draws the ticks given here) and
the report's SVG (reports/svgchart.py), so the same figures get the same lines:

- a step is 1, 2, 2.5 or 5 × a power of ten, about TICKS lines over the figures, and never
  finer than the KPI's decimals can write: a KPI of whole numbers (a count, always) steps in
  whole numbers, so no line reads 848 twice or 845 where it is 844.5;
- every line is labelled with the KPI's decimals, as its figures are;
- the axis spans at least LEAST_SPAN of the largest figure (of 100 for a percentage), so that
  844 → 848 children does not fill the chart as if it doubled (our choice: a line chart need
  not start at zero, but should not magnify a small change);
- a percentage axis stays within 0–100%, and a measure that cannot be negative stops at 0:
  a process limit beyond is clipped by kpis/spc.py, whose sentence says so.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from .units import Unit, format_value, places

TICKS = 5  # about this many lines across the chart
LEAST_SPAN = Decimal("0.1")
FACTORS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Axis:
    low: Decimal
    high: Decimal
    step: Decimal
    ticks: tuple[Decimal, ...]
    labels: tuple[str, ...]  # each tick as the KPI writes a figure: 845, 74.0%

    def as_data(self) -> dict[str, object]:
        """For the chart module (json_script): it draws exactly these lines."""
        return {
            "min": float(self.low),
            "max": float(self.high),
            "step": float(self.step),
            "ticks": [float(tick) for tick in self.ticks],
            "labels": list(self.labels),
        }


def label_places(unit: str, decimals: int) -> int:
    """The decimals a tick may need: the KPI's own, none for a count."""
    return 0 if unit == Unit.COUNT else decimals


def nice_step(span: Decimal, *, most_places: int) -> Decimal:
    """The smallest round step giving at most about TICKS lines over `span` that needs no
    more than `most_places` decimals (2.5 needs one more than 2 or 5)."""
    rough = span / (TICKS - 1) if span > 0 else Decimal(1).scaleb(-most_places)
    exponent = rough.adjusted() - 1
    while True:
        for factor in FACTORS:
            step = (factor * Decimal(1).scaleb(exponent)).normalize()
            if step >= rough and places(step) <= most_places:
                return step
        exponent += 1


def _floor(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(ROUND_FLOOR) * step


def _ceiling(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(ROUND_CEILING) * step


def value_axis(values: Iterable[Decimal | None], *, unit: str, decimals: int) -> Axis:
    """The axis for every value a chart draws (figures, limits, targets, goals…)."""
    present = [Decimal(v) for v in values if v is not None]
    most = label_places(unit, decimals)
    smallest = Decimal(1).scaleb(-most)
    if not present:
        present = [Decimal(0), HUNDRED if unit == Unit.PERCENT else Decimal(1)]
    low, high = min(present), max(present)
    scale = HUNDRED if unit == Unit.PERCENT else max(abs(low), abs(high))
    least = max(LEAST_SPAN * scale, smallest)
    if high - low < least:
        middle = (low + high) / 2
        low, high = middle - least / 2, middle + least / 2
    floor = Decimal(0) if unit != Unit.MONEY and min(present) >= 0 else None
    ceiling = HUNDRED if unit == Unit.PERCENT else None
    if floor is not None and low < floor:
        low, high = floor, max(high, floor + least)
    if ceiling is not None and high > ceiling:
        low, high = min(low, ceiling - least), ceiling
    step = nice_step(high - low, most_places=most)
    bottom, top = _floor(low, step), _ceiling(high, step)
    if floor is not None:
        bottom = max(bottom, floor)
    if ceiling is not None:
        top = min(top, ceiling)
    count = int((top - bottom) / step)
    ticks = tuple(bottom + n * step for n in range(count + 1))
    if ticks[-1] < top:  # 0–100% in steps of 30 would stop at 90: end at the edge
        ticks = (*ticks, top)
    return Axis(
        low=bottom,
        high=top,
        step=step,
        ticks=ticks,
        labels=tuple(format_value(tick, unit, most) for tick in ticks),
    )
