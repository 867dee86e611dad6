"""Units of measure: how a KPI's values are checked and written. Pure code."""

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


def parse_number(text: str) -> Decimal:
    """Read a number as people type it: "85.2%", "85.20 %", "1,234", " 41.0 ", "£1.9".

    Raises ValueError with the text when it is not a number.
    """
    cleaned = text.strip().replace(",", "").replace("£", "").replace("\u00a0", "")
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1].strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text.strip()!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text.strip()!r} is not a number")
    return value


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
