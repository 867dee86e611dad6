from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from sct_portal.admin_inlines import LabelledTabularInline

from .models import (
    DeficitRecoveryPlan,
    FinanceYear,
    FinancialRisk,
    MonitoringLine,
    Repayment,
    SurplusForecast,
)
from .money import format_money


class ValueHistoryAdmin[M: models.Model](admin.ModelAdmin[M]):
    """Writes the old and new value of every changed field into the admin history, so no
    figure is overwritten without a trace ("Budget: £1,000 → £1,200")."""

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        if add:
            return super().construct_change_message(request, form, formsets, add)
        changes = [_change(form, name) for name in form.changed_data]
        for formset in formsets or []:
            changes += [f"added {obj}" for obj in formset.new_objects]
            changes += [f"deleted {obj}" for obj in formset.deleted_objects]
            for obj, changed in formset.changed_objects:
                inline_form = next(f for f in formset.forms if f.instance.pk == obj.pk)
                changes += [f"{obj}, {_change(inline_form, name)}" for name in changed]
        if not changes:
            return super().construct_change_message(request, form, formsets, add)
        return "Changed " + "; ".join(changes) + "."


def _change(form: forms.BaseForm, name: str) -> str:
    field = form.fields[name]
    old, new = form.initial.get(name), form.cleaned_data.get(name)
    return f"{field.label}: {_shown(field, old)} → {_shown(field, new)}"


def _shown(field: forms.Field, value: Any) -> str:
    if value in (None, ""):
        return "blank"
    if isinstance(field, forms.DecimalField):
        return format_money(value)
    if isinstance(field, forms.TypedChoiceField | forms.ChoiceField):
        choices: Any = field.choices
        labels = {str(key): label for key, label in choices}
        return str(labels.get(str(value), value))
    return str(value)


class SurplusForecastInline(LabelledTabularInline):
    model = SurplusForecast
    extra = 0
    fields = ["quarter", "forecast_surplus", "note"]


@admin.register(FinanceYear)
class FinanceYearAdmin(ValueHistoryAdmin[FinanceYear]):
    list_display = [
        "__str__",
        "contract_sum_shown",
        "approval",
        "planned_surplus_shown",
    ]
    inlines = [SurplusForecastInline]
    fieldsets = [
        (None, {"fields": ["start_year"]}),
        (
            "Contract sum",
            {"fields": ["contract_sum", "contract_sum_approved_by", "contract_sum_approved_in"]},
        ),
        ("Surplus", {"fields": ["planned_surplus"]}),
        ("Source", {"fields": ["source"]}),
    ]

    @admin.display(description="Contract sum", ordering="contract_sum")
    def contract_sum_shown(self, obj: FinanceYear) -> str:
        return format_money(obj.contract_sum)

    @admin.display(description="Planned surplus", ordering="planned_surplus")
    def planned_surplus_shown(self, obj: FinanceYear) -> str:
        return format_money(obj.planned_surplus)


class RepaymentInline(LabelledTabularInline):
    model = Repayment
    extra = 0
    fields = ["year", "planned", "actual", "note"]


@admin.register(DeficitRecoveryPlan)
class DeficitRecoveryPlanAdmin(ValueHistoryAdmin[DeficitRecoveryPlan]):
    list_display = ["__str__", "deficit_amount_shown"]
    inlines = [RepaymentInline]
    fields = ["deficit_year", "deficit_amount", "repay_by_year", "description", "source"]

    @admin.display(description="Deficit", ordering="deficit_amount")
    def deficit_amount_shown(self, obj: DeficitRecoveryPlan) -> str:
        return format_money(obj.deficit_amount)


@admin.register(MonitoringLine)
class MonitoringLineAdmin(ValueHistoryAdmin[MonitoringLine]):
    list_display = [
        "year",
        "quarter",
        "area",
        "budget_shown",
        "forecast_shown",
        "variance_shown",
    ]
    list_display_links = ["area"]
    list_filter = ["year", "quarter"]
    search_fields = ["area", "note"]
    list_select_related = ["year"]
    fields = ["year", "quarter", "area", "budget", "forecast_outturn", "note", "order"]

    @admin.display(description="Budget", ordering="budget")
    def budget_shown(self, obj: MonitoringLine) -> str:
        return format_money(obj.budget)

    @admin.display(description="Forecast outturn", ordering="forecast_outturn")
    def forecast_shown(self, obj: MonitoringLine) -> str:
        return format_money(obj.forecast_outturn)

    @admin.display(description="Variance")
    def variance_shown(self, obj: MonitoringLine) -> str:
        return obj.variance.description


@admin.register(FinancialRisk)
class FinancialRiskAdmin(ValueHistoryAdmin[FinancialRisk]):
    list_display = ["title", "year", "owner", "status", "score_shown", "value_at_risk_shown"]
    list_filter = ["year", "status"]
    search_fields = ["title", "description", "owner", "mitigation"]
    list_select_related = ["year"]
    fieldsets = [
        (None, {"fields": ["year", "title", "description", "owner", "status", "order"]}),
        ("Assessment", {"fields": ["likelihood", "impact", "value_at_risk"]}),
        ("Response", {"fields": ["mitigation", "source"]}),
    ]

    @admin.display(description="Score")
    def score_shown(self, obj: FinancialRisk) -> str:
        score = obj.score
        return "not assessed" if score is None else f"{score.score} ({score.rating.value})"

    @admin.display(description="Value at risk", ordering="value_at_risk")
    def value_at_risk_shown(self, obj: FinancialRisk) -> str:
        return format_money(obj.value_at_risk)
