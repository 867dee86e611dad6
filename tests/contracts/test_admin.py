"""Analysts enter and change contract matters in the admin; managers read; viewers cannot."""

import datetime as dt

import pytest

from contracts.models import Action, ActionPlan, Contract, Inspection, Milestone

pytestmark = pytest.mark.django_db


def milestone_form(contract: Contract, **fields) -> dict[str, str]:
    return {
        "contract": str(contract.pk),
        "title": "Annual review of the contract",
        "kind": "review",
        "due_date": "2023-03-31",
        "due_precision": "day",
        "follows": "",
        "status": "scheduled",
        "outcome": "",
        "note": "",
        "order": "0",
    } | fields


def test_an_analyst_adds_a_milestone_in_the_admin(analyst_client, viewer_client, demo_contracts):
    contract = Contract.objects.get()
    response = analyst_client.post("/admin/contracts/milestone/add/", milestone_form(contract))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Milestone.objects.get(title="Annual review of the contract").due_date == dt.date(
        2023, 3, 31
    )
    assert "Annual review of the contract" in viewer_client.get("/contracts/").content.decode()


def test_the_admin_refuses_a_due_date_outside_the_contract_naming_it(
    analyst_client, demo_contracts
):
    contract = Contract.objects.get()
    response = analyst_client.post(
        "/admin/contracts/milestone/add/", milestone_form(contract, due_date="2017-01-01")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["due_date"]
    assert "falls before the contract started (1 April 2018)" in errors["due_date"][0]


def test_an_analyst_records_the_cabinet_outcome(analyst_client, demo_contracts):
    cabinet = Milestone.objects.get(kind="cabinet")
    form = milestone_form(
        cabinet.contract,
        title=cabinet.title,
        kind="cabinet",
        due_date="2022-09-28",
        follows=str(cabinet.follows_id),
        status="done",
        outcome="Cabinet received the review.",
        note=cabinet.note,
    )
    response = analyst_client.post(f"/admin/contracts/milestone/{cabinet.pk}/change/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    cabinet.refresh_from_db()
    assert (cabinet.status, cabinet.outcome) == ("done", "Cabinet received the review.")


def test_the_admin_offers_only_ofsteds_scale_and_refuses_anything_else(
    analyst_client, demo_contracts
):
    ofsted = Inspection.objects.get()
    page = analyst_client.get(f"/admin/contracts/inspection/{ofsted.pk}/change/").content.decode()
    options = [
        "Outstanding",
        "Good",
        "Requires improvement to be good",
        "Inadequate",
    ]
    for option in options:
        assert f">{option}</option>" in page
    response = analyst_client.post(
        "/admin/contracts/inspection/add/",
        {
            "inspectorate": "Ofsted",
            "framework": "ILACS",
            "fieldwork_start": "2025-05-05",
            "fieldwork_end": "2025-05-16",
            "fieldwork_precision": "day",
            "published_on": "2025-05-01",
            "overall_judgement": "satisfactory",
            "report_url": "",
            "note": "",
            "sub_judgements-TOTAL_FORMS": "0",
            "sub_judgements-INITIAL_FORMS": "0",
        },
    )
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"overall_judgement", "published_on"}
    assert "Select a valid choice" in errors["overall_judgement"][0]
    assert "must be after the fieldwork (5 May 2025 to 16 May 2025)" in errors["published_on"][0]
    assert Inspection.objects.count() == 1


def test_an_analyst_links_an_action_to_kpis(analyst_client, demo_contracts, demo_kpis):
    action = Action.objects.get(description="Share the action plan with the Council")
    from kpis.models import Kpi

    kpis = [str(pk) for pk in Kpi.objects.filter(ref__in=["13", "14"]).values_list("pk", flat=True)]
    response = analyst_client.post(
        f"/admin/contracts/action/{action.pk}/change/",
        {
            "plan": str(action.plan_id),
            "description": action.description,
            "owner": action.owner,
            "due_date": "2022-10-31",
            "due_precision": "day",
            "status": "in-progress",
            "kpis": kpis,
            "outcome": "",
            "order": "20",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert sorted(action.kpis.values_list("ref", flat=True)) == ["13", "14"]


def test_a_manager_reads_contract_matters_in_the_admin_but_cannot_change_them(
    manager_client, demo_contracts
):
    plan = ActionPlan.objects.get()
    assert manager_client.get(f"/admin/contracts/actionplan/{plan.pk}/change/").status_code == 200
    assert manager_client.get("/admin/contracts/milestone/add/").status_code == 403


def test_a_viewer_cannot_reach_the_contracts_admin(viewer_client, demo_contracts):
    cabinet = Milestone.objects.get(kind="cabinet")
    for path in ("/admin/contracts/", "/admin/contracts/milestone/add/"):
        assert viewer_client.get(path, follow=True).status_code == 403
    viewer_client.post(
        f"/admin/contracts/milestone/{cabinet.pk}/change/",
        milestone_form(cabinet.contract, status="cancelled"),
    )
    cabinet.refresh_from_db()
    assert cabinet.status == "scheduled"
