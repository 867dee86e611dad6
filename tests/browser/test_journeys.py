"""The users' journeys, end to end in Chromium against the live server, checked with axe."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
from django.core.management import call_command
from playwright.sync_api import Page, expect

from kpis.models import Kpi, Observation
from reports.models import QuarterReport, Status
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.conftest import make_user
from tests.recording import record

JULY = dt.date(2022, 7, 1)


def demo_with_users() -> None:
    """The demo data (Q1 2022/23 published) and one user of each role."""
    call_command("load_demo", verbosity=0)
    make_user("ann.analyst", "Analyst", staff=True)
    make_user("mo.manager", "Manager", staff=True)
    make_user("vi.viewer", "Viewer", staff=False)


def july_figures() -> dict[str, str]:
    """A figure for every KPI due in July 2022: June's, so that none asks to be checked."""
    june = {o.kpi.ref: o for o in Observation.objects.filter(month="2022-06-01")}
    due = Kpi.objects.active().due_in(JULY)
    return {kpi.ref: str(Decimal(june[kpi.ref].value or 0).normalize()) for kpi in due}


def press_tab_until(page: Page, label: str, limit: int = 400) -> None:
    """Move the keyboard focus forward to the field with this accessible label."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e && e.labels && e.labels[0] ? e.labels[0].textContent.trim() : ''; }"
        )
        if focused == label:
            return
    raise AssertionError(f"the keyboard never reached {label!r}")


def test_an_analyst_completes_the_july_return_with_the_keyboard_alone(page: Page):
    demo_with_users()
    figures = july_figures()
    assert len(figures) == 15
    sign_in(page, "ann.analyst")
    page.goto("/admin/kpis/monthlyreturn/")
    press_tab_until(page, "Month")
    page.keyboard.type("July 2022")  # a select takes the option typed
    expect(page.get_by_label("Month", exact=True)).to_have_value("2022-07")
    page.keyboard.press("Tab")  # to "Open the return"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Monthly return for July 2022")
    assert_accessible(page)

    first = "Value for KPI 1, Jul-22 (percentage)"
    press_tab_until(page, first)
    page.keyboard.type("104%")
    for ref, value in figures.items():
        if ref == "1":
            continue
        kpi = Kpi.objects.get(ref=ref)
        press_tab_until(page, f"Value for KPI {ref}, Jul-22 ({kpi.get_unit_display().lower()})")
        page.keyboard.type(value)
    page.keyboard.press("Enter")  # submits the return

    # The error is beside the figure, and in the summary; nothing is saved.
    row_error = page.locator("tr.entry-messages").first
    expect(row_error).to_contain_text("KPI 1, Jul-22: a percentage must be between 0 and 100")
    described = page.get_by_label(first).get_attribute("aria-describedby") or ""
    assert row_error.locator("td").get_attribute("id") in described.split()
    expect(page.get_by_role("alert")).to_contain_text("Nothing has been saved yet")
    assert not Observation.objects.filter(month=JULY).exists()
    assert_accessible(page)
    screenshot(page, "journey-1-return-error")

    # Follow the summary's link to the field with the keyboard, correct it, save.
    link = page.get_by_role("alert").get_by_role("link").first
    link.focus()
    page.keyboard.press("Enter")
    press_tab_until(page, first)
    page.keyboard.press("Control+A")
    page.keyboard.type(figures["1"])
    page.keyboard.press("Enter")

    expect(page.locator(".messagelist")).to_contain_text("Saved 15 figures for Jul-22")
    saved = {o.kpi.ref: o.value for o in Observation.objects.filter(month=JULY)}
    assert saved == {ref: Decimal(value) for ref, value in figures.items()}
    assert_accessible(page)


def test_a_manager_sees_july_on_the_overview_and_a_chart_drawn_beside_its_table(page: Page):
    demo_with_users()
    analyst = make_user("lead", "Analyst", staff=True)
    for ref, value in july_figures().items():
        record(ref, JULY, value, by=analyst)
    sign_in(page, "mo.manager")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Performance overview, July 2022")
    expect(page.locator('[data-kpi="1"]')).to_have_text("74.9%")
    assert_accessible(page)
    screenshot(page, "journey-2-overview-july")

    page.get_by_role("link", name="Percentage of contacts to MASH referral timeliness").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Percentage of contacts to MASH referral timeliness"
    )
    canvas = page.locator("#kpi-chart")
    expect(canvas).to_have_attribute("data-drawn", "5")
    inked = page.evaluate(
        """() => { const c = document.getElementById("kpi-chart");
          const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
          let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"""
    )
    assert inked > 5000
    twin = page.get_by_role("table", name="Every figure, newest first")
    expect(twin).to_be_visible()
    expect(twin.get_by_role("row").nth(1)).to_contain_text("Jul-22")
    assert_accessible(page)
    screenshot(page, "journey-2-kpi-chart")


def wide_workbook(path) -> None:
    """An .xlsx in the report's wide layout: ref, description, one column per month."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "KPIs"
    sheet.append(["Pl.No", "DESCRIPTION OF KPI", "Jul-22"])
    sheet.append(["1", "Percentage of contacts to MASH referral timeliness", 0.801])
    sheet["C2"].number_format = "0.0%"
    sheet.append(["14", "Average overall caseloads across Children's Services", 19.2])
    workbook.save(path)


def test_an_analyst_imports_a_workbook_reads_the_preview_and_the_figures_appear(
    page: Page, tmp_path
):
    demo_with_users()
    upload = tmp_path / "july-return.xlsx"
    wide_workbook(upload)
    sign_in(page, "ann.analyst")
    page.goto("/admin/")
    page.get_by_role("link", name="Spreadsheet imports").first.click()
    page.get_by_role("link", name="Add spreadsheet import").first.click()
    assert_accessible(page)
    page.get_by_label("Spreadsheet").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and preview").click()
    new = page.get_by_role("table", name="New figures")
    expect(new).to_contain_text("80.1%")
    expect(new).to_contain_text("19.20")
    expect(page.get_by_role("list", name="Summary")).to_contain_text("2 new")
    assert not Observation.objects.filter(month=JULY).exists()  # a preview writes nothing
    assert_accessible(page)
    screenshot(page, "journey-3-import-preview")
    page.get_by_role("button", name="Import 2 figures").click()
    expect(page.locator(".messagelist")).to_contain_text("Imported 2 figures from july-return.xlsx")
    assert Observation.objects.get(kpi__ref="1", month=JULY).value == Decimal("80.1")
    page.goto("/kpis/1/")
    expect(page.get_by_role("table", name="Every figure, newest first")).to_contain_text("80.1%")


def test_a_manager_publishes_q1_and_downloads_the_workbook(page: Page):
    call_command("load_demo", verbosity=0)
    QuarterReport.objects.all().delete()
    analyst = make_user("ann.analyst", "Analyst", staff=True)
    make_user("mo.manager", "Manager", staff=True)
    from reports import workflow
    from reports.demo import QUARTER

    report = workflow.start_report(quarter=QUARTER, by=analyst)
    workflow.save_narrative(
        report=report, bodies={"kpis": "The red KPIs follow staffing."}, by=analyst
    )
    workflow.submit_for_review(report=report, by=analyst)

    sign_in(page, "mo.manager")
    page.goto("/reports/")
    assert_accessible(page)
    page.get_by_role("link", name=report.heading).click()
    expect(page.get_by_text("In review", exact=True)).to_be_visible()
    assert_accessible(page)
    # Publishing asks first, saying what follows: the report frozen, the months closed.
    page.get_by_role("link", name="Publish the report…").click()
    expect(page.get_by_role("heading", name="Publish this report?")).to_be_visible()
    expect(page.get_by_text("the report is frozen as it stands", exact=False)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Publish the report").click()
    expect(page.get_by_text("The report is published.")).to_be_visible()
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
    assert_accessible(page)
    screenshot(page, "journey-4-published")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as Excel (.xlsx)").click()
    assert download.value.suggested_filename == "performance-report-2022-23-q1.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = {row[0]: row for row in workbook["KPIs"].iter_rows(min_row=4, values_only=True)}
    assert rows["1"][16] == 0.749  # 74.9% in June 2022, as a true percentage
    assert rows["5"][16] == 258
    assert rows["14"][16] == 19.61
    summary = " ".join(
        str(v) for row in workbook["Summary"].iter_rows(values_only=True) for v in row if v
    )
    assert "The red KPIs follow staffing." in summary
    assert "Status: Published" in summary


def test_a_viewer_reaches_neither_the_admin_nor_a_draft_report(page: Page):
    call_command("load_demo", verbosity=0)
    analyst = make_user("ann.analyst", "Analyst", staff=True)
    make_user("vi.viewer", "Viewer", staff=False)
    from reports import workflow
    from sct_portal.periods import FinancialYear, Quarter

    draft = workflow.start_report(quarter=Quarter(FinancialYear(2022), 2), by=analyst)
    sign_in(page, "vi.viewer")
    response = page.goto("/admin/kpis/observation/")
    assert response is not None
    assert response.status == 403
    response = page.goto(draft.get_absolute_url())
    assert response is not None
    assert response.status == 404
    assert_accessible(page)
    page.goto("/reports/")
    expect(page.get_by_role("link", name="Quarter 1 Performance Report 2022")).to_be_visible()
    expect(page.get_by_role("link", name=draft.heading)).to_have_count(0)
    assert_accessible(page)
