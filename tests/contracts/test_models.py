"""Validation of contract records: due dates within the contract, publication after
fieldwork, judgements only from Ofsted's scale; every error names its field."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contracts.deadlines import Precision
from contracts.models import (
    Action,
    ActionPlan,
    Contract,
    Inspection,
    Milestone,
    SubJudgement,
)
from kpis.models import Kpi

pytestmark = pytest.mark.django_db


def errors_of(record) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        record.save()
    return caught.value.message_dict


def milestone(contract, **fields) -> Milestone:
    values = {"contract": contract, "title": "Cabinet", "kind": "cabinet"}
    return Milestone(**(values | fields))


def test_a_due_date_before_the_contract_started_is_refused_naming_the_due_date(contract):
    errors = errors_of(milestone(contract, due_date=dt.date(2018, 3, 31)))
    assert errors == {
        "due_date": [
            "The due date (31 March 2018) falls before the contract started (1 April 2018)."
        ]
    }


def test_a_due_date_after_the_contract_ends_is_refused(contract):
    assert contract.end_date == dt.date(2028, 3, 31)
    errors = errors_of(milestone(contract, due_date=dt.date(2028, 4, 1)))
    assert errors == {
        "due_date": ["The due date (1 April 2028) falls after the contract ends (31 March 2028)."]
    }
    milestone(contract, due_date=dt.date(2028, 3, 31)).save()


def test_without_a_recorded_term_only_the_start_bounds_a_due_date(contract):
    contract.term_years = None
    contract.save()
    assert contract.end_date is None
    milestone(contract, due_date=dt.date(2040, 1, 1)).save()


def test_a_month_only_due_date_in_the_contracts_first_month_is_within_it(contract):
    contract.start_date = dt.date(2018, 4, 15)
    contract.save()
    saved = milestone(contract, due_date=dt.date(2018, 4, 20), due_precision=Precision.MONTH)
    saved.save()
    assert saved.due_date == dt.date(2018, 4, 1)  # kept as the month
    assert saved.due == "April 2018"


def test_a_milestone_cannot_be_due_before_the_one_it_follows(contract):
    cabinet = milestone(contract, due_date=dt.date(2022, 9, 28))
    cabinet.save()
    errors = errors_of(
        milestone(contract, title="Recommendation", follows=cabinet, due_date=dt.date(2022, 9, 1))
    )
    assert list(errors) == ["due_date"]
    assert (
        "before that of the milestone it follows (Cabinet, 28 September 2022)"
        in (errors["due_date"][0])
    )
    milestone(contract, title="Recommendation", follows=cabinet, due_date=None).save()


def test_a_milestone_cannot_follow_itself(contract):
    saved = milestone(contract)
    saved.save()
    saved.follows = saved
    assert errors_of(saved) == {"follows": ["A milestone cannot come after itself."]}


def test_overdue_is_derived_from_the_day_given(contract):
    saved = milestone(contract, due_date=dt.date(2022, 9, 28))
    saved.save()
    assert not saved.is_overdue(dt.date(2022, 9, 28))
    assert saved.is_overdue(dt.date(2022, 9, 29))
    saved.status = "done"
    saved.save()
    assert not saved.is_overdue(dt.date(2022, 9, 29))


def inspection(**fields) -> Inspection:
    values = {
        "inspectorate": "Ofsted",
        "framework": "ILACS",
        "fieldwork_start": dt.date(2022, 5, 9),
        "fieldwork_end": dt.date(2022, 5, 20),
    }
    return Inspection(**(values | fields))


def test_publication_must_come_after_the_fieldwork_naming_the_publication_date():
    errors = errors_of(inspection(published_on=dt.date(2022, 5, 20)))
    assert errors == {
        "published_on": [
            "The publication date (20 May 2022) must be after the fieldwork "
            "(9 May 2022 to 20 May 2022)."
        ]
    }
    inspection(published_on=dt.date(2022, 5, 21)).save()


def test_fieldwork_cannot_end_before_it_starts():
    errors = errors_of(inspection(fieldwork_end=dt.date(2022, 5, 1)))
    assert errors == {"fieldwork_end": ["The fieldwork cannot end before it starts."]}


def test_fieldwork_known_to_the_month_is_kept_and_written_as_the_month():
    saved = inspection(
        fieldwork_start=dt.date(2022, 5, 12),
        fieldwork_end=dt.date(2022, 5, 12),
        fieldwork_precision=Precision.MONTH,
        published_on=dt.date(2022, 7, 5),
        overall_judgement="requires-improvement",
    )
    saved.save()
    assert saved.fieldwork_start == dt.date(2022, 5, 1)
    assert saved.fieldwork == "May 2022"
    assert saved.get_overall_judgement_display() == "Requires improvement to be good"


def test_a_judgement_off_ofsteds_scale_is_refused_naming_the_field():
    errors = errors_of(inspection(published_on=dt.date(2022, 7, 5), overall_judgement="poor"))
    assert errors == {
        "overall_judgement": [
            "The overall judgement must be one of Ofsted's four: Outstanding, Good, "
            "Requires improvement to be good, or Inadequate (not 'poor')."
        ]
    }


def test_the_database_itself_refuses_a_judgement_off_the_scale():
    saved = inspection(published_on=dt.date(2022, 7, 5), overall_judgement="good")
    saved.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspection.objects.filter(pk=saved.pk).update(overall_judgement="satisfactory")


def test_a_judgement_needs_the_publication_date():
    errors = errors_of(inspection(overall_judgement="good"))
    assert list(errors) == ["published_on"]


def test_sub_judgements_use_the_same_scale_once_per_area():
    parent = inspection(published_on=dt.date(2022, 7, 5), overall_judgement="good")
    parent.save()
    area = "The experiences and progress of children in care and care leavers"
    SubJudgement(inspection=parent, area=area, judgement="good").save()
    errors = errors_of(SubJudgement(inspection=parent, area="Leadership", judgement="excellent"))
    assert list(errors) == ["judgement"]
    assert "The judgement must be one of Ofsted's four" in errors["judgement"][0]
    errors = errors_of(SubJudgement(inspection=parent, area=area, judgement="inadequate"))
    assert errors == {"__all__": ["This inspection already has a judgement for that area."]}


def test_an_action_plan_cannot_be_shared_before_the_report_it_answers_was_published():
    parent = inspection(published_on=dt.date(2022, 7, 5), overall_judgement="good")
    parent.save()
    plan = ActionPlan(
        title="Plan", inspection=parent, shared_with="the Council", shared_on=dt.date(2022, 7, 1)
    )
    assert list(errors_of(plan)) == ["shared_on"]
    assert list(errors_of(ActionPlan(title="Plan", status="shared"))) == ["shared_on"]
    assert list(errors_of(ActionPlan(title="Plan", shared_on=dt.date(2022, 8, 1)))) == [
        "shared_with"
    ]


def test_an_action_can_be_linked_to_kpis(demo_kpis):
    plan = ActionPlan(title="Plan")
    plan.save()
    action = Action(plan=plan, description="Recruit social workers", owner="SCT")
    action.save()
    action.kpis.set(Kpi.objects.filter(ref__in=["13", "14"]))
    assert sorted(Kpi.objects.get(ref="13").actions.values_list("description", flat=True)) == [
        "Recruit social workers"
    ]
    assert Action.objects.open().count() == 1
    action.status = "done"
    action.save()
    assert Action.objects.open().count() == 0


def test_a_contract_term_is_at_least_a_year():
    errors = errors_of(
        Contract(
            name="C",
            council="A",
            provider="B",
            start_date=dt.date(2018, 4, 1),
            term_years=0,
        )
    )
    assert errors == {"term_years": ["The term is at least one year."]}
