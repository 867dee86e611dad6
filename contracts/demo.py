"""Demo data: the contract matters of the Q1 2022/23 Sandwell report, and nothing more.

Each fact carries the report's own sentence, and loading checks that the sentence is in the
report (sct_portal/seed/). Dates the report gives only to the month are kept as months
("Sept 2022" → September 2022); dates it does not give are left blank. Running load() again
adds nothing and changes nothing an analyst has entered since.
"""

import datetime as dt
from typing import Any

from django.db import transaction

from sct_portal.seed import check_quotes, cite

from .deadlines import Precision
from .models import (
    Action,
    ActionPlan,
    ActionStatus,
    Contract,
    Inspection,
    Judgement,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    PlanStatus,
)

REVIEW = (
    "There is a requirement in the Service Delivery Contract (SDC) to undertake a contract "
    "review after four years of operation."
)
CABINET = (
    "The review will be presented to cabinet on 28th Sept, following which a recommendation "
    "will be made to the Secretary of State on whether the available Break Clause should be "
    "utilised."
)
SCRUTINY = (
    "SCT will attend Children and Education Scrutiny Panel in Sept 2022 to provide a "
    "performance update, this is in line with the contractual requirement for them to do so."
)
OFSTED = (
    "An inspection was undertaken by Ofsted, in line with the framework and guidance for "
    "inspecting local authority services for children (ILACS), in May 2022, with the report "
    "published on 5th July. A judgement of 'requires improvement to be good' was achieved."
)
ACTION_PLAN = (
    "SCT will an action plan taking into account the findings from Ofsted and the existing "
    "improvement plan, this will be shared with the Council."
)
QUOTES = (REVIEW, CABINET, SCRUTINY, OFSTED, ACTION_PLAN)

CONTRACT = "Service Delivery Contract"
TRUST = "Sandwell Children's Trust"
# The report says "four years of operation" by 2022; that puts the start at 1 April 2018.
START = dt.date(2018, 4, 1)


@transaction.atomic
def load(text: str | None = None) -> dict[str, int]:
    """Load the report's contract matters; running it again changes nothing."""
    check_quotes(QUOTES, text)
    counts = {"contracts": 0, "milestones": 0, "inspections": 0, "action plans": 0, "actions": 0}
    contract, created = Contract.objects.get_or_create(
        name=CONTRACT,
        defaults={
            "short_name": "SDC",
            "council": "Sandwell Council",
            "provider": TRUST,
            "start_date": START,
            "start_date_note": "The report does not give the start date. It requires a contract "
            "review “after four years of operation” and takes that review to cabinet in "
            "September 2022, which puts the start at 1 April 2018.",
            "term_years": None,  # the report does not give the term
            "break_clause": "The contract has a break clause. After the four-year contract "
            "review goes to cabinet, a recommendation is made to the Secretary of State on "
            "whether it should be used.",
            "source": cite(REVIEW, CABINET),
        },
    )
    counts["contracts"] += created
    milestones: list[dict[str, Any]] = [
        {
            "title": "Contract review after four years of operation",
            "kind": MilestoneKind.REVIEW,
            "due_date": None,
            "note": "A requirement of the SDC. The report gives no due date; the review is to "
            "be presented to cabinet on 28 September 2022. " + cite(REVIEW),
        },
        {
            "title": "Contract review presented to cabinet",
            "kind": MilestoneKind.CABINET,
            "due_date": dt.date(2022, 9, 28),
            "follows": "Contract review after four years of operation",
            "note": cite(CABINET),
        },
        {
            "title": "Recommendation to the Secretary of State on whether the break clause "
            "should be used",
            "kind": MilestoneKind.STATUTORY,
            "due_date": None,
            "follows": "Contract review presented to cabinet",
            "note": "Made after cabinet; the report gives no date. " + cite(CABINET),
        },
        {
            "title": "Performance update to the Children and Education Scrutiny Panel",
            "kind": MilestoneKind.SCRUTINY,
            "due_date": dt.date(2022, 9, 1),
            "due_precision": Precision.MONTH,
            "note": "A contractual requirement. The report gives the month only. " + cite(SCRUTINY),
        },
    ]
    by_title: dict[str, Milestone] = {m.title: m for m in contract.milestones.all()}
    for order, spec in enumerate(milestones, 1):
        if spec["title"] in by_title:
            continue  # never overwrite: an analyst may have recorded progress since
        follows = by_title.get(str(spec.pop("follows", "")))
        milestone = Milestone.objects.create(
            contract=contract,
            status=MilestoneStatus.SCHEDULED,
            order=order * 10,
            follows=follows,
            **spec,
        )
        by_title[milestone.title] = milestone
        counts["milestones"] += 1
    inspection, created = Inspection.objects.get_or_create(
        inspectorate="Ofsted",
        framework="ILACS",
        fieldwork_start=dt.date(2022, 5, 1),
        defaults={
            "fieldwork_end": dt.date(2022, 5, 1),
            "fieldwork_precision": Precision.MONTH,
            "published_on": dt.date(2022, 7, 5),
            "overall_judgement": Judgement.REQUIRES_IMPROVEMENT,
            "note": "Inspection of local authority children's services. The report gives "
            "the month of the fieldwork only, and no sub-judgements. " + cite(OFSTED),
        },
    )
    counts["inspections"] += created
    plan, created = ActionPlan.objects.get_or_create(
        title="Action plan following the Ofsted ILACS inspection",
        defaults={
            "inspection": inspection,
            "description": "Takes into account the findings from Ofsted and the existing "
            "improvement plan.",
            "shared_with": "the Council",
            "status": PlanStatus.PREPARING,
            "note": cite(ACTION_PLAN),
        },
    )
    counts["action plans"] += created
    actions = [
        "Prepare the action plan, taking into account the findings from Ofsted and the "
        "existing improvement plan",
        "Share the action plan with the Council",
    ]
    existing = set(plan.actions.values_list("description", flat=True))
    for order, description in enumerate(actions, 1):
        if description in existing:
            continue
        Action.objects.create(
            plan=plan,
            description=description,
            owner=TRUST,
            due_date=None,  # the report gives no date
            status=ActionStatus.NOT_STARTED,
            order=order * 10,
        )
        counts["actions"] += 1
    return counts
