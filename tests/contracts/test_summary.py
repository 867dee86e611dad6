"""contract_matters(): contract matters as plain frozen values, judged as at a given day."""

import dataclasses
import datetime as dt

import pytest

from contracts.deadlines import Timing
from contracts.models import Action, ActionPlan, Milestone
from contracts.summary import contract_matters
from kpis.models import Kpi

pytestmark = pytest.mark.django_db

BEFORE_CABINET = dt.date(2022, 8, 1)  # around the Q1 report
IN_SEPTEMBER = dt.date(2022, 9, 29)
AFTER_SEPTEMBER = dt.date(2022, 10, 1)


def titles(items):
    return [item.title for item in items]


def test_before_cabinet_nothing_is_overdue_and_everything_is_to_come(demo_contracts):
    matters = contract_matters(on=BEFORE_CABINET)
    assert matters.overdue == ()
    assert titles(matters.upcoming) == [
        "Performance update to the Children and Education Scrutiny Panel",
        "Contract review presented to cabinet",
    ]
    assert titles(matters.undated) == [
        "Contract review after four years of operation",
        "Recommendation to the Secretary of State on whether the break clause should be used",
    ]
    assert {m.timing for m in matters.upcoming} == {Timing.UPCOMING}
    assert {m.timing for m in matters.undated} == {Timing.UNDATED}


def test_the_day_after_cabinet_it_is_overdue_while_the_scrutiny_month_is_still_due(
    demo_contracts,
):
    matters = contract_matters(on=IN_SEPTEMBER)
    assert titles(matters.overdue) == ["Contract review presented to cabinet"]
    scrutiny = matters.upcoming[0]
    assert (scrutiny.title, scrutiny.timing, scrutiny.due) == (
        "Performance update to the Children and Education Scrutiny Panel",
        Timing.DUE,
        "September 2022",
    )


def test_once_september_is_over_the_scrutiny_panel_is_overdue_unless_done(demo_contracts):
    assert len(contract_matters(on=AFTER_SEPTEMBER).overdue) == 2
    Milestone.objects.filter(title__startswith="Performance update").update(
        status="done", outcome="Attended; performance update given."
    )
    matters = contract_matters(on=AFTER_SEPTEMBER)
    assert titles(matters.overdue) == ["Contract review presented to cabinet"]
    assert [m.outcome for m in matters.closed] == ["Attended; performance update given."]


def test_a_milestone_without_a_date_says_what_it_follows(demo_contracts):
    matters = contract_matters(on=BEFORE_CABINET)
    recommendation = matters.undated[-1]
    assert recommendation.due_date is None
    assert recommendation.when == (
        "Date not recorded: after Contract review presented to cabinet (28 September 2022)"
    )


def test_the_inspection_history_and_open_actions_are_included(demo_contracts):
    matters = contract_matters(on=BEFORE_CABINET)
    latest = matters.latest_inspection
    assert latest is not None
    assert (latest.title, latest.published, latest.overall_judgement) == (
        "Ofsted ILACS, May 2022",
        "5 July 2022",
        "Requires improvement to be good",
    )
    assert [a.description for a in matters.open_actions] == [
        "Prepare the action plan, taking into account the findings from Ofsted and the "
        "existing improvement plan",
        "Share the action plan with the Council",
    ]
    Action.objects.filter(description__startswith="Prepare").update(status="done")
    assert len(contract_matters(on=BEFORE_CABINET).open_actions) == 1


def test_contract_matters_are_frozen(demo_contracts):
    matters = contract_matters(on=BEFORE_CABINET)
    with pytest.raises(dataclasses.FrozenInstanceError):
        matters.on = AFTER_SEPTEMBER  # type: ignore[misc]


def test_contract_matters_take_a_fixed_number_of_queries(
    demo_contracts, demo_kpis, django_assert_max_num_queries
):
    with django_assert_max_num_queries(7) as few:
        contract_matters(on=BEFORE_CABINET)
    plan = ActionPlan.objects.get()
    for n in range(8):
        action = Action(plan=plan, description=f"Action {n}", owner="SCT")
        action.save()
        action.kpis.set(Kpi.objects.filter(ref__in=["1", "2"]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        contract_matters(on=BEFORE_CABINET)
