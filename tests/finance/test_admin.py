"""Analysts enter and change finance in the admin; managers read it; viewers cannot reach it."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry

from finance.models import FinanceYear, FinancialRisk, MonitoringLine

pytestmark = pytest.mark.django_db

LINE = {
    "quarter": "1",
    "area": "Placements",
    "budget": "2000000.00",
    "forecast_outturn": "2250000.00",
    "note": "",
    "order": "0",
}


def test_an_analyst_adds_a_monitoring_line_in_the_admin(analyst_client, demo_finance):
    year = FinanceYear.objects.get(start_year=2022)
    response = analyst_client.post(
        "/admin/finance/monitoringline/add/", LINE | {"year": str(year.pk)}
    )
    assert response.status_code == 302, response.content
    line = MonitoringLine.objects.get()
    assert (line.budget, line.forecast_outturn) == (Decimal("2000000.00"), Decimal("2250000.00"))
    listing = analyst_client.get("/admin/finance/monitoringline/").content.decode()
    assert "overspend of £250,000 (12.5%)" in listing


def test_the_admin_refuses_a_negative_budget_naming_the_field(analyst_client, demo_finance):
    year = FinanceYear.objects.get(start_year=2022)
    response = analyst_client.post(
        "/admin/finance/monitoringline/add/", LINE | {"year": str(year.pk), "budget": "-5"}
    )
    assert response.status_code == 200
    assert "Budget cannot be negative." in response.content.decode()
    assert response.context["adminform"].form.errors.keys() == {"budget"}
    assert not MonitoringLine.objects.exists()


def test_an_analyst_changes_a_figure_and_the_history_keeps_old_and_new(
    analyst_client, analyst, demo_finance
):
    year = FinanceYear.objects.get(start_year=2022)
    analyst_client.post("/admin/finance/monitoringline/add/", LINE | {"year": str(year.pk)})
    line = MonitoringLine.objects.get()
    url = f"/admin/finance/monitoringline/{line.pk}/change/"
    response = analyst_client.post(
        url, LINE | {"year": str(year.pk), "forecast_outturn": "2300000.00"}
    )
    assert response.status_code == 302, response.content
    line.refresh_from_db()
    assert line.forecast_outturn == Decimal("2300000.00")
    entry = LogEntry.objects.filter(object_id=str(line.pk)).latest("action_time")
    assert entry.user == analyst
    assert entry.get_change_message() == "Changed Forecast outturn: £2,250,000 → £2,300,000."
    history = analyst_client.get(f"{url.removesuffix('change/')}history/").content.decode()
    assert "£2,250,000 → £2,300,000" in history


def test_an_analyst_scores_a_seed_risk_and_the_page_shows_the_derived_score(
    analyst_client, viewer_client, demo_finance
):
    risk = FinancialRisk.objects.get(title="Cost of placements")
    url = f"/admin/finance/financialrisk/{risk.pk}/change/"
    form = analyst_client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data |= {"likelihood": "4", "impact": "3", "value_at_risk": "500000.00"}
    response = analyst_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    page = viewer_client.get("/finance/2022-23/").content.decode()
    assert "12 (high): likelihood 4, likely; impact 3, moderate" in page
    assert "£500,000" in page


def test_an_analyst_records_the_contract_sum_when_it_is_known(analyst_client, demo_finance):
    year = FinanceYear.objects.get(start_year=2022)
    url = f"/admin/finance/financeyear/{year.pk}/change/"
    response = analyst_client.post(
        url,
        {
            "start_year": "2022",
            "contract_sum": "61234567.89",
            "contract_sum_approved_by": "Cabinet",
            "contract_sum_approved_in": "2022-02-01",
            "planned_surplus": "1900000.00",
            "source": year.source,
            "forecasts-TOTAL_FORMS": "1",
            "forecasts-INITIAL_FORMS": "0",
            "forecasts-0-quarter": "1",
            "forecasts-0-forecast_surplus": "1700000.00",
            "forecasts-0-note": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    year.refresh_from_db()
    assert year.contract_sum == Decimal("61234567.89")
    assert year.forecasts.get().forecast_surplus == Decimal("1700000.00")


def test_a_manager_reads_finance_in_the_admin_but_cannot_change_it(manager_client, demo_finance):
    year = FinanceYear.objects.get(start_year=2022)
    url = f"/admin/finance/financeyear/{year.pk}/change/"
    assert manager_client.get(url).status_code == 200
    assert manager_client.get("/admin/finance/monitoringline/add/").status_code == 403
    manager_client.post(url, {"start_year": "2022", "planned_surplus": "1.00"})
    year.refresh_from_db()
    assert year.planned_surplus == Decimal("1900000.00")


def test_a_viewer_cannot_reach_the_finance_admin(viewer_client, demo_finance):
    year = FinanceYear.objects.get(start_year=2022)
    for path in ("/admin/finance/", "/admin/finance/monitoringline/add/"):
        assert viewer_client.get(path, follow=True).status_code == 403
    response = viewer_client.post(
        f"/admin/finance/financeyear/{year.pk}/change/",
        {"start_year": "2022", "planned_surplus": "1.00"},
    )
    assert response.status_code in (302, 403)
    year.refresh_from_db()
    assert year.planned_surplus == Decimal("1900000.00")
