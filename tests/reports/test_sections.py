"""A report's sections: the organisation's to define, each report's own once started, and
never a place where typed narrative is lost."""

import datetime as dt
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest

from reports import workflow
from reports.demo import QUARTER
from reports.models import Action, Block, NarrativeSection, QuarterReport, SectionTemplate
from reports.views import _quarters_to_start
from sct_portal.models import Organisation

pytestmark = pytest.mark.django_db

OLD_SNAPSHOT = Path(__file__).parent / "data" / "snapshot-published-before-sections.json"
SEED_HEADINGS = [
    "Workforce",
    "Children in care",
    "Key performance indicators",
    "Finances",
    "Contractual matters",
]


def headings(page: str) -> list[str]:
    return re.findall(r'<h2 class="govuk-heading-l" id="section-[^"]+">([^<]+)</h2>', page)


def test_a_fresh_database_holds_the_seed_reports_five_sections_as_the_template(db):
    assert [t.heading for t in SectionTemplate.objects.all()] == SEED_HEADINGS
    assert SectionTemplate.objects.get(key="kpis").blocks == [Block.KPI_TABLE]


def test_a_report_starts_with_the_organisations_own_sections(data, analyst, analyst_client):
    SectionTemplate.objects.exclude(key__in=["kpis", "children-in-care"]).delete()
    SectionTemplate.objects.filter(key="kpis").update(order=1, heading="How we are doing")
    SectionTemplate.objects.create(heading="Looking ahead", order=9)
    report = workflow.start_report(quarter=QUARTER, by=analyst)
    page = analyst_client.get(report.get_absolute_url()).content.decode()
    assert headings(page) == ["How we are doing", "Children in care", "Looking ahead"]
    kpis = page[page.index("How we are doing") : page.index(">Children in care<")]
    assert 'id="kpi-table-caption-monthly"' in kpis  # the section keeps the table it was given
    assert "Planned surplus" not in page  # no section holds finance
    # The template changes later: a report already started keeps its sections.
    SectionTemplate.objects.all().delete()
    assert report.sections.count() == 3


def test_finance_and_contract_show_only_where_the_organisation_uses_them(data, analyst):
    Organisation.objects.create(
        portal_name="Portal", name="Anytown Council", kind="council", area="Anytown",
        uses_finance=False, uses_contract=False,
    )  # fmt: skip
    report = workflow.start_report(quarter=QUARTER, by=analyst)
    assert [s.heading for s in report.sections.all()] == SEED_HEADINGS[:3]
    from reports import assemble, excel

    book = openpyxl.load_workbook(io.BytesIO(excel.render(assemble.build(report))))
    assert "Finance" not in book.sheetnames
    assert "Contract" not in book.sheetnames


def test_a_report_made_outside_the_workflow_keeps_the_text_typed_into_it(
    data, analyst, analyst_client
):
    """Issue 11: a report added in the admin had no sections, and its editor answered
    'Narrative saved (0 sections changed)' while throwing the text away."""
    assert analyst_client.get("/admin/reports/quarterreport/add/").status_code == 403
    report = QuarterReport.objects.create(year_start=2022, quarter=2)  # no sections at all
    typed = "Vacancies in the West locality fell to 12%."
    response = analyst_client.post(report.edit_url, {"workforce": typed})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert typed in page  # kept on the page, to copy or to place
    assert "has nowhere to go" in page
    assert "0 sections" not in page
    # The analyst adds the section and the text goes in.
    analyst_client.post(report.sections_url, {"action": "add", "new-heading": "Workforce"})
    response = analyst_client.post(report.edit_url, {"workforce": typed})
    assert response.status_code == 302
    assert report.sections.get().body == typed


def test_text_for_a_section_removed_meanwhile_is_kept_on_the_page(data, analyst, analyst_client):
    report = workflow.start_report(quarter=QUARTER, by=analyst)
    workflow.add_section(report=report, heading="Looking ahead", by=analyst)
    opened = analyst_client.get(report.edit_url).content.decode()
    assert 'name="looking-ahead"' in opened
    workflow.remove_section(report=report, key="looking-ahead", by=analyst)  # a colleague
    response = analyst_client.post(report.edit_url, {"looking-ahead": "Next quarter we…"})
    assert response.status_code == 400
    assert "Next quarter we…" in response.content.decode()
    assert not NarrativeSection.objects.filter(report=report, body__contains="Next").exists()


