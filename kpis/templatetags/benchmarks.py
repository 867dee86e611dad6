"""Published values on the benchmark pages: a number as the file gives it, a computed mean
or median, or a symbol with its meaning (never a blank, never a zero)."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

from ..benchmarking import Area, Figure, Measure, Summary

register = template.Library()


@register.simple_tag
def published(measure: Measure, figure: Figure | None, missing: str = "no figure") -> str:
    """{% published measure figure %}: 99, 14.2%, or “c (suppressed to protect
    confidentiality)”."""
    if figure is None:
        return format_html('<span class="sct-muted">{}</span>', missing)
    if figure.symbol:
        return format_html(
            '<span class="sct-symbol">{}</span> <span class="sct-symbol__meaning">({})</span>',
            figure.symbol,
            figure.meaning,
        )
    return measure.published(figure.value)


@register.simple_tag
def computed(measure: Measure, value: Decimal | None, group: Summary | None = None) -> str:
    """{% computed measure group.mean group %}: a mean or median, to one place more than
    the group's values."""
    like = [m.value for m in group.counted if m.value is not None] if group else []
    return measure.computed(value, like)


@register.simple_tag
def area_value(measure: Measure, area: Area | None) -> str:
    """{% area_value measure position.england %}: as published, or the mean of its
    authorities marked “computed”, or “not published”."""
    if area is None:
        return "–"
    if area.figure is not None or area.computed is None or area.computed.mean is None:
        return published(measure, area.figure, "not published")
    like = [m.value for m in area.computed.counted if m.value is not None]
    return format_html(
        '{} <span class="sct-symbol__meaning">(computed)</span>',
        measure.computed(area.computed.mean, like),
    )
