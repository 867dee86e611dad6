"""The dashboards' small pieces of markup: RAG tags, directions of travel, SPC icons and
sparklines. Each says in words what its colour or shape shows.

A dashboard draws hundreds of these, so they are written with f-strings; every piece of
text that is not a fixed label is escaped with `escape`.
"""

import datetime as dt
from decimal import Decimal
from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString

from sct_portal import periods

from .. import spc, symbols
from ..period import Comparison, Sparkline
from ..polarity import Direction
from ..rag import Rag

register = template.Library()

ARROWS = {"up": "↑", "down": "↓", "unchanged": "→", "": "–"}


@register.simple_tag
def rag_tag(outcome: Rag | str) -> SafeString:
    """<strong class="sct-rag sct-rag--red">Red</strong>: the word, with its colour."""
    outcome = Rag(outcome)
    return SafeString(f'<strong class="sct-rag sct-rag--{outcome.value}">{outcome.label}</strong>')


@register.simple_tag
def symbol_tag(code: str) -> SafeString:
    """c, with its meaning said (and shown on hover): never mistaken for a number."""
    meaning = escape(symbols.meaning(code)) if symbols.is_symbol(code) else ""
    return SafeString(
        f'<abbr class="sct-symbol" title="{meaning}">{escape(code)}</abbr>'
        f'<span class="govuk-visually-hidden"> ({meaning})</span>'
    )


@register.simple_tag
def stated_tag(stated: Any) -> SafeString:
    """A status the organisation states itself: marked "stated", never shown as derived."""
    if stated is None:
        return SafeString("")
    rag = f" sct-stated--{escape(stated.rag)}" if stated.rag else ""
    reason = getattr(stated, "reason", "")
    why = f' <span class="sct-stated__reason">— {escape(reason)}</span>' if reason else ""
    return SafeString(
        f'<span class="sct-stated{rag}"><span class="sct-stated__label">Stated:</span> '
        f"{escape(stated.text)}{why}</span>"
    )


@register.simple_tag
def direction_tag(comparison: Comparison | None) -> SafeString:
    """↓ Worse, with the period compared with for screen readers and the title."""
    if comparison is None:
        return SafeString('<span class="sct-direction sct-direction--no-data">–</span>')
    judged = comparison.direction
    when = periods.month_label(comparison.month)
    if comparison.why_not:
        return SafeString(
            f'<span class="sct-direction sct-direction--no-data">'
            f"{escape(comparison.why_not[:1].upper() + comparison.why_not[1:])} for {when}</span>"
        )
    moved = comparison.movement or "unchanged"
    word = judged.label if judged != Direction.SAME else "No change"
    spoken = "no change" if moved == "unchanged" else moved
    return SafeString(
        f'<span class="sct-direction sct-direction--{judged.value}">'
        f'<span aria-hidden="true">{ARROWS[moved]}</span> {word}'
        f'<span class="govuk-visually-hidden"> ({spoken} since {when})</span></span>'
    )


