"""The benchmark pages in a real browser: both charts draw under the strict CSP, the pages
pass axe (WCAG 2.2 AA) at desktop width and at 390 px, and so do the contract page's
judgements and the admin's import of published statistics."""

from django.core.management import call_command
from playwright.sync_api import Page, expect

from kpis.demo import PUBLISHED_DATA
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.conftest import make_user

WIDTHS = {"desktop": 1400, "phone": 390}


def demo_analyst() -> None:
    call_command("load_demo", verbosity=0)
    make_user("ann.analyst", "Analyst", staff=True)


def test_the_benchmark_pages_draw_and_pass_axe_at_desktop_and_phone_widths(page: Page):
    demo_analyst()
    sign_in(page, "ann.analyst")
    page.goto("/kpis/CICR/")
    page.locator("#benchmarks-link").click()
    expect(page).to_have_url("/kpis/CICR/benchmarks/")
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        # Sandwell and its ten neighbours have a bar each, but for one with a symbol (u).
        for path, slug, bars in (
            ("/kpis/CICR/benchmarks/?period=2022", "cicr-2022", "11"),
            ("/kpis/14/benchmarks/?period=2024", "caseload-2024", "10"),
        ):
            page.goto(path)
            # Sandwell, the neighbours' median and mean, the region and England
            expect(page.locator("#trend-chart")).to_have_attribute("data-drawn", "5")
            expect(page.locator("#ranked-chart")).to_have_attribute("data-drawn", bars)
            assert_accessible(page)
            screenshot(page, f"benchmarks-{slug}-{name}")
    page.goto("/kpis/14/benchmarks/?period=2024")
    expect(page.locator("#trend-table")).to_contain_text("left out: Birmingham, u low reliability")
    expect(page.locator("#symbol-key")).to_contain_text("Low reliability")
    page.get_by_label("Period shown in detail").select_option("2023")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#latest-heading")).to_have_text("At 30 September 2023")


def test_the_contract_page_s_judgements_pass_axe(page: Page):
    demo_analyst()
    sign_in(page, "ann.analyst")
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/contracts/")
        expect(page.locator("#judgements-table")).to_contain_text("Sandwell (this authority)")
        page.get_by_text("Sandwell: every inspection and visit since 2018").click()
        assert_accessible(page)
        screenshot(page, f"contracts-judgements-{name}")


def test_the_admin_import_of_published_statistics_passes_axe(page: Page, tmp_path):
    demo_analyst()
    sign_in(page, "ann.analyst")
    for url in (
        "/admin/kpis/release/",
        "/admin/kpis/release/add/",
        "/admin/kpis/benchmarkmapping/add/",
        "/admin/kpis/comparatorgroup/1/change/",
    ):
        page.goto(url)
        assert_accessible(page)
    # an upload with a problem: the preview names its line and column
    bad = tmp_path / "csww_indicators_2017_to_2025.csv"
    lines = (PUBLISHED_DATA / bad.name).read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = next(i for i, line in enumerate(lines) if line.startswith("2017,") and ",333," in line)
    cells = lines[at].split(",")
    cells[header.index("vacancy_rate_fte")] = "16.1x"
    lines[at] = ",".join(cells)
    bad.write_text("\n".join(lines), encoding="utf-8")
    page.goto("/admin/kpis/release/add/")
    page.get_by_label("Published file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing can be imported from this file")
    expect(page.locator("#content-main")).to_contain_text("“16.1x” is neither a number")
    assert_accessible(page)
    screenshot(page, "admin-published-preview-problem")
