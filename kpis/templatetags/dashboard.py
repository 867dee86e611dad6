"""The dashboards' small pieces of markup: RAG tags, directions of travel, SPC icons and
sparklines. Each says in words what its colour or shape shows."""

import datetime as dt
from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from sct_portal import periods

from .. import spc
from ..dashboard import Comparison, Sparkline
from ..polarity import Direction
from ..rag import Rag

register = template.Library()

ARROWS = {"up": "↑", "down": "↓", "unchanged": "→", "": "–"}


@register.simple_tag
def rag_tag(outcome: Rag | str) -> SafeString:
    """<strong class="sct-rag sct-rag--red">Red</strong>: the word, with its colour."""
    outcome = Rag(outcome)
    return format_html(
        '<strong class="sct-rag sct-rag--{}">{}</strong>', outcome.value, outcome.label
    )


@register.simple_tag
def direction_tag(comparison: Comparison | None) -> SafeString:
    """↓ Worse, with the month compared with for screen readers and the title."""
    if comparison is None:
        return format_html('<span class="sct-direction sct-direction--no-data">{}</span>', "–")
    judged = comparison.direction
    if comparison.value is None:
        return format_html(
            '<span class="sct-direction sct-direction--no-data">No figure for {}</span>',
            periods.month_label(comparison.month),
        )
    moved = comparison.movement or "unchanged"
    return format_html(
        '<span class="sct-direction sct-direction--{}"><span aria-hidden="true">{}</span> {}'
        '<span class="govuk-visually-hidden"> ({} since {})</span></span>',
        judged.value,
        ARROWS[moved],
        judged.label if judged != Direction.SAME else "No change",
        "no change" if moved == "unchanged" else moved,
        periods.month_label(comparison.month),
    )


_VARIATION_ICON = {
    "common-cause": "–",
    "improvement": "",
    "concern": "",
    "neutral": "",
    "not-enough-data": "?",
}


@register.simple_tag
def variation_icon(variation: spc.Variation | str) -> SafeString:
    """A Making Data Count style icon (decorative: the label beside it says what it shows)."""
    variation = spc.Variation(variation)
    letter = _VARIATION_ICON.get(variation.kind, "")
    if not letter:
        letter = "H" if variation.value.endswith("-high") else "L"
    return _icon(f"sct-spc-icon--{variation.kind}", letter)


_ASSURANCE_ICON = {
    spc.Assurance.PASSES: "P",
    spc.Assurance.FAILS: "F",
    spc.Assurance.HIT_AND_MISS: "?",
}


@register.simple_tag
def assurance_icon(assurance: spc.Assurance | str) -> SafeString:
    assurance = spc.Assurance(assurance)
    letter = _ASSURANCE_ICON.get(assurance)
    if letter is None:
        return SafeString("")
    return _icon(f"sct-spc-icon--{assurance.value}", letter)


def _icon(kind: str, letter: str) -> SafeString:
    return format_html(
        '<svg class="sct-spc-icon {}" viewBox="0 0 24 24" width="24" height="24" '
        'aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="11"/>'
        '<text x="12" y="16.5" text-anchor="middle">{}</text></svg>',
        kind,
        letter,
    )


WIDTH, HEIGHT, PAD = 96.0, 32.0, 3.0


@register.simple_tag
def sparkline(line: Sparkline | None) -> SafeString:
    """A small line of the recent figures, drawn here as SVG, with the figures in words."""
    if line is None or not line.months:
        return SafeString("")
    present = [float(v) for v in line.values if v is not None]
    if not present:
        return format_html('<span class="govuk-visually-hidden">{}</span>', line.description)
    low, high = min(present), max(present)
    spread = (high - low) or 1.0
    steps = max(len(line.months) - 1, 1)

    def xy(index: int, value: Decimal) -> tuple[float, float]:
        x = PAD + (WIDTH - 2 * PAD) * index / steps
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * (float(value) - low) / spread
        return round(x, 1), round(y, 1)

    segments: list[list[tuple[float, float]]] = [[]]
    last: tuple[float, float] | None = None
    for index, value in enumerate(line.values):
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        last = xy(index, value)
        segments[-1].append(last)
    lines = format_html_join(
        "",
        '<polyline points="{}"/>',
        ((" ".join(f"{x},{y}" for x, y in segment),) for segment in segments if segment),
    )
    assert last is not None
    return format_html(
        '<svg class="sct-sparkline" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-label="{}"><title>{}</title>{}<circle cx="{}" cy="{}" r="2.5"/></svg>',
        int(WIDTH),
        int(HEIGHT),
        int(WIDTH),
        int(HEIGHT),
        line.description,
        line.description,
        lines,
        last[0],
        last[1],
    )


@register.filter
def month_slug(month: object) -> str:
    return periods.month_slug(month) if isinstance(month, dt.date) else ""
