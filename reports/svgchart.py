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

from kpis.axes import value_axis
from kpis.units import format_value
from sct_portal import periods

from .content import Headline, ReportContent

# The drawing's own units (the viewBox): it scales to the width it is given.
WIDTH, HEIGHT = 640.0, 260.0
LEFT, RIGHT, TOP, BOTTOM = 64.0, 40.0, 16.0, 40.0
MOST_MONTH_LABELS = 8  # more would crowd the axis; every other (or third) month is labelled
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


def svg(chart: LineChart, *, id: str) -> str:
    """The chart as an inline <svg> element, its alternative text as its <title>."""
    # The same lines as the KPI page's chart (kpis/axes.py): the KPI's decimals, whole
    # numbers for a count, 0–100% for a percentage.
    found = value_axis(chart.values, unit=chart.unit, decimals=chart.decimals)
    bottom, top = float(found.low), float(found.high)
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
    for tick, label in zip(found.ticks, found.labels, strict=True):
        value = float(tick)
        parts.append(
            f'<line x1="{LEFT:.1f}" x2="{LEFT + plot_w:.1f}" y1="{y(value):.1f}" '
            f'y2="{y(value):.1f}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 8:.1f}" y="{y(value) + 4:.1f}" text-anchor="end">'
            f"{escape(label)}</text>"
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
