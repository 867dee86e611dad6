from decimal import Decimal

from django import template

from ..money import format_money, format_percent

register = template.Library()


@register.filter
def money(value: Decimal | None) -> str:
    """£1,900,000; "not recorded" for no amount."""
    return format_money(value)


@register.filter
def money_short(value: Decimal | None) -> str:
    """£1.9m; "not recorded" for no amount."""
    return format_money(value, short=True)


@register.filter
def percent(value: Decimal | None) -> str:
    return format_percent(value)
