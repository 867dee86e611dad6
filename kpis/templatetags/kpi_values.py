from decimal import Decimal

from django import template

from sct_portal import periods

from ..models import Kpi

register = template.Library()


@register.simple_tag
def kpi_value(kpi: Kpi, value: Decimal | None) -> str:
    """A value in its KPI's unit and decimals: {% kpi_value kpi observation.value %}"""
    return kpi.format(value)


@register.filter
def month_label(month: object) -> str:
    import datetime as dt

    return periods.month_label(month) if isinstance(month, dt.date) else ""


@register.filter
def month_name(month: object) -> str:
    import datetime as dt

    return periods.month_name(month) if isinstance(month, dt.date) else ""


@register.filter
def lookup(mapping: object, key: object) -> object:
    """{{ revised|lookup:row.month }}: a dictionary's value for a key, or None."""
    return mapping.get(key) if isinstance(mapping, dict) else None
