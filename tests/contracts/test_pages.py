"""The contracts page: the seed's facts for every role, judged as at today or a given day."""

import datetime as dt
import re

import pytest
from django.test import Client

from contracts.models import Action, ActionPlan, Milestone
from kpis.models import Kpi
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

SEED_FACTS = [
    "Service Delivery Contract (SDC)",
    "Sandwell Council and Sandwell Children's Trust",
    "1 April 2018",
    "four years of operation",
    "Contract review after four years of operation",
    "Contract review presented to cabinet",
    "28 September 2022",
    "Recommendation to the Secretary of State on whether the break clause should be used",
    "Date not recorded: after Contract review presented to cabinet",
    "Performance update to the Children and Education Scrutiny Panel",
    "September 2022",
    "A contractual requirement",
    "Ofsted ILACS, May 2022",
    "5 July 2022",
    "Requires improvement to be good",
    "Action plan following the Ofsted ILACS inspection",
    "existing improvement plan",
    "Share the action plan with the Council",
]


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split()).replace(
        "&#x27;", "'"
    )


def table(response, caption_id: str) -> str:
    page = response.content.decode()
    found = re.search(rf'id="{caption_id}">.*?</table>', page, re.S)
    assert found, caption_id
    return " ".join(re.sub(r"<[^>]+>", " ", found[0]).split())


@pytest.mark.parametrize("role_client", ["analyst_client", "manager_client", "viewer_client"])
def test_every_role_reads_the_seeds_contract_matters(request, role_client, demo_contracts):
    response = request.getfixturevalue(role_client).get("/contracts/")
    assert response.status_code == 200
    page = text_of(response)
    for fact in SEED_FACTS:
        assert fact in page, fact


def test_as_at_the_report_the_milestones_are_upcoming(viewer_client, demo_contracts):
    response = viewer_client.get("/contracts/?on=2022-08-01")
    page = text_of(response)
    assert "judged as at 1 August 2022" in page
    assert "No milestone is overdue as at 1 August 2022." in page
    upcoming = table(response, "upcoming-milestones")
    assert "Contract review presented to cabinet Cabinet 28 September 2022 Upcoming" in upcoming


def test_after_september_2022_cabinet_and_scrutiny_show_as_overdue_in_words(
    viewer_client, demo_contracts
):
    response = viewer_client.get("/contracts/?on=2022-10-01")
    overdue = table(response, "overdue-milestones")
    assert "Contract review presented to cabinet Cabinet 28 September 2022 Overdue" in overdue
    assert "Children and Education Scrutiny Panel Scrutiny September 2022 Overdue" in overdue
    assert "Recommendation to the Secretary of State" not in overdue  # no date: never overdue
    undated = table(response, "undated-milestones")
    assert "Recommendation to the Secretary of State" in undated
    assert "No due date recorded" in undated


def test_today_is_the_default_day(viewer_client, demo_contracts):
    page = text_of(viewer_client.get("/contracts/"))
    assert f"judged as at {dt.date.today():%-d %B %Y} (today)" in page


def test_a_day_that_is_not_a_date_is_explained_and_today_used(viewer_client, demo_contracts):
    response = viewer_client.get("/contracts/?on=28th+Sept")
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "“28th Sept” is not a date: enter one such as 2022-08-31." in page
    assert 'href="#on"' in page
    assert response.context["matters"].on == dt.date.today()


def test_open_actions_show_their_linked_kpis(viewer_client, demo_contracts, demo_kpis):
    action = Action.objects.get(description="Share the action plan with the Council")
    action.kpis.set(Kpi.objects.filter(ref="1"))
    response = viewer_client.get("/contracts/?on=2022-08-01")
    actions = table(response, "open-actions")
    assert "Share the action plan with the Council" in actions
    assert "KPI 1 : Percentage of contacts to MASH referral timeliness" in actions
    assert '<a class="govuk-link" href="/kpis/1/">KPI 1</a>' in response.content.decode()


def test_a_user_without_a_role_is_refused(demo_contracts):
    nobody = Client()
    nobody.force_login(make_user("no.role", None, staff=False))
    assert nobody.get("/contracts/").status_code == 403


def test_the_page_has_no_inline_script_or_style(viewer_client, demo_contracts):
    page = viewer_client.get("/contracts/").content.decode()
    assert "style=" not in page
    assert "<style" not in page
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag, tag


def test_the_page_takes_a_fixed_number_of_queries(
    viewer_client, demo_contracts, demo_kpis, django_assert_max_num_queries
):
    # 15: the page's matters, and whether Ofsted's published outcomes are imported (the
    # neighbours' judgements, when they are, take six more: tests/contracts/
    # test_published_judgements.py)
    with django_assert_max_num_queries(15) as few:
        viewer_client.get("/contracts/")
    plan = ActionPlan.objects.get()
    contract = Milestone.objects.select_related("contract").get(kind="cabinet").contract
    for n in range(8):
        action = Action(plan=plan, description=f"Action {n}", owner="SCT")
        action.save()
        action.kpis.set(Kpi.objects.filter(ref__in=["1", "2"]))
        Milestone(contract=contract, title=f"Milestone {n}", kind="other").save()
    with django_assert_max_num_queries(len(few.captured_queries)):
        viewer_client.get("/contracts/")
