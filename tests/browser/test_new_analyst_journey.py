"""Issue 11's journey whole, in Chromium: a new analyst, added as the README says
(`manage.py add_user`), signs in, imports a file holding a percentage typed as a fraction
(0.4) and a comment column, sees "did you mean 40%?", confirms it, corrects the figure in the
monthly return and saves it, starts last year's Q2 report, writes narrative and sends it; the
manager sends it back with a note, which the analyst finds at the top. axe checks each page.

(tests/browser/test_report_journey.py checks the report's part in more detail: the refused
send-back without a note, the edit page's banner.)"""

import io
import re
from decimal import Decimal

from django.core.management import call_command
from playwright.sync_api import Page, expect

from kpis.models import Observation, ObservationRevision
from reports.models import QuarterReport, Status
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.conftest import make_user

NOTE = "Explain the July figure for contacts to MASH before this goes to the panel."
COMMENT = "From the MASH weekly sheet (typed by hand)"


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def test_a_new_analyst_imports_corrects_saves_the_return_and_sends_the_report(page: Page, tmp_path):
    call_command("load_demo", verbosity=0)
    make_user("mo.manager", "Manager", staff=True)
    printed = io.StringIO()
    call_command("add_user", "ola.analyst", "--role", "analyst", stdout=printed)
    password = re.search(r"password:\s+(\S+)", printed.getvalue())
    assert password

    # Signs in with the first password the command printed, and reaches data entry.
    sign_in(page, "ola.analyst", password[1])
    expect(page.get_by_text("Signed in as ola.analyst (analyst)")).to_be_visible()
    page.get_by_role("link", name="Data entry (admin)").first.click()
    page.goto("/admin/kpis/importedfile/add/")

    upload = tmp_path / "july.csv"
    upload.write_text(
        f"ref,month,value,comment\n1,Jul-22,0.4,{COMMENT}\n14,Jul-22,19.4,\n", encoding="utf-8"
    )
    page.get_by_label("Spreadsheet").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and preview").click()
    to_check = page.get_by_role("table", name="Figures to check")
    expect(to_check).to_contain_text("did you mean 40%?")
    expect(page.get_by_role("table", name="New figures")).to_contain_text(COMMENT)
    assert not Observation.objects.filter(month="2022-07-01").exists()  # nothing written yet
    assert_accessible(page)
    screenshot(page, "new-analyst-1-import-fraction")
    # Ticked, the file is imported with its comment as the figure's note.
    page.get_by_label("I have checked the 1 figure listed under “Figures to check”").check()
    page.get_by_role("button", name="Import 2 figures").click()
    expect(page.locator(".messagelist")).to_contain_text("Imported 2 figures from july.csv")
    imported = Observation.objects.get(kpi__ref="1", month="2022-07-01")
    assert (imported.value, imported.note) == (Decimal("0.4"), COMMENT)

    # The monthly return for July shows it; the analyst corrects it to 40.0%.
    page.goto("/admin/kpis/monthlyreturn/?month=2022-07")
    value = page.get_by_label("Value for KPI 1, Jul-22 (percentage)")
    expect(value).to_have_value("0.4")
    expect(page.get_by_label("Note on KPI 1, Jul-22")).to_have_value(COMMENT)
    assert_accessible(page)
    value.fill("40.0")
    page.get_by_label("Reason for these changes (optional)").fill("0.4 was 40% typed as a fraction")
    page.get_by_role("button", name="Save the return for July 2022").click()
    # 40.0% is unusual for KPI 1 (its figures run 70–96%): asked to check, nothing saved.
    expect(page.get_by_role("heading", name="Nothing has been saved yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("I have checked this figure for KPI 1").check()
    page.get_by_role("button", name="Save the return for July 2022").click()
    expect(page.locator(".messagelist")).to_contain_text("Saved 1 figure for Jul-22")
    saved = Observation.objects.get(kpi__ref="1", month="2022-07-01")
    assert (saved.value, saved.note) == (Decimal("40.0"), COMMENT)
    latest = ObservationRevision.objects.filter(kpi__ref="1", month="2022-07-01").latest("id")
    assert (latest.source, latest.changed_by_name, latest.reason) == (
        "monthly return",
        "ola.analyst",
        "0.4 was 40% typed as a fraction",
    )

    # Last year's Q2 report: started, written, sent.
    page.goto("/reports/")
    assert_accessible(page)
    page.get_by_label("Quarter").select_option(label="Q2 2022/23")
    page.get_by_role("button", name="Start a draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the narrative")
    page.get_by_label("Key performance indicators", exact=True).fill(
        "Contacts to MASH fell to 40.0% in July."
    )
    page.get_by_role("button", name="Save the narrative").click()
    expect(page.get_by_text("Narrative saved: “Key performance indicators”")).to_be_visible()
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_text("The report was sent for review.")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The manager sends it back with a note.
    sign_in(page, "mo.manager")
    page.goto("/reports/2022-23/q2/")
    page.get_by_label("What needs to change before it is published").fill(NOTE)
    page.get_by_role("button", name="Send back to draft").click()
    expect(page.get_by_text("The report was sent back to draft.")).to_be_visible()
    sign_out(page)

    # The analyst finds the note at the top of the report.
    sign_in(page, "ola.analyst", password[1])
    page.goto("/reports/2022-23/q2/")
    banner = page.get_by_role("region", name="Sent back to draft")
    expect(banner).to_contain_text(NOTE)
    box = banner.bounding_box()
    heading = page.get_by_role("heading", level=1).bounding_box()
    assert box is not None
    assert heading is not None
    assert box["y"] < heading["y"] + 400  # at the top, before the report's sections
    assert_accessible(page)
    screenshot(page, "new-analyst-2-sent-back")
    report = QuarterReport.objects.get(year_start=2022, quarter=2)
    assert report.status == Status.DRAFT
    assert report.sections.get(key="kpis").body == "Contacts to MASH fell to 40.0% in July."
