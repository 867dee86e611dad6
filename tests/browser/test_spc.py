"""SPC baselines in a real browser: the portal proposes a change point, an analyst approves it
with a reason on the KPI page, the page then shows two baselines each with its own limits
(chart and table twin), an event added in the admin appears on the chart and in the table,
and the report page and its workbook say which limits apply. The demo's p-chart KPI draws
limits that step with each month's base. Every page passes axe; screenshots at 1400 and
390 pixels go to screenshots/."""

import datetime as dt
import io
import re

import openpyxl
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import Page, ViewportSize, expect

from kpis.models import ChangePoint, Kpi
from reports import workflow
from sct_portal.periods import Quarter
from tests.browser.conftest import SCREENSHOTS, assert_accessible, screenshot, sign_in
from tests.conftest import make_user
from tests.kpis.test_spc_pages import EARLIER, EARLIER_VALUES
from tests.recording import record

WIDE: ViewportSize = {"width": 1400, "height": 1000}
NARROW: ViewportSize = {"width": 390, "height": 844}


def chart_drawn(page: Page) -> None:
    expect(page.locator("#kpi-chart")).to_have_attribute("data-drawn", re.compile(r"\d+"))


def on_a_phone(page: Page, base_url: str, path: str, name: str) -> None:
    """The page at 390 px, as a phone opens it (signed in as `page` is): nothing scrolls
    sideways, axe passes, and a screenshot."""
    assert page.context.browser is not None
    context = page.context.browser.new_context(
        base_url=base_url,
        viewport=NARROW,
        storage_state=page.context.storage_state(),
    )
    phone = context.new_page()
    try:
        phone.goto(path)
        chart_drawn(phone)
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        assert width <= NARROW["width"], f"{path} scrolls sideways at 390 px: {width}"
        assert_accessible(phone)
        screenshot(phone, name)
        phone.locator(".sct-kpi-chart").screenshot(path=str(SCREENSHOTS / f"{name}-chart.png"))
        phone.locator(".sct-history-table tbody tr").first.screenshot(
            path=str(SCREENSHOTS / f"{name}-latest-row.png")
        )
    finally:
        context.close()


