"""The report's charts, drawn here as SVG: one drawing for the page, its print and the PDF
(which cannot run JavaScript). Pure: the report object in, markup out.

Each chart is a line of a headline measure's figures over the report's months, with its
sentence as its alternative text; the page and the PDF set the same figures beside it as a
table.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from kpis.units import Unit, format_value, places
from sct_portal import periods

from .content import Headline, ReportContent

# The drawing's own units (the viewBox): it scales to the width it is given.
WIDTH, HEIGHT = 640.0, 260.0
LEFT, RIGHT, TOP, BOTTOM = 64.0, 40.0, 16.0, 40.0
MOST_MONTH_LABELS = 8  # more would crowd the axis; every other (or third) month is labelled
TICKS = 5  # about this many lines across the chart
# The axis spans at least a tenth of the largest figure, so that 844 → 848 children does
# not fill the chart as if it doubled (a choice of ours: line charts need not start at zero,
# but should not magnify a small change).
LEAST_SPAN = 0.1
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
INK, GRID = "#0b0c0c", "#b1b4b6"  # GOV.UK text and mid-grey


@dataclass(frozen=True)
class LineChart:
    """A headline measure's figures as a line, with what the chart says in words."""

    ref: str
    caption: str  # "Number of children in care, Mar-22 to Jun-22"
    alt: str  # "Line chart of …: " and the headline's sentence
    labels: tuple[str, ...]  # Apr-21 …
    values: tuple[Decimal, ...]
    unit: str
    decimals: int


def headline_charts(content: ReportContent) -> tuple[LineChart, ...]:
    """A chart for each headline measure with two or more figures in the report's months."""
    return tuple(chart for h in content.headlines if (chart := headline_chart(h)) is not None)


def headline_chart(headline: Headline) -> LineChart | None:
    points = [cell for cell in headline.series if cell.value is not None]
    if len(points) < 2:
        return None
    first, last = periods.month_label(points[0].month), periods.month_label(points[-1].month)
    return LineChart(
        ref=headline.ref,
        caption=f"{headline.label}, {first} to {last}",
        alt=f"Line chart of {headline.label}, {first} to {last}: {headline.sentence}",
        labels=tuple(periods.month_label(cell.month) for cell in points),
        values=tuple(cell.value for cell in points if cell.value is not None),
        unit=headline.unit,
        decimals=headline.decimals,
    )


def nice_step(span: float) -> float:
    """A round step (1, 2, 2.5 or 5 × a power of ten) giving about TICKS lines over `span`."""
    rough = span / (TICKS - 1) if span > 0 else 1.0
    power = 10.0 ** math.floor(math.log10(rough))
    return next(f * power for f in (1.0, 2.0, 2.5, 5.0, 10.0) if f * power >= rough)


def axis(values: tuple[Decimal, ...], unit: str) -> tuple[float, float, float]:
    """The value axis (low, high, step): round numbers around the figures; a percentage
    axis stays within 0–100%."""
    low, high = float(min(values)), float(max(values))
    scale = 100.0 if unit == Unit.PERCENT else max(abs(low), abs(high))
    least = LEAST_SPAN * scale or 1.0
    if high - low < least:
        middle = (low + high) / 2
        low, high = middle - least / 2, middle + least / 2
    if unit == Unit.PERCENT:
        low, high = max(low, 0.0), min(high, 100.0)
    step = nice_step(high - low)
    bottom = round(math.floor(round(low / step, 6)) * step, 10)
    top = round(math.ceil(round(high / step, 6)) * step, 10)
    if unit == Unit.PERCENT:
        bottom, top = max(bottom, 0.0), min(top, 100.0)
    return bottom, top, step


def tick_label(value: float, step: float, unit: str) -> str:
    """A line's value with the decimals its step needs: 45, 47.5, 50 → 45.0, 47.5, 50.0."""
    decimals = places(Decimal(repr(round(step, 10))))
    return format_value(Decimal(repr(round(value, 10))), unit, decimals)


def svg(chart: LineChart, *, id: str) -> str:
    """The chart as an inline <svg> element, its alternative text as its <title>."""
    bottom, top, step = axis(chart.values, chart.unit)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    steps = max(len(chart.values) - 1, 1)

    def x(index: int) -> float:
        return LEFT + plot_w * index / steps

    def y(value: float) -> float:
        return TOP + plot_h * (top - value) / (top - bottom)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sct-svg-chart" id="{escape(id)}" '
        f'viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}" width="{WIDTH:.0f}" height="{HEIGHT:.0f}" '
        f'role="img" aria-labelledby="{escape(id)}-title" font-family="{FONT}" '
        f'font-size="14" fill="{INK}">',
        f'<title id="{escape(id)}-title">{escape(chart.alt)}</title>',
    ]
    count = round((top - bottom) / step)
    for n in range(count + 1):
        value = bottom + n * step
        parts.append(
            f'<line x1="{LEFT:.1f}" x2="{LEFT + plot_w:.1f}" y1="{y(value):.1f}" '
            f'y2="{y(value):.1f}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 8:.1f}" y="{y(value) + 4:.1f}" text-anchor="end">'
            f"{escape(tick_label(value, step, chart.unit))}</text>"
        )
    every = math.ceil(len(chart.labels) / MOST_MONTH_LABELS)
    for index, label in enumerate(chart.labels):
        if index % every and index != len(chart.labels) - 1:
            continue
        parts.append(
            f'<text x="{x(index):.1f}" y="{HEIGHT - BOTTOM + 20:.1f}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    points = " ".join(f"{x(i):.1f},{y(float(v)):.1f}" for i, v in enumerate(chart.values))
    parts.append(
        f'<polyline points="{points}" fill="none" stroke="{INK}" stroke-width="2.5" '
        'stroke-linejoin="round"/>'
    )
    parts.extend(
        f'<circle cx="{x(i):.1f}" cy="{y(float(v)):.1f}" r="4"/>'
        for i, v in enumerate(chart.values)
    )
    last = len(chart.values) - 1
    latest = format_value(chart.values[-1], chart.unit, chart.decimals)
    parts.append(
        f'<text x="{x(last):.1f}" y="{y(float(chart.values[-1])) - 10:.1f}" text-anchor="end" '
        f'font-weight="bold">{escape(latest)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
