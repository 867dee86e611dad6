"""Writing money, and variance against budget: pure code, no database."""

from decimal import Decimal

import pytest

from finance.money import Variance, format_money, format_percent


@pytest.mark.parametrize(
    ("value", "short", "written"),
    [
        (Decimal("1900000"), True, "£1.9m"),
        (Decimal("1900000.00"), False, "£1,900,000"),
        (Decimal("1234567"), False, "£1,234,567"),
        (Decimal("1234567.89"), False, "£1,234,567.89"),
        (Decimal("1234567"), True, "£1.23m"),
        (Decimal("12000000"), True, "£12m"),
        (Decimal("1000000"), True, "£1m"),
        (Decimal("999999.99"), True, "£999,999.99"),
        (Decimal("250000"), True, "£250,000"),
        (Decimal("0"), False, "£0"),
        (Decimal("0.5"), False, "£0.50"),
        (Decimal("-1900000"), True, "-£1.9m"),
        (Decimal("-120.25"), False, "-£120.25"),
    ],
)
def test_format_money_writes_amounts_as_the_report_does(value, short, written):
    assert format_money(value, short=short) == written


def test_format_money_says_not_recorded_for_no_amount_rather_than_zero():
    assert format_money(None) == "not recorded"
    assert format_money(None, short=True, no_data="–") == "–"


def test_format_percent_rounds_to_one_decimal_place_half_up():
    assert format_percent(Decimal("4.25")) == "4.3%"
    assert format_percent(Decimal("-10")) == "-10.0%"
    assert format_percent(None) == "not calculable"


@pytest.mark.parametrize(
    ("budget", "forecast", "amount", "percent", "kind"),
    [
        ("1000000", "1120000", "120000", "12", "overspend"),
        ("1000000", "950000", "-50000", "-5", "underspend"),
        ("800000.50", "800000.50", "0", "0", "on budget"),
        ("400", "500", "100", "25", "overspend"),
    ],
)
def test_variance_is_forecast_outturn_less_budget_and_its_share_of_the_budget(
    budget, forecast, amount, percent, kind
):
    variance = Variance(budget=Decimal(budget), forecast=Decimal(forecast))
    assert variance.amount == Decimal(amount)
    assert variance.percent == Decimal(percent)
    assert variance.kind == kind


def test_variance_percent_is_not_calculable_against_a_zero_budget():
    variance = Variance(budget=Decimal(0), forecast=Decimal("5000"))
    assert variance.amount == Decimal("5000")
    assert variance.percent is None
    assert variance.description == "overspend of £5,000"


def test_variance_is_described_in_words_not_by_sign():
    over = Variance(budget=Decimal("2000000"), forecast=Decimal("2250000"))
    under = Variance(budget=Decimal("2000000"), forecast=Decimal("1900000"))
    assert over.description == "overspend of £250,000 (12.5%)"
    assert under.description == "underspend of £100,000 (5.0%)"
    assert Variance(budget=Decimal(1), forecast=Decimal(1)).description == "on budget"
