"""Validation of finance records: money to the penny, no negative budget, years in order;
every error is attached to, and names, its field."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from finance.models import (
    DeficitRecoveryPlan,
    FinanceYear,
    FinancialRisk,
    MonitoringLine,
    Repayment,
    SurplusForecast,
)

pytestmark = pytest.mark.django_db


def errors_of(record) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        record.save()
    return caught.value.message_dict


def line(year, **fields) -> MonitoringLine:
    values = {
        "year": year,
        "quarter": 1,
        "area": "Placements",
        "budget": Decimal("1000000.00"),
        "forecast_outturn": Decimal("1100000.00"),
    }
    return MonitoringLine(**(values | fields))


def test_a_negative_budget_is_refused_naming_the_budget(year_2022):
    errors = errors_of(line(year_2022, budget=Decimal("-1.00")))
    assert list(errors) == ["budget"]
    assert errors["budget"] == ["Budget cannot be negative."]
    assert not MonitoringLine.objects.exists()


def test_a_negative_forecast_outturn_is_refused_naming_it(year_2022):
    errors = errors_of(line(year_2022, forecast_outturn=Decimal("-5")))
    assert errors == {"forecast_outturn": ["Forecast outturn cannot be negative."]}


def test_money_is_kept_to_the_penny_and_a_fraction_of_a_penny_is_refused(year_2022):
    errors = errors_of(line(year_2022, budget=Decimal("100.005")))
    assert errors == {"budget": ["Budget is kept to the penny: at most 2 decimal places."]}
    saved = line(year_2022, budget=Decimal("100.01"))
    saved.save()
    saved.refresh_from_db()
    assert saved.budget == Decimal("100.01")


def test_an_amount_that_is_not_a_number_is_refused_naming_the_field(year_2022):
    errors = errors_of(line(year_2022, budget="lots"))
    assert errors == {"budget": ["Budget: enter an amount in pounds, such as 1900000.00."]}


def test_several_errors_each_name_their_own_field(year_2022):
    errors = errors_of(line(year_2022, budget=Decimal("-1"), forecast_outturn=Decimal("0.001")))
    assert set(errors) == {"budget", "forecast_outturn"}
    assert "Forecast outturn" in errors["forecast_outturn"][0]


def test_the_database_itself_refuses_a_negative_budget(year_2022):
    saved = line(year_2022)
    saved.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        MonitoringLine.objects.filter(pk=saved.pk).update(budget=Decimal("-1"))


def test_an_area_has_one_line_per_quarter(year_2022):
    line(year_2022).save()
    errors = errors_of(line(year_2022))
    assert errors == {"__all__": ["This area already has a line for that quarter."]}
    line(year_2022, quarter=2).save()  # the next quarter's line is its own record


def test_the_variance_of_a_line_is_derived_from_budget_and_forecast(year_2022):
    saved = line(year_2022, budget=Decimal("2000000"), forecast_outturn=Decimal("2250000"))
    saved.save()
    saved.refresh_from_db()
    assert saved.variance.amount == Decimal("250000")
    assert saved.variance.percent == Decimal("12.5")


def test_a_financial_year_is_recorded_once_and_its_approval_kept_as_a_month():
    year = FinanceYear(
        start_year=2022,
        contract_sum_approved_by="Cabinet",
        contract_sum_approved_in=dt.date(2022, 2, 17),
    )
    year.save()
    assert year.contract_sum_approved_in == dt.date(2022, 2, 1)
    assert year.approval == "Approved by Cabinet in February 2022"
    assert errors_of(FinanceYear(start_year=2022)) == {
        "start_year": ["This financial year is already recorded."]
    }


def test_a_year_outside_the_calendar_is_refused_naming_the_year():
    assert "start_year" in errors_of(FinanceYear(start_year=1999))


def test_a_contract_sum_may_be_left_unrecorded_but_not_negative():
    FinanceYear(start_year=2021, contract_sum=None).save()
    errors = errors_of(FinanceYear(start_year=2023, contract_sum=Decimal("-5")))
    assert errors == {"contract_sum": ["Contract sum cannot be negative."]}


def test_a_planned_surplus_may_be_negative_for_a_planned_deficit():
    FinanceYear(start_year=2024, planned_surplus=Decimal("-250000.00")).save()


def test_a_quarter_has_one_surplus_forecast(year_2022):
    SurplusForecast(year=year_2022, quarter=1, forecast_surplus=Decimal("1500000")).save()
    errors = errors_of(
        SurplusForecast(year=year_2022, quarter=1, forecast_surplus=Decimal("1600000"))
    )
    assert errors == {"__all__": ["There is already a surplus forecast for this quarter."]}


def test_a_recovery_plan_must_end_after_the_year_of_its_deficit():
    errors = errors_of(DeficitRecoveryPlan(deficit_year=2018, repay_by_year=2018))
    assert list(errors) == ["repay_by_year"]
    assert "after the year of the deficit (2018/19)" in errors["repay_by_year"][0]


def test_a_repayment_year_must_fall_within_the_plan():
    plan = DeficitRecoveryPlan(deficit_year=2018, repay_by_year=2023)
    plan.save()
    for start in (2018, 2024):
        errors = errors_of(Repayment(plan=plan, year=start, planned=Decimal("1")))
        assert list(errors) == ["year"]
        assert "after the deficit's year (2018/19) and no later than 2023/24" in errors["year"][0]
    Repayment(plan=plan, year=2023, planned=None).save()


def test_a_repayment_cannot_be_negative():
    plan = DeficitRecoveryPlan(deficit_year=2018, repay_by_year=2023)
    plan.save()
    errors = errors_of(Repayment(plan=plan, year=2022, actual=Decimal("-1")))
    assert errors == {"actual": ["Actual repayment cannot be negative."]}


def test_a_risk_is_scored_on_both_likelihood_and_impact_or_neither(year_2022):
    errors = errors_of(FinancialRisk(year=year_2022, title="A", description="d", likelihood=3))
    assert list(errors) == ["impact"]
    errors = errors_of(FinancialRisk(year=year_2022, title="B", description="d", impact=2))
    assert list(errors) == ["likelihood"]


def test_a_risk_score_off_the_scale_is_refused_naming_the_field(year_2022):
    errors = errors_of(
        FinancialRisk(year=year_2022, title="A", description="d", likelihood=6, impact=2)
    )
    assert errors == {"likelihood": ["The likelihood is scored 1 to 5."]}


def test_a_risk_has_a_derived_score_and_value_at_risk_to_the_penny(year_2022):
    risk = FinancialRisk(
        year=year_2022,
        title="Placements",
        description="Placement costs",
        likelihood=4,
        impact=4,
        value_at_risk=Decimal("250000.00"),
    )
    risk.save()
    risk.refresh_from_db()
    assert risk.score is not None
    assert (risk.score.score, risk.score.rating.value) == (16, "Very high")
    errors = errors_of(
        FinancialRisk(
            year=year_2022, title="Other", description="d", value_at_risk=Decimal("1.234")
        )
    )
    assert list(errors) == ["value_at_risk"]
