"""The finance page in a real browser: charts drawn under the strict CSP, accessible to axe."""

from decimal import Decimal

from django.core.management import call_command
from playwright.sync_api import Page, expect

from finance.models import FinanceYear, MonitoringLine
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.conftest import make_user


def test_a_viewer_reads_finance_with_its_charts_drawn(page: Page):
    call_command("load_demo", verbosity=0)
    make_user("vi.viewer", "Viewer", staff=False)
    sign_in(page, "vi.viewer")
    page.get_by_role("link", name="Finance").click()
    expect(page).to_have_url("/finance/2022-23/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Finance 2022/23")
    expect(page.get_by_text("Approved by Cabinet in February 2022", exact=True)).to_be_visible()
    chart = page.locator("#recovery-chart-1")
    expect(chart).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart('recovery-chart-1')")
    box = chart.bounding_box()
    assert box is not None
    assert box["height"] > 200
    assert_accessible(page)
    screenshot(page, "finance-2022-23")


def test_the_monitoring_chart_is_drawn_with_its_table_twin(page: Page):
    call_command("load_demo", verbosity=0)
    year = FinanceYear.objects.get(start_year=2022)
    for area, budget, forecast in [
        ("Placements", "24000000", "26100000"),
        ("Staffing", "31000000", "30400000"),
        ("Support services", "6000000", "6050000"),
    ]:
        MonitoringLine(
            year=year,
            quarter=1,
            area=area,
            budget=Decimal(budget),
            forecast_outturn=Decimal(forecast),
        ).save()
    make_user("mo.manager", "Manager", staff=True)
    sign_in(page, "mo.manager")
    page.goto("/finance/2022-23/")
    page.wait_for_function("() => window.Chart && Chart.getChart('monitoring-chart')")
    labels = page.evaluate("() => Chart.getChart('monitoring-chart').data.labels")
    assert labels == ["Placements", "Staffing", "Support services"]
    twin = page.get_by_role("table", name="Budget, forecast outturn and variance by area, Q1")
    expect(twin).to_contain_text("£2,100,000")
    expect(twin).to_contain_text("Overspend")
    assert_accessible(page)
    screenshot(page, "finance-2022-23-with-monitoring")
