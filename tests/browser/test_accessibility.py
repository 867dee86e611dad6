"""axe-core (WCAG 2.2 A and AA) on every portal page and every admin page an analyst uses.

The admin pages are found the way an analyst finds them: every list and "add" page linked
from the admin index, the first record of every list, and the data-entry pages. The pages
checked are written to screenshots/axe-pages.txt.
"""

import re

from django.core.management import call_command
from playwright.sync_api import Page

from reports import workflow
from sct_portal.periods import FinancialYear, Quarter
from tests.browser.conftest import SCREENSHOTS, assert_accessible, sign_in
from tests.conftest import make_user

PORTAL_PAGES = [
    "/",
    "/?month=2021-12&sort=-rag",
    "/kpis/1/",
    "/kpis/5/",
    "/kpis/CIC/",
    "/kpis/CICR/benchmarks/",
    "/kpis/13/benchmarks/",
    "/trend/2022-23/q1/",
    "/finance/2022-23/",
    "/contracts/",
    "/reports/",
    "/reports/2022-23/q1/",
    "/no-such-page/",
]
DATA_ENTRY_PAGES = [
    "/admin/kpis/monthlyreturn/?month=2022-07",
    "/admin/kpis/monthlyreturn/?month=2022-06",  # a closed month
    "/admin/kpis/importedfile/add/",
    "/admin/kpis/release/add/",
    "/admin/kpis/observation/export/",
]


def checked(page: Page, url: str, seen: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    seen.append(url)


def test_every_portal_page_passes_axe(page: Page):
    call_command("load_demo", verbosity=0)
    analyst = make_user("ann.analyst", "Analyst", staff=True)
    draft = workflow.start_report(quarter=Quarter(FinancialYear(2022), 2), by=analyst)
    sign_in(page, "ann.analyst")
    seen: list[str] = []
    for url in [*PORTAL_PAGES, draft.get_absolute_url(), draft.edit_url]:
        checked(page, url, seen)
    assert len(seen) == len(PORTAL_PAGES) + 2
    _record("portal (as an analyst)", seen)


def test_every_admin_page_an_analyst_uses_passes_axe(page: Page):
    call_command("load_demo", verbosity=0)
    make_user("ann.analyst", "Analyst", staff=True)
    sign_in(page, "ann.analyst")
    seen: list[str] = []
    checked(page, "/admin/", seen)
    links = page.eval_on_selector_all(
        "#content-main a[href^='/admin/']", "links => links.map(a => a.getAttribute('href'))"
    )
    lists = sorted({href for href in links if re.fullmatch(r"/admin/\w+/\w+/", href)})
    adds = sorted({href for href in links if href.endswith("/add/")})
    assert len(lists) >= 15, lists
    for url in lists:
        checked(page, url, seen)
        first = page.locator("#result_list tbody tr th a, #result_list tbody tr td a").first
        if first.count():
            href = first.get_attribute("href")
            if href and href.startswith("/admin/"):
                checked(page, href, seen)
    for url in adds:
        checked(page, url, seen)
    for url in DATA_ENTRY_PAGES:
        checked(page, url, seen)
    _record("admin (as an analyst)", seen)


def _record(title: str, pages: list[str]) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    with open(SCREENSHOTS / "axe-pages.txt", "a", encoding="utf-8") as out:
        out.write(f"# {title}: {len(pages)} pages, no WCAG 2.2 A/AA violation\n")
        out.writelines(f"{url}\n" for url in pages)
