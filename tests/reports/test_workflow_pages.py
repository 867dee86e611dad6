"""The workflow says what it does, and nothing changes a report behind it."""

import re

import pytest

from reports import workflow
from reports.models import Action, QuarterReport, Status

pytestmark = pytest.mark.django_db


def test_publishing_asks_first_and_says_what_follows(in_review, manager_client):
    page = manager_client.get(in_review.get_absolute_url()).content.decode()
    assert f'href="{in_review.publish_url}"' in page
    assert 'value="publish"' not in page  # no one-click publishing from the report
    confirm = manager_client.get(in_review.publish_url).content.decode()
    assert "Publish this report?" in confirm
    assert "the report is frozen as it stands" in confirm
    assert "Apr-22, May-22, Jun-22 close for data entry" in confirm
    assert 'name="action" value="publish"' in confirm
    manager_client.post(in_review.workflow_url, {"action": "publish"})
    in_review.refresh_from_db()
    assert in_review.status == Status.PUBLISHED


def test_only_a_report_in_review_has_a_publish_page(draft, manager_client, analyst_client):
    assert manager_client.get(draft.publish_url).status_code == 302
    assert analyst_client.get(draft.publish_url).status_code == 403


def test_a_send_back_without_a_note_is_refused_with_the_field_marked(in_review, manager_client):
    response = manager_client.post(
        in_review.workflow_url, {"action": "send-back", "note": "  "}, follow=True
    )
    page = response.content.decode()
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in page
    assert '<a href="#id_note">Say what needs to change before the report is sent back.</a>' in page
    assert "govuk-form-group--error" in page
    assert "<title>Error:" in page
    in_review.refresh_from_db()
    assert in_review.status == Status.IN_REVIEW


def test_the_send_back_note_stands_at_the_top_until_the_report_is_sent_again(
    in_review, manager_client, analyst_client
):
    note = "Say more about KPI 5 and the fall in assessments."
    manager_client.post(in_review.workflow_url, {"action": "send-back", "note": note})
    for url in (in_review.get_absolute_url(), in_review.edit_url):
        page = analyst_client.get(url).content.decode()
        assert page.index(note) < page.index("<h1"), url  # above the page's heading
        assert "mo.manager sent the report back" in page
    analyst_client.post(in_review.workflow_url, {"action": "submit"})
    page = manager_client.get(in_review.get_absolute_url()).content.decode()
    assert "sent the report back on" not in page
    assert page.index(note) > page.index("The report's history")  # history keeps it


def test_the_admin_shows_reports_read_only_and_offers_no_add(in_review, published, analyst_client):
    for report in (in_review,):
        url = f"/admin/reports/quarterreport/{report.pk}/change/"
        page = analyst_client.get(url).content.decode()
        assert analyst_client.get(url).status_code == 200
        assert not re.search(r'name="(year_start|quarter|status|title)"', page)
        assert 'name="sections-0-body"' not in page
        response = analyst_client.post(
            url, {"year_start": "2021", "quarter": "4", "status": "draft", "title": "Moved"}
        )
        assert response.status_code == 403
        report.refresh_from_db()
        assert (report.year_start, report.quarter, report.title) == (2022, 1, "")
    index = analyst_client.get("/admin/reports/quarterreport/").content.decode()
    assert "/admin/reports/quarterreport/add/" not in index
    assert analyst_client.get("/admin/reports/narrativesection/").status_code == 404


def test_every_change_to_a_report_is_in_its_history(data, analyst, manager):
    from reports.demo import QUARTER

    report = workflow.start_report(quarter=QUARTER, by=analyst)
    workflow.save_narrative(report=report, bodies={"workforce": "First."}, by=analyst)
    workflow.save_narrative(report=report, bodies={"workforce": "Second."}, by=analyst)
    workflow.add_section(report=report, heading="Annex", by=analyst)
    workflow.rename_section(report=report, key="annex", heading="Appendix", by=analyst)
    workflow.move_section(report=report, key="annex", by=analyst, places=-5)
    workflow.remove_section(report=report, key="annex", by=analyst)
    workflow.submit_for_review(report=report, by=analyst)
    workflow.send_back(report=report, by=manager, note="Shorter, please.")
    events = list(QuarterReport.objects.get().events.all())
    assert [e.action for e in events] == [
        Action.CREATED,
        Action.EDITED,
        Action.EDITED,
        Action.SECTION_ADDED,
        Action.SECTION_RENAMED,
        Action.SECTION_MOVED,
        Action.SECTION_REMOVED,
        Action.SUBMITTED,
        Action.SENT_BACK,
    ]
    second = events[2]
    assert second.changes == [
        {"key": "workforce", "heading": "Workforce", "before": "First.", "after": "Second."}
    ]
    assert all(e.by is not None for e in events)
