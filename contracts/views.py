import datetime as dt

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .summary import contract_matters, neighbour_judgements
from .tables import ActionTable, InspectionTable, MilestoneTable


@permission_required("contracts.view_contract", raise_exception=True)
def contract_overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    on, error = today, ""
    if text := request.GET.get("on", "").strip():
        try:
            on = dt.date.fromisoformat(text)
        except ValueError:
            error = f"“{text}” is not a date: enter one such as 2022-08-31."
    matters = contract_matters(on=on)
    context = {
        "matters": matters,
        "judgements": neighbour_judgements(on=on),
        "today": today,
        "as_at_text": text if error else ("" if on == today else on.isoformat()),
        "as_at_error": error,
        "overdue": MilestoneTable(
            list(matters.overdue), caption="Overdue milestones", caption_id="overdue-milestones"
        ),
        "upcoming": MilestoneTable(
            list(matters.upcoming),
            caption="Upcoming milestones",
            caption_id="upcoming-milestones",
        ),
        "undated": MilestoneTable(
            list(matters.undated),
            caption="Milestones with no due date recorded",
            caption_id="undated-milestones",
        ),
        "closed": MilestoneTable(
            list(matters.closed), caption="Closed milestones", caption_id="closed-milestones"
        ),
        "inspections": InspectionTable(
            list(matters.inspections), caption="Inspection history", caption_id="inspections"
        ),
        "actions": ActionTable(
            list(matters.open_actions), caption="Open actions", caption_id="open-actions"
        ),
    }
    return render(request, "contracts/contract_list.html", context)