def test_analysts_add_rename_reorder_and_remove_an_empty_section_each_in_the_history(
    data, analyst, analyst_client
):
    report = workflow.start_report(quarter=QUARTER, by=analyst)
    url = report.sections_url
    assert analyst_client.get(url).status_code == 200
    analyst_client.post(url, {"action": "add", "new-heading": "Early help"})
    analyst_client.post(url, {"action": "up", "key": "early-help"})
    analyst_client.post(
        url, {"action": "rename", "key": "early-help", "early-help-heading": "Help"}
    )
    assert [s.heading for s in report.sections.all()] == [
        *SEED_HEADINGS[:4], "Help", SEED_HEADINGS[4]
    ]  # fmt: skip
    analyst_client.post(url, {"action": "remove", "key": "early-help"})
    assert [s.heading for s in report.sections.all()] == SEED_HEADINGS
    actions = list(report.events.values_list("action", flat=True))
    assert actions == [
        Action.CREATED,
        Action.SECTION_ADDED,
        Action.SECTION_MOVED,
        Action.SECTION_RENAMED,
        Action.SECTION_REMOVED,
    ]
    assert report.events.get(action=Action.SECTION_RENAMED).note == "“Early help” is now “Help”"


def test_a_section_with_narrative_or_tables_is_not_removed(draft, analyst, analyst_client):
    response = analyst_client.post(
        draft.sections_url, {"action": "remove", "key": "workforce"}, follow=True
    )
    assert "has narrative: only an empty section can be removed" in response.content.decode()
    NarrativeSection.objects.filter(report=draft, key="kpis").update(body="")
    with pytest.raises(workflow.WorkflowError, match="holds the report's kpi table"):
        workflow.remove_section(report=draft, key="kpis", by=analyst)
    assert draft.sections.count() == 5


def test_a_heading_is_given_once_and_the_field_says_so(draft, analyst_client):
    response = analyst_client.post(
        draft.sections_url, {"action": "add", "new-heading": "workforce"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "The report already has a section “workforce”." in page
    assert 'href="#id_new-heading"' in page


@pytest.mark.parametrize(
    ("months", "today", "offered"),
    [
        # Figures from years back: every quarter with figures is offered, not the last eight.
        (
            [dt.date(2019, 4, 1), dt.date(2019, 9, 1)],
            dt.date(2020, 1, 15),
            ["Q4 2019/20", "Q3 2019/20", "Q2 2019/20", "Q1 2019/20"],
        ),
        # The quarter after the latest figures, and by the clock today's and the last one.
        (
            [dt.date(2022, 6, 1)],
            dt.date(2025, 5, 2),
            ["Q1 2025/26", "Q4 2024/25", "Q2 2022/23", "Q1 2022/23"],
        ),
        # Never a quarter later than today's.
        ([dt.date(2022, 6, 1)], dt.date(2022, 6, 30), ["Q1 2022/23", "Q4 2021/22"]),
    ],
)  # fmt: skip
def test_any_quarter_with_figures_can_have_its_report(months, today, offered):
    assert [label for _, label in _quarters_to_start(set(), months, today)] == offered
    assert _quarters_to_start({(2019, 1)}, months, today)[-1][1] != "Q1 2019/20"


def test_the_start_form_offers_last_years_quarters_and_refuses_others(data, analyst_client):
    page = analyst_client.get("/reports/").content.decode()
    assert '<option value="2021-22/q1">Q1 2021/22</option>' in page
    response = analyst_client.post("/reports/start/", {"quarter": "2031-32/q4"}, follow=True)
    assert "The report was not started: Choose a quarter from the list" in (
        response.content.decode()
    )
    assert not QuarterReport.objects.exists()


def test_a_report_published_before_sections_were_the_organisations_still_shows(
    published, viewer_client, manager_client
):
    """The snapshot stored by a report published before this change (its narrative items
    hold key, heading, markdown and html only) thaws to the same page and workbook."""
    QuarterReport.objects.filter(pk=published.pk).update(
        snapshot=json.loads(OLD_SNAPSHOT.read_text(encoding="utf-8"))
    )
    page = viewer_client.get(published.get_absolute_url()).content.decode()
    assert headings(page) == SEED_HEADINGS
    assert 'id="kpi-table-caption-monthly"' in page
    assert "Comparison with statistical neighbours" in page
    assert "Planned surplus" in page
    assert "Ofsted ILACS, May 2022" in page
    response = manager_client.get(published.workbook_url)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert {"Finance", "Contract"} <= set(book.sheetnames)
