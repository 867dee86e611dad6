"""Contract matters as plain frozen values, judged as at a day the caller passes: what the
contracts page, the quarterly report and its Excel sheet render. A fixed number of queries."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch

from . import deadlines
from .deadlines import Precision, Timing
from .models import Action, ActionPlan, Contract, Inspection, Milestone


@dataclass(frozen=True)
class ContractItem:
    name: str
    short_name: str
    council: str
    provider: str
    start: str
    start_note: str
    term: str
    end: str
    break_clause: str


@dataclass(frozen=True)
class MilestoneItem:
    title: str
    kind: str
    due_date: dt.date | None
    due: str
    timing: Timing
    status: str
    follows: str
    outcome: str
    note: str
    contract: str

    @property
    def when(self) -> str:
        """The due date, or what it follows when the date is not known."""
        if self.due_date is None and self.follows:
            return f"Date not recorded: after {self.follows}"
        if self.due_date is None:
            return "Date not recorded"
        return self.due


@dataclass(frozen=True)
class KpiLink:
    ref: str
    description: str
    url: str


@dataclass(frozen=True)
class ActionItem:
    description: str
    owner: str
    due_date: dt.date | None
    due: str
    timing: Timing
    status: str
    kpis: tuple[KpiLink, ...]
    outcome: str
    plan: str


@dataclass(frozen=True)
class ActionPlanItem:
    title: str
    inspection: str
    description: str
    shared_with: str
    shared: str
    status: str
    note: str
    actions: tuple[ActionItem, ...]

    @property
    def open_actions(self) -> tuple[ActionItem, ...]:
        return tuple(action for action in self.actions if action.timing is not Timing.DONE)


@dataclass(frozen=True)
class SubJudgementItem:
    area: str
    judgement: str


@dataclass(frozen=True)
class InspectionItem:
    inspectorate: str
    framework: str
    fieldwork: str
    published_on: dt.date | None
    published: str
    overall_judgement: str
    sub_judgements: tuple[SubJudgementItem, ...]
    report_url: str
    note: str

    @property
    def title(self) -> str:
        return f"{self.inspectorate} {self.framework}, {self.fieldwork}"


@dataclass(frozen=True)
class ContractMatters:
    on: dt.date
    contracts: tuple[ContractItem, ...]
    milestones: tuple[MilestoneItem, ...]
    inspections: tuple[InspectionItem, ...]
    action_plans: tuple[ActionPlanItem, ...]

    def _with(self, timing: Timing) -> tuple[MilestoneItem, ...]:
        return tuple(m for m in self.milestones if m.timing is timing)

    @property
    def overdue(self) -> tuple[MilestoneItem, ...]:
        return self._with(Timing.OVERDUE)

    @property
    def upcoming(self) -> tuple[MilestoneItem, ...]:
        """Due now, then later, soonest first."""
        return self._with(Timing.DUE) + self._with(Timing.UPCOMING)

    @property
    def undated(self) -> tuple[MilestoneItem, ...]:
        """Open milestones whose due date is not recorded (never overdue, so shown apart)."""
        return self._with(Timing.UNDATED)

    @property
    def closed(self) -> tuple[MilestoneItem, ...]:
        return self._with(Timing.DONE)

    @property
    def open_actions(self) -> tuple[ActionItem, ...]:
        return tuple(action for plan in self.action_plans for action in plan.open_actions)

    @property
    def latest_inspection(self) -> InspectionItem | None:
        return self.inspections[0] if self.inspections else None


def contract_matters(*, on: dt.date) -> ContractMatters:
    """Every contract, milestone, inspection and action plan, judged as at `on`."""
    contracts = tuple(_contract(c) for c in Contract.objects.order_by("start_date"))
    milestones = sorted(
        Milestone.objects.select_related("contract", "follows"),
        key=lambda m: (m.due_date is None, m.due_date or dt.date.max, m.order, m.title),
    )
    inspections = Inspection.objects.prefetch_related("sub_judgements").order_by("-fieldwork_start")
    plans = (
        ActionPlan.objects.select_related("inspection")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.prefetch_related("kpis").order_by(
                    "order", "due_date", "id"
                ),
            )
        )
        .order_by("-id")
    )
    return ContractMatters(
        on=on,
        contracts=contracts,
        milestones=tuple(_milestone(m, on) for m in milestones),
        inspections=tuple(_inspection(i) for i in inspections),
        action_plans=tuple(_plan(p, on) for p in plans),
    )


def _contract(contract: Contract) -> ContractItem:
    end = contract.end_date
    return ContractItem(
        name=contract.name,
        short_name=contract.short_name,
        council=contract.council,
        provider=contract.provider,
        start=deadlines.describe(contract.start_date, Precision.DAY),
        start_note=contract.start_date_note,
        term=f"{contract.term_years} years" if contract.term_years else "not recorded",
        end=deadlines.describe(end, Precision.DAY) if end else "not recorded (the term is not)",
        break_clause=contract.break_clause,
    )


def _milestone(milestone: Milestone, on: dt.date) -> MilestoneItem:
    follows = milestone.follows
    return MilestoneItem(
        title=milestone.title,
        kind=milestone.get_kind_display(),
        due_date=milestone.due_date,
        due=milestone.due,
        timing=milestone.timing(on),
        status=milestone.get_status_display(),
        follows=f"{follows.title} ({follows.due})" if follows else "",
        outcome=milestone.outcome,
        note=milestone.note,
        contract=milestone.contract.short_name or milestone.contract.name,
    )


def _inspection(inspection: Inspection) -> InspectionItem:
    return InspectionItem(
        inspectorate=inspection.inspectorate,
        framework=inspection.framework,
        fieldwork=inspection.fieldwork,
        published_on=inspection.published_on,
        published=inspection.published,
        overall_judgement=inspection.get_overall_judgement_display(),
        sub_judgements=tuple(
            SubJudgementItem(s.area, s.get_judgement_display())
            for s in sorted(inspection.sub_judgements.all(), key=lambda s: (s.order, s.area))
        ),
        report_url=inspection.report_url,
        note=inspection.note,
    )


def _plan(plan: ActionPlan, on: dt.date) -> ActionPlanItem:
    return ActionPlanItem(
        title=plan.title,
        inspection=str(plan.inspection) if plan.inspection else "",
        description=plan.description,
        shared_with=plan.shared_with,
        shared=deadlines.describe(plan.shared_on, Precision.DAY, unknown="not yet shared"),
        status=plan.get_status_display(),
        note=plan.note,
        actions=tuple(
            ActionItem(
                description=action.description,
                owner=action.owner,
                due_date=action.due_date,
                due=action.due,
                timing=action.timing(on),
                status=action.get_status_display(),
                kpis=tuple(
                    KpiLink(kpi.ref, kpi.description, kpi.get_absolute_url())
                    for kpi in sorted(action.kpis.all(), key=lambda k: (k.order, k.ref))
                ),
                outcome=action.outcome,
                plan=plan.title,
            )
            for action in plan.actions.all()
        ),
    )
