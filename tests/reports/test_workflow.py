"""Drafted by analysts, reviewed and published by managers, read by everyone once published."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from kpis.locking import is_closed
from reports import workflow
from reports.models import QuarterReport, Status

pytestmark = pytest.mark.django_db


def test_a_report_goes_from_draft_through_review_to_published_with_who_and_when(
    draft, analyst, manager
):
    workflow.submit_for_review(report=draft, by=analyst)
    report = workflow.publish(report=draft, by=manager)
    assert report.status == Status.PUBLISHED
    assert report.published_by == manager
    assert report.published_at is not None
    assert report.snapshot is not None
    steps = [(e.action, e.by and e.by.username) for e in report.events.order_by("at", "id")]
    assert steps == [
        ("created", analyst.username),
        ("edited", analyst.username),
        ("submitted", analyst.username),
        ("published", manager.username),
    ]


def test_publishing_closes_the_quarters_months(published):
    for month in (dt.date(2022, 4, 1), dt.date(2022, 5, 1), dt.date(2022, 6, 1)):
        assert is_closed(month)
    assert not is_closed(dt.date(2022, 3, 1))
    assert not is_closed(dt.date(2022, 7, 1))


def test_an_analyst_cannot_publish(in_review, analyst, analyst_client):
    with pytest.raises(PermissionDenied):
        workflow.publish(report=in_review, by=analyst)
    response = analyst_client.post(in_review.workflow_url, {"action": "publish"})
    assert response.status_code == 403
    in_review.refresh_from_db()
    assert in_review.status == Status.IN_REVIEW
    assert in_review.snapshot is None


def test_a_manager_cannot_publish_a_draft_that_was_not_sent_for_review(draft, manager_client):
    response = manager_client.post(draft.workflow_url, {"action": "publish"}, follow=True)
    assert "it must be in review for this step" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_manager_sends_a_report_back_saying_why(in_review, manager, manager_client):
    response = manager_client.post(in_review.workflow_url, {"action": "send-back", "note": ""})
    in_review.refresh_from_db()
    assert in_review.status == Status.IN_REVIEW  # refused: no reason given
    manager_client.post(
        in_review.workflow_url, {"action": "send-back", "note": "Say more about KPI 5."}
    )
    in_review.refresh_from_db()
    assert in_review.status == Status.DRAFT
    assert in_review.events.latest("at").note == "Say more about KPI 5."
    assert response.status_code == 302


def test_only_a_draft_can_be_edited(in_review, analyst):
    with pytest.raises(workflow.WorkflowError, match="only a draft can be edited"):
        workflow.save_narrative(report=in_review, bodies={"kpis": "Changed"}, by=analyst)


def test_a_viewer_cannot_see_a_draft_or_its_workbook(draft, viewer_client):
    assert viewer_client.get(draft.get_absolute_url()).status_code == 404
    assert viewer_client.get(draft.workbook_url).status_code == 404
    assert draft.heading not in viewer_client.get("/reports/").content.decode()


def test_a_viewer_reads_the_report_once_published(published, viewer_client):
    page = viewer_client.get(published.get_absolute_url())
    assert page.status_code == 200
    assert "Published on" in page.content.decode()
    assert published.heading in viewer_client.get("/reports/").content.decode()
    assert "Publish the report" not in page.content.decode()


def test_an_analyst_starts_a_report_from_the_list(data, analyst_client):
    response = analyst_client.post("/reports/start/", {"quarter": "2022-23/q2"})
    report = QuarterReport.objects.get()
    assert response.url == report.edit_url
    assert str(report.period) == "Q2 2022/23"
    assert report.sections.count() == 5


def test_a_viewer_cannot_start_or_edit_a_report(draft, viewer_client):
    assert viewer_client.post("/reports/start/", {"quarter": "2022-23/q2"}).status_code == 403
    assert viewer_client.get(draft.edit_url).status_code == 403
