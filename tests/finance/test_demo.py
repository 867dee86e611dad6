"""The finance demo data is the seed report's finance facts, loaded idempotently."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from finance import demo
from finance.models import (
    DeficitRecoveryPlan,
    FinanceYear,
    FinancialRisk,
    MonitoringLine,
    Repayment,
    SurplusForecast,
)
from sct_portal.seed import check_quotes
from tests.conftest import SEED_REPORT

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        sorted(
            FinanceYear.objects.values_list(
                "start_year",
                "contract_sum",
                "contract_sum_approved_by",
                "contract_sum_approved_in",
                "planned_surplus",
                "source",
            )
        ),
        sorted(
            DeficitRecoveryPlan.objects.values_list(
                "deficit_year", "deficit_amount", "repay_by_year", "description"
            )
        ),
        sorted(Repayment.objects.values_list("plan__deficit_year", "year", "planned", "actual")),
        sorted(
            FinancialRisk.objects.values_list(
                "title", "owner", "status", "likelihood", "impact", "value_at_risk", "mitigation"
            )
        ),
        MonitoringLine.objects.count(),
        SurplusForecast.objects.count(),
    )


def test_load_demo_twice_changes_nothing():
    call_command("load_demo", verbosity=0)
    before = snapshot()
    assert demo.load() == {"financial years": 0, "recovery plans": 0, "repayments": 0, "risks": 0}
    call_command("load_demo", verbosity=0)
    assert snapshot() == before


def test_load_demo_says_what_it_added(capsys):
    call_command("load_demo")
    assert (
        "Finance added: financial years 1, recovery plans 1, repayments 2, risks 2."
        in capsys.readouterr().out
    )
    call_command("load_demo")
    assert "Finance added: financial years 0, recovery plans 0, repayments 0, risks 0." in (
        capsys.readouterr().out
    )


def test_load_demo_never_overwrites_what_an_analyst_has_entered(demo_finance):
    year = FinanceYear.objects.get(start_year=2022)
    year.contract_sum = Decimal("60000000.00")
    year.save()
    risk = FinancialRisk.objects.get(title="Cost of placements")
    risk.likelihood, risk.impact = 4, 4
    risk.save()
    demo.load()
    year.refresh_from_db()
    risk.refresh_from_db()
    assert year.contract_sum == Decimal("60000000.00")
    assert (risk.likelihood, risk.impact) == (4, 4)


def test_the_demo_holds_the_reports_finance_facts(demo_finance):
    year = FinanceYear.objects.get()
    assert year.financial_year.label == "2022/23"
    assert year.contract_sum is None  # the report gives no amount
    assert year.approval == "Approved by Cabinet in February 2022"
    assert year.planned_surplus == Decimal("1900000.00")
    plan = DeficitRecoveryPlan.objects.get()
    assert (plan.deficit_financial_year.label, plan.repay_by_financial_year.label) == (
        "2018/19",
        "2023/24",
    )
    assert plan.deficit_amount is None  # the report gives none
    risks = {r.title: r for r in FinancialRisk.objects.all()}
    assert set(risks) == {
        "Cost of placements",
        "Health funding from the CCG for complex young people in residential care",
    }
    assert "resource demand panel" in risks["Cost of placements"].mitigation
    ccg = risks["Health funding from the CCG for complex young people in residential care"]
    assert ccg.status == "open"
    assert "West Birmingham and Black Country Clinical Commissioning Group" in ccg.description
    assert "not yet agreed for 2022/23" in ccg.description


def test_the_demo_gives_no_money_amount_the_report_does_not():
    demo.load()
    amounts = (
        list(FinanceYear.objects.values_list("contract_sum", "planned_surplus"))
        + list(DeficitRecoveryPlan.objects.values_list("deficit_amount", flat=False))
        + list(Repayment.objects.values_list("planned", "actual"))
        + list(FinancialRisk.objects.values_list("value_at_risk", flat=False))
    )
    given = {value for row in amounts for value in row if value is not None}
    assert given == {Decimal("1900000.00")}
    assert "surplus of £1.9m in 2022/23" in SEED_REPORT.read_text(encoding="utf-8")
    assert not MonitoringLine.objects.exists()
    assert not SurplusForecast.objects.exists()
    assert not FinancialRisk.objects.exclude(likelihood=None).exists()


def test_every_sentence_the_demo_cites_is_in_the_report_and_is_cited():
    check_quotes(demo.QUOTES, SEED_REPORT.read_text(encoding="utf-8"))
    demo.load()
    sources = " ".join(
        list(FinanceYear.objects.values_list("source", flat=True))
        + list(DeficitRecoveryPlan.objects.values_list("source", flat=True))
        + list(FinancialRisk.objects.values_list("source", flat=True))
    )
    for quote in demo.QUOTES:
        assert quote in sources


def test_a_report_that_does_not_say_it_loads_nothing():
    with pytest.raises(ValueError, match="The seed report does not say"):
        demo.load("A report about something else entirely.")
    assert not FinanceYear.objects.exists()
