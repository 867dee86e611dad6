"""The contracts page in a real browser, accessible to axe."""

from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.conftest import make_user


def test_a_viewer_reads_contract_matters_and_judges_them_as_at_a_day(page: Page):
    call_command("load_demo", verbosity=0)
    make_user("vi.viewer", "Viewer", staff=False)
    sign_in(page, "vi.viewer")
    page.get_by_role("link", name="Contract").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contract and assurance")
    expect(page.get_by_role("table", name="Inspection history")).to_contain_text(
        "Requires improvement to be good"
    )
    assert_accessible(page)
    screenshot(page, "contracts-today")
    page.get_by_label("Judge as at another date").fill("2022-08-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No milestone is overdue as at 1 August 2022.")).to_be_visible()
    expect(page.get_by_role("table", name="Upcoming milestones")).to_contain_text(
        "28 September 2022"
    )
    assert_accessible(page)
    screenshot(page, "contracts-as-at-august-2022")
    page.get_by_label("Judge as at another date").fill("next week")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_contain_text("is not a date")
    assert_accessible(page)