def test_an_analyst_approves_a_change_point_and_every_rendering_says_so(page: Page, live_server):
    call_command("load_demo", verbosity=0)
    make_user("ann.analyst", "Analyst", staff=True)
    kpi = Kpi.objects.get(ref="1")
    # Thirteen months of the old definition's lower figures before the seed's first.
    for month, value in zip(EARLIER, EARLIER_VALUES, strict=True):
        record(kpi, month, value)
    sign_in(page, "ann.analyst")

    # The portal proposes a change point; nothing is rebased yet.
    page.goto("/kpis/1/")
    proposal = page.locator(".sct-proposal")
    expect(proposal).to_contain_text("Proposed change point from April 2021:")
    expect(page.locator("#spc-segments li")).to_have_count(1)
    assert_accessible(page)

    # Approving without a reason is refused, the field marked and focused from the summary.
    page.get_by_role("button", name="Approve the change point from April 2021").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Say why you approve this change point; it is kept."
    )
    expect(page.locator(".govuk-form-group--error textarea")).to_be_visible()
    assert ChangePoint.objects.count() == 0
    assert_accessible(page)

    page.get_by_label("Why is this a lasting change?").fill("new definition from April 2021")
    page.get_by_role("button", name="Approve the change point from April 2021").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Change point approved")
    assert ChangePoint.objects.get(kpi=kpi).is_approved

    # An event, recorded in the admin on the KPI's page.
    page.goto(f"/admin/kpis/kpi/{kpi.pk}/change/")
    page.locator("#annotations-group .add-row a").click()  # drawn by the admin's script
    added = page.locator("#annotations-group tr.dynamic-annotations")  # not the hidden template
    added.get_by_label("Date (new annotation)").fill("14/03/2022")
    added.get_by_label("Text (new annotation)").fill("Ofsted visit")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")

    # Two baselines, each with its own limits, the change marked, the event on the chart.
    page.goto("/kpis/1/")
    chart_drawn(page)
    segments = page.locator("#spc-segments li")
    expect(segments).to_have_count(2)
    expect(segments.nth(0)).to_contain_text("From Mar-20: mean 60.7%, process limits")
    expect(segments.nth(1)).to_contain_text("From Apr-21: new definition from April 2021 (approved")
    expect(segments.nth(1)).to_contain_text("mean 81.4%, process limits 61.5% to 100.0%")
    expect(page.locator(".sct-position-list")).to_contain_text(
        "Limits from April 2021 (new definition from April 2021)."
    )
    table = page.locator(".sct-history-table")
    expect(table.locator("tbody tr").first).to_contain_text(
        "From Apr-21: new definition from April 2021"
    )
    expect(table.locator("tbody tr", has_text="Mar-22")).to_contain_text(
        "Event, 14 March 2022: Ofsted visit"
    )
    march = table.locator("tbody tr", has_text="Mar-21")
    expect(march).to_contain_text("From Mar-20")
    expect(page.locator("#spc-events")).to_contain_text("14 March 2022: Ofsted visit")
    # Eight datasets: figures, target, and a mean and two limits for each baseline.
    expect(page.locator("#kpi-chart")).to_have_attribute("data-drawn", "8")
    assert_accessible(page)
    page.set_viewport_size(WIDE)
    screenshot(page, "spc-kpi-1-two-baselines-1400")
    page.locator(".sct-kpi-chart").screenshot(path=str(SCREENSHOTS / "spc-kpi-1-chart-1400.png"))
    on_a_phone(page, live_server.url, "/kpis/1/", "spc-kpi-1-two-baselines-390")

    # The report page and its workbook say which limits apply, and carry the event.
    # The demo's Q1 2022/23 report is published, so frozen as it was; a draft for Q4 2021/22
    # (Apr-20 to Mar-22) is built from the figures and records as they are now.
    workflow.start_report(
        quarter=Quarter.of(dt.date(2022, 3, 1)), by=User.objects.get(username="ann.analyst")
    )
    page.goto("/reports/2021-22/q4/")
    notes = page.locator("#spc-baselines")
    expect(notes).to_contain_text(
        "KPI 1 (Percentage of contacts to MASH referral timeliness): Limits from April 2021 "
        "(new definition from April 2021). Event: 14 March 2022: Ofsted visit."
    )
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as Excel (.xlsx)").click()
    workbook = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    cells = [c.value for row in workbook["KPIs"].iter_rows() for c in row if c.value]
    at = cells.index("SPC baselines and events")
    assert cells[at + 2] == (
        "Limits from April 2021 (new definition from April 2021). "
        "Event: 14 March 2022: Ofsted visit."
    )


def test_the_p_chart_kpi_draws_limits_that_follow_each_months_base(page: Page, live_server):
    call_command("load_demo", verbosity=0)
    make_user("mo.manager", "Manager", staff=True)
    sign_in(page, "mo.manager")
    page.set_viewport_size(WIDE)
    page.goto("/kpis/3/")
    chart_drawn(page)
    expect(page.locator(".sct-kpi-chart__caption")).to_contain_text(
        "which vary with each month's base (a p-chart)"
    )
    june = page.locator(".sct-history-table tbody tr").first
    expect(june).to_contain_text("26 of 44")
    expect(june).to_contain_text("for a base of 44")
    # The chart's limits are those of the table, month by month.
    drawn = page.evaluate(
        "() => { const c = Chart.getChart('kpi-chart');"
        " return c.data.datasets.filter(d => d.label.startsWith('Upper')).map(d => d.data)[0]; }"
    )
    assert len(set(drawn)) > 5
    assert max(drawn) == 100.0
    assert_accessible(page)
    screenshot(page, "spc-kpi-3-p-chart-1400")
    page.locator(".sct-kpi-chart").screenshot(path=str(SCREENSHOTS / "spc-kpi-3-chart-1400.png"))
    on_a_phone(page, live_server.url, "/kpis/3/", "spc-kpi-3-p-chart-390")
