"""The dashboards in a real browser: the KPI chart draws under the strict CSP, every page
passes axe (WCAG 2.2 AA), and without JavaScript the tables still carry every figure."""

from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.conftest import PASSWORD, make_user


def demo_manager() -> None:
    call_command("load_demo", verbosity=0)
    make_user("mo.manager", "Manager", staff=True)


def drawn_pixels(page: Page) -> int:
    """How many pixels of the chart's canvas are not blank."""
    inked: int = page.evaluate(
        """() => {
          const canvas = document.getElementById("kpi-chart");
          const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
          let inked = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) inked += 1;
          return inked;
        }"""
    )
    return inked


def test_the_kpi_chart_draws_with_its_target_limits_and_goal(page: Page):
    demo_manager()
    sign_in(page, "mo.manager")
    # CIC's two figures are too few for SPC: no mean or limits, only the figures and the goal.
    for path, datasets in (("/kpis/1/", "5"), ("/kpis/CIC/", "2")):
        page.goto(path)
        canvas = page.locator("#kpi-chart")
        expect(canvas).to_be_visible()
        # Figures, mean, two limits and the target (KPI 1); figures and the goal (CIC).
        expect(canvas).to_have_attribute("data-drawn", datasets)
        assert drawn_pixels(page) > 5000, path
        widths = page.evaluate(
            "() => { const c = document.getElementById('kpi-chart');"
            " return [c.clientWidth, c.parentElement.clientWidth]; }"
        )
        assert widths[0] >= widths[1] - 2, f"the chart does not fill its frame: {widths}"
        assert_accessible(page)
        screenshot(page, f"kpi-{path.strip('/').split('/')[-1]}")


def test_the_overview_and_trend_table_pass_axe(page: Page):
    demo_manager()
    sign_in(page, "mo.manager")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Performance overview, June 2022")
    assert_accessible(page)
    page.get_by_label("RAG rating").select_option("red")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("table")).to_contain_text("10 KPIs matching the filters")
    assert_accessible(page)
    page.goto("/trend/")
    expect(page).to_have_url("/trend/2022-23/q1/")
    assert_accessible(page)
    screenshot(page, "trend-table")
    page.get_by_label("Quarter", exact=True).select_option(label="Quarter 4 2021/22")
    page.get_by_role("button", name="Show quarter").click()
    expect(page).to_have_url("/trend/2021-22/q4/")


def test_without_javascript_the_tables_carry_every_figure(browser: Browser, live_server):
    demo_manager()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill("mo.manager")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/kpis/1/")
    expect(page.locator(".sct-kpi-chart")).to_be_hidden()  # no empty frame where a chart would be
    expect(page.get_by_role("table", name="Every figure, newest first")).to_contain_text("74.9%")
    expect(page.locator("#position-sentence")).to_contain_text("74.9% in June 2022")
    page.goto("/?sort=-rag")
    expect(page.get_by_role("table")).to_contain_text("Percentage of contacts to MASH")
    context.close()
