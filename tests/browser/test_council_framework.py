"""A second council's quarterly framework (tests/kpis/test_second_framework.py, set up
through the admin and the import) in Chromium: its trend table and report at a desktop's
1400 px and a phone's 390 px, checked with axe, never scrolling sideways on the phone, with
screenshots for people to look at."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.kpis.test_second_framework import COUNCIL, council, report  # noqa: F401 (fixtures)

PAGES = [
    ("council-trend-table", "/trend/2022-23/q1/", "Quarterly KPIs, Q1 2021/22 to Q1 2022/23"),
    ("council-report", "/reports/2022-23/q1/", "Children's services scorecard"),
]


@pytest.mark.parametrize("width", [1400, 390])
def test_the_councils_trend_table_and_report_read_right_at_each_width(
    page: Page,
    report,  # noqa: F811 (the fixture)
    width: int,
):
    sign_in(page, "ann.analyst")
    page.set_viewport_size({"width": width, "height": 900})
    for name, url, words in PAGES:
        page.goto(url)
        expect(page.get_by_text(words).first).to_be_visible()
        expect(page.locator("header").first).to_contain_text(COUNCIL)
        assert "trust" not in page.locator("body").inner_text().lower()
        assert_accessible(page)
        if width == 390:
            sideways = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert sideways <= 0, f"{url} scrolls sideways by {sideways}px at 390px"
        screenshot(page, f"{name}-{width}")
