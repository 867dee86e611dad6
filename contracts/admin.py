from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.utils import timezone

from kpis.admin import ReadOnly
from sct_portal.admin_inlines import LabelledTabularInline

from .models import (
    Action,
    ActionPlan,
    Contract,
    Inspection,
    Milestone,
    PublishedInspection,
    SubJudgement,
)


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin[Contract]):
    list_display = ["name", "council", "provider", "start_date", "term_years"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "council", "provider"]}),
        ("Term", {"fields": ["start_date", "start_date_note", "term_years", "break_clause"]}),
        ("Source", {"fields": ["source"]}),
    ]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin[Milestone]):
    list_display = ["title", "kind", "due", "status", "standing_today"]
    list_filter = ["kind", "status", "contract"]
    search_fields = ["title", "outcome", "note"]
    list_select_related = ["contract"]
    fields = [
        "contract",
        "title",
        "kind",
        ("due_date", "due_precision"),
        "follows",
        "status",
        "outcome",
        "note",
        "order",
    ]

    @admin.display(description="Due", ordering="due_date")
    def due(self, obj: Milestone) -> str:
        return obj.due

    @admin.display(description="Standing today")
    def standing_today(self, obj: Milestone) -> str:
        return obj.timing(timezone.localdate()).label


class SubJudgementInline(LabelledTabularInline):
    model = SubJudgement
    extra = 0
    fields = ["area", "judgement", "order"]


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin[Inspection]):
    list_display = ["__str__", "published", "overall_judgement"]
    list_filter = ["inspectorate", "framework", "overall_judgement"]
    search_fields = ["inspectorate", "framework", "note"]
    inlines = [SubJudgementInline]
    fields = [
        "inspectorate",
        "framework",
        ("fieldwork_start", "fieldwork_end", "fieldwork_precision"),
        "published_on",
        "overall_judgement",
        "report_url",
        "note",
    ]

    @admin.display(description="Published", ordering="published_on")
    def published(self, obj: Inspection) -> str:
        return obj.published


# The KPIs an action serves, as labelled checkboxes: the autocomplete widget's search box
# has no label a screen reader can announce (WCAG 2.2, 4.1.2).
KPI_CHECKBOXES: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}
}


class ActionInline(admin.StackedInline[Action, ActionPlan]):
    model = Action
    extra = 0
    fields = [
        "description",
        "owner",
        ("due_date", "due_precision"),
        "status",
        "kpis",
        "outcome",
        "order",
    ]
    formfield_overrides = KPI_CHECKBOXES


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin[ActionPlan]):
    list_display = ["title", "inspection", "status", "shared_with", "shared_on"]
    list_filter = ["status"]
    search_fields = ["title", "description"]
    list_select_related = ["inspection"]
    inlines = [ActionInline]
    fields = [
        "title",
        "inspection",
        "description",
        ("shared_with", "shared_on"),
        "status",
        "note",
    ]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin[Action]):
    list_display = ["__str__", "plan", "owner", "due", "status", "standing_today"]
    list_filter = ["status", "plan"]
    search_fields = ["description", "owner", "outcome"]
    list_select_related = ["plan"]
    formfield_overrides = KPI_CHECKBOXES
    fields = [
        "plan",
        "description",
        "owner",
        ("due_date", "due_precision"),
        "status",
        "kpis",
        "outcome",
        "order",
    ]

    @admin.display(description="Due", ordering="due_date")
    def due(self, obj: Action) -> str:
        return obj.due

    @admin.display(description="Standing today")
    def standing_today(self, obj: Action) -> str:
        return obj.timing(timezone.localdate()).label


@admin.register(PublishedInspection)
class PublishedInspectionAdmin(ReadOnly, admin.ModelAdmin[PublishedInspection]):
    """Ofsted's published outcomes of every authority, as imported; read-only."""

    list_display = ["la_name", "kind", "inspected_on", "published_on", "overall", "release"]
    list_filter = ["kind", "overall", "region"]
    search_fields = ["la_name", "ons_code"]
    list_select_related = ["release"]
    date_hierarchy = "inspected_on"

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).defer("release__content")
