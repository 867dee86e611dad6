"""The contract demo data is the seed report's contract matters, loaded idempotently."""

import datetime as dt

import pytest
from django.core.management import call_command

from contracts import demo
from contracts.models import Action, ActionPlan, Contract, Inspection, Milestone, SubJudgement
from sct_portal.seed import check_quotes
from tests.conftest import SEED_REPORT

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        sorted(Contract.objects.values_list("name", "council", "provider", "start_date")),
        sorted(
            Milestone.objects.values_list(
                "title", "kind", "due_date", "due_precision", "follows__title", "status"
            ),
            key=str,
        ),
        sorted(
            Inspection.objects.values_list(
                "framework", "fieldwork_start", "published_on", "overall_judgement"
            )
        ),
        SubJudgement.objects.count(),
        sorted(ActionPlan.objects.values_list("title", "shared_with", "status")),
        sorted(Action.objects.values_list("description", "owner", "status", "due_date")),
    )


def test_load_demo_twice_changes_nothing():
    call_command("load_demo", verbosity=0)
    before = snapshot()
    assert set(demo.load().values()) == {0}
    call_command("load_demo", verbosity=0)
    assert snapshot() == before


def test_load_demo_says_what_it_added(capsys):
    call_command("load_demo")
    assert (
        "Contract added: contracts 1, milestones 4, inspections 1, action plans 1, actions 2."
        in capsys.readouterr().out
    )


def test_load_demo_never_overwrites_progress_an_analyst_recorded(demo_contracts):
    Milestone.objects.filter(kind="cabinet").update(status="done", outcome="Noted by cabinet.")
    demo.load()
    cabinet = Milestone.objects.get(kind="cabinet")
    assert (cabinet.status, cabinet.outcome) == ("done", "Noted by cabinet.")


def test_the_demo_holds_the_reports_contract_facts(demo_contracts):
    contract = Contract.objects.get()
    assert contract.name == "Service Delivery Contract"
    assert contract.start_date == dt.date(2018, 4, 1)
    assert "four years of operation" in contract.start_date_note
    assert contract.term_years is None
    milestones = {m.kind: m for m in Milestone.objects.select_related("follows")}
    assert milestones["review"].due_date is None
    assert milestones["cabinet"].due_date == dt.date(2022, 9, 28)
    assert milestones["statutory"].due_date is None
    assert milestones["statutory"].follows == milestones["cabinet"]
    assert "Secretary of State" in milestones["statutory"].title
    assert milestones["scrutiny"].due == "September 2022"
    assert "contractual requirement" in milestones["scrutiny"].note
    ofsted = Inspection.objects.get()
    assert (ofsted.inspectorate, ofsted.framework, ofsted.fieldwork) == (
        "Ofsted",
        "ILACS",
        "May 2022",
    )
    assert ofsted.published_on == dt.date(2022, 7, 5)
    assert ofsted.get_overall_judgement_display() == "Requires improvement to be good"
    plan = ActionPlan.objects.get()
    assert plan.inspection == ofsted
    assert plan.shared_with == "the Council"
    assert "existing improvement plan" in plan.description


def test_every_sentence_the_demo_cites_is_in_the_report():
    check_quotes(demo.QUOTES, SEED_REPORT.read_text(encoding="utf-8"))
    demo.load()
    notes = " ".join(
        list(Contract.objects.values_list("source", flat=True))
        + list(Milestone.objects.values_list("note", flat=True))
        + list(Inspection.objects.values_list("note", flat=True))
        + list(ActionPlan.objects.values_list("note", flat=True))
    )
    for quote in demo.QUOTES:
        assert quote in notes


def test_a_report_that_does_not_say_it_loads_nothing():
    with pytest.raises(ValueError, match="The seed report does not say"):
        demo.load("Nothing about contracts here.")
    assert not Contract.objects.exists()
