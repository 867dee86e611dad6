"""Data entry in a real browser: the monthly return and a spreadsheet import, filled in by
their labels, their errors shown, every page free of WCAG 2.2 A/AA violations (axe-core)."""

from decimal import Decimal

from playwright.sync_api import Page, expect

from kpis import demo
from kpis.models import Observation
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.conftest import SEED_REPORT, make_user


def test_an_analyst_fills_in_the_monthly_return(page: Page):
    demo.load()
    make_user("ann.analyst", "Analyst", staff=True)
    sign_in(page, "ann.analyst")
    page.goto("/admin/")
    page.get_by_role("link", name="Monthly return").first.click()
    page.get_by_label("Month", exact=True).select_option(label="June 2022")
    page.get_by_role("button", name="Open the return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monthly return for June 2022")
    assert_accessible(page)

    page.get_by_label("Value for KPI 1, Jun-22 (percentage)").fill("104")
    page.get_by_label("Value for KPI 5, Jun-22 (count)").fill("600")
    page.get_by_role("button", name="Save the return for June 2022").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Nothing has been saved yet")
    expect(summary).to_contain_text(
        "KPI 1, Jun-22: a percentage must be between 0 and 100, not 104."
    )
    assert_accessible(page)
    screenshot(page, "monthly-return-errors")

    page.get_by_label("Value for KPI 1, Jun-22 (percentage)").fill("75.0")
    page.get_by_label("I have checked this figure for KPI 5").check()
    page.get_by_role("button", name="Save the return for June 2022").click()
    expect(page.locator(".messagelist")).to_contain_text("Saved 2 figures for Jun-22")
    assert Observation.objects.get(kpi__ref="5", month="2022-06-01").value == Decimal("600")
    assert_accessible(page)


def test_an_analyst_previews_and_imports_the_report_s_table(page: Page, tmp_path):
    demo.load()
    make_user("ann.analyst", "Analyst", staff=True)
    text = SEED_REPORT.read_text(encoding="utf-8")
    bad, good = tmp_path / "bad.tsv", tmp_path / "q1.tsv"
    bad.write_text(text.replace("74.9%\n", "75.0%\n").replace("59.1%", "lots"), encoding="utf-8")
    good.write_text(text.replace("74.9%\n", "75.0%\n"), encoding="utf-8")
    sign_in(page, "ann.analyst")
    page.goto("/admin/kpis/importedfile/add/")
    assert_accessible(page)

    page.get_by_label("Spreadsheet").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing can be imported from this file")
    problems = page.get_by_role("table", name="Problems, with the cell or line they are in")
    expect(problems).to_contain_text('"lots" is neither a number nor a symbol')
    assert_accessible(page)
    screenshot(page, "import-problems")

    page.goto("/admin/kpis/importedfile/add/")
    page.get_by_label("Spreadsheet").set_input_files(str(good))
    page.get_by_role("button", name="Upload and preview").click()
    changed = page.get_by_role("table", name="Changed figures: 1")
    expect(changed).to_contain_text("74.9%")
    expect(changed).to_contain_text("75.0%")
    assert_accessible(page)
    page.get_by_label("Reason (optional)").fill("MASH late returns counted")
    page.get_by_role("button", name="Import 1 figure").click()
    expect(page.locator(".messagelist")).to_contain_text("Imported 1 figure from q1.tsv")
    assert Observation.objects.get(kpi__ref="1", month="2022-06-01").value == Decimal("75.0")
    assert_accessible(page)


def test_the_export_page_and_a_closed_month_are_accessible(page: Page):
    import datetime as dt

    from kpis import locking

    demo.load()
    manager = make_user("mo.manager", "Manager", staff=True)
    make_user("ann.analyst", "Analyst", staff=True)
    locking.close_months(months=[dt.date(2022, 6, 1)], by=manager, reason="Q1 report published")
    sign_in(page, "ann.analyst")
    page.goto("/admin/kpis/observation/export/")
    expect(page.get_by_label("From")).to_have_value("2021-04")
    assert_accessible(page)
    page.goto("/admin/kpis/monthlyreturn/?month=2022-06")
    expect(page.get_by_text("Closed month:")).to_be_visible()
    expect(page.get_by_role("button", name="Save the return for June 2022")).to_have_count(0)
    assert_accessible(page)
    page.goto("/admin/kpis/observation/?closed=yes")
    assert_accessible(page)


def test_the_import_page_follows_the_background_work_until_the_preview(
    page: Page, tmp_path, settings
):
    """The worker is slow today (the dummy backend holds the task): the page says the file
    waits, then, once the work is done, shows the preview by itself (a static module polls
    the status endpoint; no inline script)."""
    from kpis import tasks
    from kpis.models import ImportedFile

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    demo.load()
    make_user("ann.analyst", "Analyst", staff=True)
    june = tmp_path / "june.csv"
    june.write_text("ref,month,value\n1,Jun-22,75.0\n", encoding="utf-8")
    sign_in(page, "ann.analyst")
    page.goto("/admin/kpis/importedfile/add/")
    screenshot(page, "import-upload")
    page.get_by_label("Spreadsheet").set_input_files(str(june))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", name="Waiting to be read")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Waiting for the background worker")
    assert_accessible(page)
    screenshot(page, "import-waiting")
    # What the worker would do (the queued task is held by the server thread's backend).
    tasks.read_import.call(ImportedFile.objects.get().pk)
    changed = page.get_by_role("table", name="Changed figures: 1")
    expect(changed).to_contain_text("75.0%", timeout=10_000)
    assert_accessible(page)
    screenshot(page, "import-preview")
