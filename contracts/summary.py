"""Contract matters as plain frozen values, judged as at a day the caller passes: what the
contracts page, the quarterly report and its Excel sheet render. A fixed number of queries."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch

from kpis import benchmarking
from kpis.ees import GeographicLevel
from kpis.models import Geography, Neighbour, NeighbourModel, Release, ReleaseKind
from sct_portal.models import current

from . import deadlines
from .deadlines import Precision, Timing
from .models import Action, ActionPlan, Contract, Inspection, Milestone, PublishedInspection


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


# ---------------------------------------------------------------------------------------
# Ofsted's published judgements: the organisation's beside its statistical neighbours'


@dataclass(frozen=True)
class PublishedOutcome:
    kind: str
    inspected_on: dt.date
    published_on: dt.date | None
    overall: str
    leadership: str
    help_and_protection: str
    in_care: str
    care_leavers: str
    theme: str

    @property
    def judged(self) -> bool:
        return bool(self.overall)


@dataclass(frozen=True)
class AuthorityJudgements:
    name: str
    code: str  # DfE's three-digit code
    is_own: bool
    rank: int  # 1 is the closest neighbour; 0 for the organisation's own authority
    closeness: str
    history: tuple[PublishedOutcome, ...]  # every inspection and visit, newest first

    @property
    def latest(self) -> PublishedOutcome | None:
        """The latest inspection with judgements."""
        return next((outcome for outcome in self.history if outcome.judged), None)


@dataclass(frozen=True)
class NeighbourJudgements:
    model: str  # the statistical-neighbour model used
    authorities: tuple[AuthorityJudgements, ...]  # the organisation's first
    source: str  # the release's citation

    @property
    def own(self) -> AuthorityJudgements | None:
        return self.authorities[0] if self.authorities and self.authorities[0].is_own else None


def neighbour_judgements(*, on: dt.date) -> NeighbourJudgements | None:
    """Ofsted's published judgements of the organisation's authority and of its statistical
    neighbours in the model in force on `on`; None until Ofsted's outcomes and a neighbour
    model are imported. A fixed number of queries."""
    release = (
        Release.objects.in_force()
        .filter(kind=ReleaseKind.INSPECTIONS)
        .defer("content")
        .order_by("-imported_at")
        .first()
    )
    if release is None:
        return None
    code = current().la_code
    models = list(
        NeighbourModel.objects.filter(
            release__imported_at__isnull=False, release__superseded_by__isnull=True
        ).order_by("in_force_from", "id")
    )
    index = benchmarking.model_in_force([m.in_force_from for m in models], on)
    if not code or index is None:
        return None
    model = models[index]
    neighbours = list(Neighbour.objects.filter(model=model, authority_code=code).order_by("rank"))
    wanted = [(code, 0, ""), *((n.neighbour_code, n.rank, n.closeness) for n in neighbours)]
    geographies = {
        g.code: g
        for g in Geography.objects.filter(
            level=GeographicLevel.LOCAL_AUTHORITY, code__in=[c for c, _, _ in wanted]
        )
    }
    ons_of = {c: (geographies[c].ons_codes if c in geographies else []) for c, _, _ in wanted}
    outcomes: dict[str, list[PublishedOutcome]] = {}
    names: dict[str, str] = {}
    for row in PublishedInspection.objects.filter(
        release=release, ons_code__in=[ons for codes in ons_of.values() for ons in codes]
    ).order_by("-inspected_on", "kind"):
        names.setdefault(row.ons_code, row.la_name)
        outcomes.setdefault(row.ons_code, []).append(
            PublishedOutcome(
                kind=row.kind,
                inspected_on=row.inspected_on,
                published_on=row.published_on,
                overall=row.get_overall_display(),
                leadership=row.get_leadership_display(),
                help_and_protection=row.get_help_and_protection_display(),
                in_care=row.get_in_care_display(),
                care_leavers=row.get_care_leavers_display(),
                theme=row.theme,
            )
        )
    neighbour_names = {n.neighbour_code: n.neighbour_name for n in neighbours}
    authorities = []
    for la_code, rank, near in wanted:
        history = [o for ons in ons_of[la_code] for o in outcomes.get(ons, [])]
        history.sort(key=lambda o: o.inspected_on, reverse=True)
        geography = geographies.get(la_code)
        authorities.append(
            AuthorityJudgements(
                name=geography.name if geography else neighbour_names.get(la_code) or la_code,
                code=la_code,
                is_own=rank == 0,
                rank=rank,
                closeness=near,
                history=tuple(history),
            )
        )
    return NeighbourJudgements(
        model=model.name, authorities=tuple(authorities), source=release.citation
    )
