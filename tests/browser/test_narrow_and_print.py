"""On a phone (390 px), on a wide screen (1400 px) and on paper: the pages a manager or a
councillor reads fit the screen with every figure in view, the wide tables keep Ref and KPI
in sight while the months scroll, and the printed report keeps each chart off its table."""

import io
import re
from collections.abc import Iterator

import pikepdf
import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.conftest import SCREENSHOTS, assert_accessible, screenshot, sign_in
from tests.conftest import make_user

PHONE: ViewportSize = {"width": 390, "height": 844}
WIDE: ViewportSize = {"width": 1400, "height": 900}
PAGES = {
    "overview": "/",
    "kpi": "/kpis/1/",
    "report": "/reports/2022-23/q1/",
    "reports": "/reports/",
    "monthly-return": "/admin/kpis/monthlyreturn/?month=2022-07",
}


def opened(browser: Browser, live_server, viewport: ViewportSize) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser: Browser, live_server) -> Iterator[Page]:
    yield from opened(browser, live_server, PHONE)


@pytest.fixture
def wide(browser: Browser, live_server) -> Iterator[Page]:
    yield from opened(browser, live_server, WIDE)


def analyst_on_demo(page: Page) -> None:
    call_command("load_demo", verbosity=0)
    make_user("ann.analyst", "Analyst", staff=True)
    sign_in(page, "ann.analyst")


def document_width(page: Page) -> int:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width


def test_at_390_px_no_page_scrolls_sideways_and_axe_passes(phone: Page):
    analyst_on_demo(phone)
    for name, url in PAGES.items():
        phone.goto(url)
        phone.wait_for_load_state("networkidle")
        assert document_width(phone) <= PHONE["width"], (url, document_width(phone))
        assert_accessible(phone)
        screenshot(phone, f"narrow-{name}-390")


def test_at_390_px_every_figure_rag_and_spc_reading_of_the_overview_is_on_screen(phone: Page):
    analyst_on_demo(phone)
    phone.goto("/")
    rows = phone.locator("#kpi-table tbody tr")
    assert rows.count() >= 15
    for label in ("Latest figure", "RAG", "SPC variation", "Target", "Against a year before"):
        cells = phone.locator(f'#kpi-table tbody td[data-label="{label}"]')
        assert cells.count() == rows.count(), label
        for index in range(cells.count()):
            box = cells.nth(index).bounding_box()
            assert box is not None, (label, index)
            assert box["x"] >= 0, (label, index)
            assert box["x"] + box["width"] <= PHONE["width"], (label, index, box)
    # Each reading says what it is: the column's header is shown beside it.
    first = rows.first
    expect(first).to_contain_text("74.9%")
    label = first.locator('td[data-label="RAG"]').evaluate(
        "cell => getComputedStyle(cell, '::before').content"
    )
    assert label == '"RAG"'
    caption = phone.locator("#kpi-table caption")
    box = caption.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= PHONE["width"]  # the caption wraps, not cut


def test_on_a_wide_screen_ref_and_kpi_stay_in_view_while_the_months_scroll(wide: Page):
    analyst_on_demo(wide)
    for name, url in (("trend", "/trend/2022-23/q1/"), ("report", "/reports/2022-23/q1/")):
        wide.goto(url)
        region = wide.locator(".sct-table-scroll:has(.sct-trend-table)")
        region.scroll_into_view_if_needed()
        widths = region.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert widths[0] > widths[1], f"{url}: the months do not scroll at 1400 px"
        row = region.locator("tbody tr").first
        before = [row.locator(":scope > *").nth(i).bounding_box() for i in range(3)]
        region.evaluate("e => { e.scrollLeft = 500; }")
        after = [row.locator(":scope > *").nth(i).bounding_box() for i in range(3)]
        assert all(box is not None for box in before + after)
        assert after[0]["x"] == pytest.approx(before[0]["x"], abs=1), url  # type: ignore[index]
        assert after[1]["x"] == pytest.approx(before[1]["x"], abs=1), url  # type: ignore[index]
        assert after[2]["x"] < before[2]["x"] - 400, url  # type: ignore[index]  # the months moved
        assert document_width(wide) <= WIDE["width"]
        SCREENSHOTS.mkdir(exist_ok=True)
        region.screenshot(path=str(SCREENSHOTS / f"wide-{name}-table-scrolled-1400.png"))
        screenshot(wide, f"wide-{name}-1400")


def test_the_printed_report_keeps_each_chart_off_its_table_and_the_kpis_landscape(page: Page):
    analyst_on_demo(page)
    page.goto("/reports/2022-23/q1/")
    page.emulate_media(media="print")
    figures = page.locator("figure.sct-report-chart")
    assert figures.count() == 3
    for index in range(figures.count()):
        chart = figures.nth(index).locator("svg").bounding_box()
        table = figures.nth(index).locator("table").bounding_box()
        assert chart is not None
        assert table is not None
        apart = (
            chart["x"] + chart["width"] <= table["x"] or chart["y"] + chart["height"] <= table["y"]
        )
        assert apart, (index, chart, table)
    printed = pikepdf.open(io.BytesIO(page.pdf(format="A4", print_background=True)))
    # Portrait A4, the KPI section on landscape A4, then portrait again.
    sizes = [(float(p.MediaBox[2]), float(p.MediaBox[3])) for p in printed.pages]
    assert all(sorted(size) == pytest.approx([595.3, 841.9], abs=1.5) for size in sizes), sizes
    assert re.fullmatch(r"P+L+P+", "".join("L" if w > h else "P" for w, h in sizes)), sizes
