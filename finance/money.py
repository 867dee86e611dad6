"""Money: amounts in pounds and pence, how they are written, and budget variance. Pure code."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
MILLION = Decimal(1_000_000)
HUNDRED = Decimal(100)
NOT_RECORDED = "not recorded"

# Every money field: up to £999,999,999,999.99, kept to the penny.
MONEY_DIGITS, MONEY_PLACES = 14, 2


def format_money(value: Decimal | None, *, short: bool = False, no_data: str = NOT_RECORDED) -> str:
    """An amount as the report writes it.

    Full: £1,234,567 (pence shown only when there are any: £1,234,567.89).
    Short, for sentences and headings: £1.9m from a million up (to at most two decimals),
    the full amount below that.
    """
    if value is None:
        return no_data
    sign = "-" if value < 0 else ""
    size = abs(value)
    if short and size >= MILLION:
        millions = (size / MILLION).quantize(PENNY, rounding=ROUND_HALF_UP)
        text = f"{millions:f}".rstrip("0").rstrip(".")
        return f"{sign}£{text}m"
    pence = size.quantize(PENNY, rounding=ROUND_HALF_UP)
    if pence == pence.to_integral_value():
        return f"{sign}£{pence:,.0f}"
    return f"{sign}£{pence:,.2f}"


def format_percent(value: Decimal | None, *, no_data: str = "not calculable") -> str:
    """A percentage to one decimal place: 12.5%."""
    if value is None:
        return no_data
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


@dataclass(frozen=True)
class Variance:
    """Forecast outturn against budget: a positive amount is an overspend."""

    budget: Decimal
    forecast: Decimal

    @property
    def amount(self) -> Decimal:
        return self.forecast - self.budget

    @property
    def percent(self) -> Decimal | None:
        """The variance as a percentage of the budget; None when the budget is zero."""
        if self.budget == 0:
            return None
        return HUNDRED * self.amount / self.budget

    @property
    def kind(self) -> str:
        if self.amount > 0:
            return "overspend"
        if self.amount < 0:
            return "underspend"
        return "on budget"

    @property
    def description(self) -> str:
        """In words, never by sign or colour alone: "overspend of £120,000 (4.0%)"."""
        if self.amount == 0:
            return "on budget"
        percent = self.percent
        share = "" if percent is None else f" ({format_percent(abs(percent))})"
        return f"{self.kind} of {format_money(abs(self.amount))}{share}"
