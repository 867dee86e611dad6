"""Units of measure: how a KPI's values are checked and written. Pure code."""

import re
from decimal import Decimal, InvalidOperation

from django.db import models


class Unit(models.TextChoices):
    PERCENT = "percent", "Percentage"
    RATE = "rate", "Rate per 10,000 children"
    RATE_1000 = "rate-1000", "Rate per 1,000"
    RATE_100000 = "rate-100000", "Rate per 100,000"
    COUNT = "count", "Count"
    AVERAGE = "average", "Average"
    MONEY = "money", "£"
    DAYS = "days", "Days"


HUNDRED = Decimal(100)


def places(value: Decimal) -> int:
    """The decimal places a value needs: 74.90 needs 1, 258.0 needs 0."""
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def problems(value: Decimal, unit: str, decimals: int) -> list[str]:
    """What is wrong with a value for a unit and precision, in words; empty when it is fine."""
    found: list[str] = []
    if not value.is_finite():
        return [f"{value} is not a number"]
    if unit == Unit.PERCENT and not (0 <= value <= HUNDRED):
        found.append(f"a percentage must be between 0 and 100, not {plain(value)}")
    elif unit == Unit.COUNT and value < 0:
        found.append(f"a count cannot be negative ({plain(value)})")
    elif (
        unit in (Unit.RATE, Unit.RATE_1000, Unit.RATE_100000, Unit.AVERAGE, Unit.DAYS) and value < 0
    ):
        found.append(f"this measure cannot be negative ({plain(value)})")
    if unit == Unit.COUNT and value != value.to_integral_value():
        found.append(f"a count must be a whole number, not {plain(value)}")
    elif places(value) > decimals:
        found.append(
            f"{plain(value)} has {places(value)} decimal places; this KPI is kept to {decimals}"
        )
    return found


def plain(value: Decimal) -> str:
    """A value without exponent or trailing zeros: 1E+2 → 100, 74.900 → 74.9."""
    text = format(value.normalize(), "f")
    return text


# How a number's separators are read. With decimal points (the default, as UK
# spreadsheets write): a comma is a thousands separator only in groups of three digits after
# a first group of one to three that is not 0 (1,234 and 12,345.6 are 1234 and 12345.6);
# any other comma is a decimal comma, refused with the number as it should be typed
# ("19,61 — use a point: 19.61"), never read as 1961. With decimal commas (a file declared
# so): the comma is the decimal separator, and a point or space separates thousands only in
# groups of three (1.234,5 is 1234.5); any other point is refused.
THOUSANDS_WITH_COMMAS = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$")
DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
THOUSANDS_WITH_POINTS = re.compile(r"^[+-]?[1-9]\d{0,2}([. ]\d{3})+(,\d+)?$")
DECIMAL_POINT = re.compile(r"^[+-]?\d+\.\d+$")
SPACES = "\u00a0\u202f\u2009"  # no-break, narrow no-break and thin spaces


class DecimalSeparatorError(ValueError):
    """A number written with the other decimal separator than the one expected."""


def parse_number(text: str, *, decimal_comma: bool = False) -> Decimal:
    """Read a number as people type it: "85.2%", "85.20 %", "1,234", " 41.0 ", "£1.9"; with
    `decimal_comma`, "19,61" and "1.234,5" (see the rule above).

    Raises ValueError with the text when it is not a number, and DecimalSeparatorError
    saying how to type it when its decimal separator is the other one ("19,61 — use a
    point: 19.61").
    """
    typed = text.strip()
    cleaned = typed.replace("£", "")
    for space in SPACES:
        cleaned = cleaned.replace(space, " " if decimal_comma else "")
    cleaned = cleaned.strip()
    percent = cleaned.endswith("%")
    if percent:
        cleaned = cleaned[:-1].strip()
    cleaned = _separators_read(cleaned, typed, percent=percent, decimal_comma=decimal_comma)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{typed!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{typed!r} is not a number")
    return value


def _separators_read(cleaned: str, typed: str, *, percent: bool, decimal_comma: bool) -> str:
    """The number with its thousands separators removed and a decimal point."""
    suffix = "%" if percent else ""
    if not decimal_comma:
        if "," not in cleaned:
            return cleaned
        if THOUSANDS_WITH_COMMAS.match(cleaned):
            return cleaned.replace(",", "")
        if DECIMAL_COMMA.match(cleaned):
            pointed = cleaned.replace(",", ".")
            raise DecimalSeparatorError(f"{typed} — use a point: {pointed}{suffix}")
        return cleaned  # Decimal() refuses it below
    if THOUSANDS_WITH_POINTS.match(cleaned):
        return cleaned.replace(".", "").replace(" ", "").replace(",", ".")
    if DECIMAL_POINT.match(cleaned):
        commaed = cleaned.replace(".", ",")
        raise DecimalSeparatorError(
            f"{typed} has a decimal point, but the file was declared to use decimal commas: "
            f"type {commaed}{suffix}"
        )
    if "." in cleaned or " " in cleaned:
        return "not a number"
    return cleaned.replace(",", ".")


def format_value(
    value: Decimal | None, unit: str, decimals: int, *, no_data: str = "no data"
) -> str:
    """A value as the report writes it: 74.9%, 45.5, 258, 19.61, £1,900,000."""
    if value is None:
        return no_data
    quantum = Decimal(1).scaleb(-decimals)
    rounded = value.quantize(quantum)
    if unit == Unit.PERCENT:
        return f"{rounded:.{decimals}f}%"
    if unit == Unit.MONEY:
        sign = "-" if rounded < 0 else ""
        return f"{sign}£{abs(rounded):,.{decimals}f}"
    if unit == Unit.COUNT:
        return f"{rounded:,.{decimals}f}"
    if unit == Unit.DAYS:
        return f"{rounded:.{decimals}f} days"
    return f"{rounded:.{decimals}f}"


def format_change(change: Decimal, unit: str, decimals: int) -> str:
    """A difference between two values: 2.7 percentage points, 4 children, 0.50."""
    size = format_value(abs(change), unit, decimals)
    if unit == Unit.PERCENT:
        return f"{size[:-1]} percentage points"
    return size


LARGEST = Decimal(10) ** 12  # what a figure's column keeps: 16 digits, 4 after the point
MOST_PLACES = 4


def storable(value: Decimal) -> bool:
    """Whether a number fits the column: finite, under 10¹², at most 4 decimal places."""
    return value.is_finite() and abs(value) < LARGEST and decimal_places(value) <= MOST_PLACES


def decimal_places(value: Decimal) -> int:
    """Decimal places without trailing zeros, without rounding (normalize() rounds)."""
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return 0
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing))