_VARIATION_ICON = {
    "common-cause": "–",
    "improvement": "",
    "concern": "",
    "neutral": "",
    "not-enough-data": "?",
    "not-analysed": "×",
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
    return SafeString(
        f'<svg class="sct-spc-icon {kind}" viewBox="0 0 24 24" width="24" height="24" '
        'aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="11"/>'
        f'<text x="12" y="16.5" text-anchor="middle">{letter}</text></svg>'
    )


WIDTH, HEIGHT, PAD = 96.0, 32.0, 3.0


@register.simple_tag
def sparkline(line: Sparkline | None) -> SafeString:
    """A small line of the recent figures, drawn here as SVG, with the figures in words."""
    if line is None or not line.months:
        return SafeString("")
    present = [float(v) for v in line.values if v is not None]
    description = escape(line.description)
    if not present:
        return SafeString(f'<span class="govuk-visually-hidden">{description}</span>')
    low, high = min(present), max(present)
    spread = (high - low) or 1.0
    steps = max(len(line.months) - 1, 1)

    def xy(index: int, value: Decimal) -> str:
        x = PAD + (WIDTH - 2 * PAD) * index / steps
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * (float(value) - low) / spread
        return f"{x:.1f},{y:.1f}"

    segments: list[list[str]] = [[]]
    for index, value in enumerate(line.values):
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append(xy(index, value))
    lines = "".join(f'<polyline points="{" ".join(s)}"/>' for s in segments if s)
    last = next(s for s in reversed(segments) if s)[-1].split(",")
    return SafeString(
        f'<svg class="sct-sparkline" viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}" '
        f'width="{WIDTH:.0f}" height="{HEIGHT:.0f}" role="img" aria-label="{description}">'
        f"<title>{description}</title>{lines}"
        f'<circle cx="{last[0]}" cy="{last[1]}" r="2.5"/></svg>'
    )


# Each judged cell's mark, the class that colours it, and its RAG in words for screen
# readers. A relative target without its benchmark or starting figure is marked "?".
RAG_MARKS = {
    Rag.GREEN: ("✓", "green", "green"),
    Rag.AMBER: ("!", "amber", "amber"),
    Rag.RED: ("✕", "red", "red"),
    Rag.NO_BENCHMARK: ("?", "unjudged", "not judged: no benchmark"),
    Rag.NO_BASELINE: ("?", "unjudged", "not judged: no starting figure"),
}


@register.simple_tag
def trend_cells(row: Any) -> SafeString:
    """A trend-table row's month cells: the figure, its RAG as fill and symbol, and the RAG
    word for screen readers; "no data" where there is no figure. Takes the dashboard's rows
    and the report's (whose cells carry `shown` and the RAG as text). (A figure as the KPI
    formats it is digits, signs and a unit: nothing to escape.)"""
    cells = []
    for cell in row.cells:
        rag = Rag(cell.rag)
        text = cell.text if hasattr(cell, "text") else cell.shown
        if getattr(cell, "symbol", ""):
            text = symbol_tag(cell.symbol)
        if (found := getattr(cell, "published", None)) is not None:
            text += (
                '<sup class="sct-revised-mark" aria-hidden="true">R</sup>'
                f'<span class="govuk-visually-hidden"> (revised since published: the '
                f"{escape(found.report)} report showed {escape(found.shown)})</span>"
            )
        stated = _stated_in_cell(cell)
        if cell.value is None and not getattr(cell, "symbol", ""):
            cells.append(
                '<td class="govuk-table__cell govuk-table__cell--numeric sct-cell">'
                '<span aria-hidden="true">–</span>'
                f'<span class="govuk-visually-hidden">no data</span>{stated}</td>'
            )
        elif rag in RAG_MARKS:
            mark, kind, words = RAG_MARKS[rag]
            cells.append(
                f'<td class="govuk-table__cell govuk-table__cell--numeric sct-cell '
                f'sct-cell--{kind}">{text}'
                f'<span aria-hidden="true" class="sct-cell__mark">{mark}</span>'
                f'<span class="govuk-visually-hidden">, {words}</span>{stated}</td>'
            )
        else:
            cells.append(
                f'<td class="govuk-table__cell govuk-table__cell--numeric sct-cell">{text}'
                f"{stated}</td>"
            )
    return SafeString("".join(cells))


def _stated_in_cell(cell: Any) -> str:
    """A status the organisation stated for the cell's period, marked as stated (the
    dashboard's cells carry the figure, the report's the words)."""
    figure = getattr(cell, "figure", None)
    found = getattr(figure, "stated", None) if figure is not None else None
    text = found.text if found is not None else getattr(cell, "stated", "")
    if not text:
        return ""
    return (
        f'<span class="sct-stated sct-stated--cell"><span class="sct-stated__label">Stated:'
        f"</span> {escape(text)}</span>"
    )


@register.filter
def month_slug(month: object) -> str:
    return periods.month_slug(month) if isinstance(month, dt.date) else ""
