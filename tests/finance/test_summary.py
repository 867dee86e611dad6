"""finance_summary(): a year's finance as plain frozen values, for the page and the report."""

import dataclasses
from decimal import Decimal

import pytest

from finance.models import (
    DeficitRecoveryPlan,
    FinancialRisk,
    MonitoringLine,
    Repayment,
    SurplusForecast,
)
from finance.summary import finance_summary
from sct_portal.periods import FinancialYear, Quarter

pytestmark = pytest.mark.django_db
FY = FinancialYear(2022)


def add_lines(year):
    for quarter, area, budget, forecast in [
        (1, "Placements", "10000000", "10900000"),
        (1, "Staffing", "8000000", "7800000"),
        (2, "Placements", "10000000", "11200000"),
        (2, "Staffing", "8000000", "7900000"),
    ]:
        MonitoringLine(
            year=year,
            quarter=quarter,
            area=area,
            budget=Decimal(budget),
            forecast_outturn=Decimal(forecast),
        ).save()


def test_nothing_recorded_for_a_year_gives_no_summary(db):
    assert finance_summary(year=FinancialYear(2019)) is None


def test_the_summary_is_frozen(year_2022):
    summary = finance_summary(year=FY)
    assert summary is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.planned_surplus = Decimal(1)  # type: ignore[misc]


def test_monitoring_lines_are_grouped_by_quarter_with_derived_totals(year_2022):
    add_lines(year_2022)
    summary = finance_summary(year=FY)
    assert summary is not None
    assert [m.quarter for m in summary.monitoring] == [Quarter(FY, 1), Quarter(FY, 2)]
    q2 = summary.latest_monitoring
    assert q2 is not None
    assert q2.total.budget == Decimal("18000000")
    assert q2.total.forecast == Decimal("19100000")
    assert q2.total.amount == Decimal("1100000")
    assert q2.sentence == (
        "At Q2 2022/23 the forecast outturn across 2 areas is £19.1m against a budget of "
        "£18m: overspend of £1,100,000 (6.1%). The largest overspend is in Placements: "
        "overspend of £1,200,000 (12.0%)."
    )


def test_a_quarter_summary_stops_at_that_quarter(year_2022):
    add_lines(year_2022)
    SurplusForecast(year=year_2022, quarter=1, forecast_surplus=Decimal("1500000")).save()
    SurplusForecast(year=year_2022, quarter=2, forecast_surplus=Decimal("1200000")).save()
    summary = finance_summary(year=FY, quarter=Quarter(FY, 1))
    assert summary is not None
    assert [m.quarter.number for m in summary.monitoring] == [1]
    assert [f.quarter.number for f in summary.forecasts] == [1]


def test_a_quarter_of_another_year_is_refused(year_2022):
    with pytest.raises(ValueError, match="not a quarter of 2022/23"):
        finance_summary(year=FY, quarter=Quarter(FinancialYear(2021), 4))


def test_the_latest_forecast_is_compared_with_the_planned_surplus(year_2022):
    year_2022.planned_surplus = Decimal("1900000")
    year_2022.save()
    SurplusForecast(year=year_2022, quarter=1, forecast_surplus=Decimal("1500000")).save()
    summary = finance_summary(year=FY)
    assert summary is not None
    assert summary.surplus_against_plan == Decimal("-400000")
    assert summary.surplus_sentence == (
        "The planned surplus for 2022/23 is £1.9m. At Q1 2022/23 the forecast surplus is "
        "£1.5m, £400,000 below plan."
    )


def test_the_recovery_plan_covering_the_year_comes_with_its_progress(year_2022):
    plan = DeficitRecoveryPlan(
        deficit_year=2018, repay_by_year=2023, deficit_amount=Decimal("3000000")
    )
    plan.save()
    Repayment(plan=plan, year=2021, planned=Decimal("1000000"), actual=Decimal("1100000")).save()
    Repayment(plan=plan, year=2022, planned=Decimal("1900000"), actual=None).save()
    later = DeficitRecoveryPlan(deficit_year=2023, repay_by_year=2025)
    later.save()  # does not cover 2022/23
    summary = finance_summary(year=FY)
    assert summary is not None
    assert len(summary.recovery_plans) == 1
    recovery = summary.recovery_plans[0]
    assert recovery.progress.repaid == Decimal("1100000")
    assert recovery.progress.percent is not None
    assert round(recovery.progress.percent, 1) == Decimal("36.7")
    assert recovery.planned_total == Decimal("2900000")
    assert recovery.progress.years_not_recorded == (FY,)


def test_risks_come_in_order_with_open_ones_counted(year_2022):
    FinancialRisk(year=year_2022, title="B risk", description="d", order=2).save()
    FinancialRisk(year=year_2022, title="A risk", description="d", order=1, status="closed").save()
    summary = finance_summary(year=FY)
    assert summary is not None
    assert [r.title for r in summary.risks] == ["A risk", "B risk"]
    assert [r.title for r in summary.open_risks] == ["B risk"]


def test_the_summary_takes_a_fixed_number_of_queries(year_2022, django_assert_max_num_queries):
    add_lines(year_2022)
    for n in range(10):
        FinancialRisk(year=year_2022, title=f"Risk {n}", description="d").save()
    with django_assert_max_num_queries(6):
        finance_summary(year=FY)
