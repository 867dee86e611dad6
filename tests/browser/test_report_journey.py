"""A new analyst, added as the README says, writes last year's Q2 report and sends it; the
manager sends it back with a note the analyst then finds at the top."""

import io
import re

from django.core.management import call_command
from playwright.sync_api import Page, expect

from reports.models import QuarterReport, Status
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.conftest import make_user

NOTE = "Say what the fall in July's assessments means for the front door."


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def test_a_new_analyst_writes_and_sends_a_report_the_manager_sends_back(page: Page):
    call_command("load_demo", verbosity=0)
    make_user("mo.manager", "Manager", staff=True)
    printed = io.StringIO()
    call_command("add_user", "nia.new", "--role", "analyst", stdout=printed)
    password = re.search(r"password:\s+(\S+)", printed.getvalue())
    assert password

    sign_in(page, "nia.new", password[1])
    expect(page.get_by_text("Signed in as nia.new (analyst)")).to_be_visible()
    expect(page.get_by_role("link", name="Data entry (admin)")).to_be_visible()
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_label("Quarter").select_option(label="Q2 2022/23")
    page.get_by_role("button", name="Start a draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the narrative")
    for heading in ("Workforce", "Children in care", "Key performance indicators"):
        expect(page.get_by_label(heading, exact=True)).to_be_visible()
    page.get_by_label("Workforce", exact=True).fill("Agency social workers fell to 18%.")
    page.get_by_label("Key performance indicators", exact=True).fill("Four KPIs are red.")
    assert_accessible(page)
    page.get_by_role("button", name="Save the narrative").click()
    expect(
        page.get_by_text("Narrative saved: “Workforce”, “Key performance indicators”")
    ).to_be_visible()
    expect(page.get_by_text("Agency social workers fell to 18%.")).to_be_visible()
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_text("The report was sent for review.")).to_be_visible()
    sign_out(page)

    sign_in(page, "mo.manager")
    page.goto("/reports/2022-23/q2/")
    page.get_by_role("button", name="Send back to draft").click()  # no note yet: refused
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Say what needs to change")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What needs to change before it is published").fill(NOTE)
    page.get_by_role("button", name="Send back to draft").click()
    expect(page.get_by_text("The report was sent back to draft.")).to_be_visible()
    sign_out(page)

    sign_in(page, "nia.new", password[1])
    page.goto("/reports/2022-23/q2/")
    banner = page.get_by_role("region", name="Sent back to draft")
    expect(banner).to_contain_text(NOTE)
    expect(banner).to_contain_text("mo.manager sent the report back")
    assert_accessible(page)
    screenshot(page, "report-sent-back")
    page.get_by_role("link", name="Edit the narrative").click()
    expect(page.get_by_role("region", name="Sent back to draft")).to_contain_text(NOTE)
    report = QuarterReport.objects.get(year_start=2022, quarter=2)
    assert report.status == Status.DRAFT
    assert report.sections.get(key="workforce").body == "Agency social workers fell to 18%."
