from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from sct_portal import periods

from .models import (
    Benchmark,
    Goal,
    Kpi,
    Observation,
    ObservationRevision,
    Section,
    Target,
)

admin.site.site_header = "SCT Performance Portal administration"
admin.site.site_title = "SCT Performance Portal"
admin.site.index_title = "Data and definitions"


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin[Section]):
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


class TargetInline(admin.TabularInline[Target, Kpi]):
    model = Target
    extra = 0
    fields = ["value", "tolerance", "valid_from", "valid_to", "source", "source_detail"]


class GoalInline(admin.TabularInline[Goal, Kpi]):
    model = Goal
    extra = 0
    fields = ["value", "due", "source", "source_detail"]


class BenchmarkInline(admin.TabularInline[Benchmark, Kpi]):
    model = Benchmark
    extra = 0
    fields = ["month", "comparator", "statistic", "group", "value", "source"]


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin[Kpi]):
    list_display = [
        "ref",
        "description",
        "section",
        "unit",
        "decimals",
        "polarity",
        "frequency",
        "is_headline",
        "is_active",
    ]
    list_display_links = ["ref", "description"]
    list_filter = ["section", "unit", "polarity", "frequency", "is_headline", "is_active"]
    search_fields = ["ref", "description"]
    list_select_related = ["section"]
    ordering = ["order", "ref"]
    inlines = [TargetInline, GoalInline, BenchmarkInline]
    fieldsets = [
        (None, {"fields": ["ref", "description", "section", "order", "is_active"]}),
        (
            "How it is measured",
            {"fields": ["unit", "decimals", "polarity", "frequency", "uses_fraction"]},
        ),
        ("Where it is shown", {"fields": ["is_headline", "in_kpi_table"]}),
        ("Definition", {"fields": ["definition"]}),
    ]


class MonthFilter(admin.SimpleListFilter):
    title = "month"
    parameter_name = "month"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        months = (
            model_admin.get_queryset(request)
            .order_by("-month")
            .values_list("month", flat=True)
            .distinct()
        )
        return [(periods.month_slug(m), periods.month_label(m)) for m in months]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            try:
                return queryset.filter(month=periods.parse_month(str(self.value())))
            except ValueError:
                return queryset.none()
        return queryset


class FinancialYearFilter(admin.SimpleListFilter):
    title = "financial year"
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        months = model_admin.get_queryset(request).values_list("month", flat=True).distinct()
        years = sorted({periods.FinancialYear.of(m) for m in months}, reverse=True)
        return [(year.slug, year.label) for year in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            try:
                year = periods.FinancialYear.parse(str(self.value()))
            except ValueError:
                return queryset.none()
            return queryset.filter(month__range=(year.first_day, year.last_day))
        return queryset


class ObservationForm(forms.ModelForm[Observation]):
    change_reason = forms.CharField(
        label="Reason for the change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the figure's history.",
    )

    class Meta:
        model = Observation
        fields = ["kpi", "month", "value", "numerator", "denominator", "note"]


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin[Observation]):
    form = ObservationForm
    list_display = [
        "kpi_ref",
        "kpi_description",
        "month_label",
        "formatted_value",
        "fraction",
        "entered_by",
        "updated_at",
        "version",
    ]
    list_display_links = ["kpi_ref", "month_label"]
    list_filter = ["kpi__section", "kpi__unit", FinancialYearFilter, MonthFilter]
    search_fields = ["kpi__ref", "kpi__description"]
    list_select_related = ["kpi", "entered_by"]
    ordering = ["-month", "kpi__order", "kpi__ref"]
    autocomplete_fields = ["kpi"]
    readonly_fields = ["history"]
    list_per_page = 50

    def get_fields(self, request: HttpRequest, obj: Observation | None = None) -> Any:
        fields = ["kpi", "month", "value", "numerator", "denominator", "note", "change_reason"]
        return fields + (["history"] if obj else [])

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Once entered, a figure belongs to its KPI and month; only its value changes.
        return ["kpi", "month", "history"] if obj else []

    @admin.display(description="Ref", ordering="kpi__order")
    def kpi_ref(self, obj: Observation) -> str:
        return obj.kpi.ref

    @admin.display(description="KPI")
    def kpi_description(self, obj: Observation) -> str:
        text = obj.kpi.description
        return text if len(text) <= 70 else text[:67] + "…"

    @admin.display(description="Month", ordering="month")
    def month_label(self, obj: Observation) -> str:
        return periods.month_label(obj.month)

    @admin.display(description="Value", ordering="value")
    def formatted_value(self, obj: Observation) -> str:
        return obj.formatted

    @admin.display(description="Numerator / denominator")
    def fraction(self, obj: Observation) -> str:
        if obj.numerator is None or obj.denominator is None:
            return "–"
        return f"{obj.numerator} of {obj.denominator}"

    @admin.display(description="History of this figure")
    def history(self, obj: Observation) -> str:
        from django.utils.html import format_html_join

        revisions = ObservationRevision.objects.filter(kpi=obj.kpi, month=obj.month)
        rows = revisions.select_related("kpi", "changed_by")
        return (
            format_html_join(
                "",
                "<p>{} · {} · {} ({}){}</p>",
                (
                    (
                        r.changed_at.strftime("%d %b %Y %H:%M"),
                        r.changed_by or "system",
                        r.summary,
                        r.source,
                        f" — {r.reason}" if r.reason else "",
                    )
                    for r in rows
                ),
            )
            or "No changes recorded."
        )

    def save_model(self, request: HttpRequest, obj: Observation, form: Any, change: bool) -> None:
        obj.changed_by = request.user
        obj.change_source = "admin"
        obj.change_reason = form.cleaned_data.get("change_reason", "")
        if not change:
            obj.entered_by = request.user  # type: ignore[assignment]
        obj.save()


@admin.register(ObservationRevision)
class ObservationRevisionAdmin(admin.ModelAdmin[ObservationRevision]):
    """Every change to every figure; read-only."""

    list_display = ["changed_at", "kpi", "month_label", "summary", "changed_by", "source", "reason"]
    list_filter = ["action", "source", "kpi__section", MonthFilter]
    search_fields = ["kpi__ref", "kpi__description", "reason"]
    list_select_related = ["kpi", "changed_by"]
    date_hierarchy = "changed_at"

    @admin.display(description="Month", ordering="month")
    def month_label(self, obj: ObservationRevision) -> str:
        return periods.month_label(obj.month)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin[Target]):
    list_display = ["kpi", "value", "tolerance", "valid_from", "valid_to", "source"]
    list_filter = ["source", "kpi__section"]
    search_fields = ["kpi__ref", "kpi__description"]
    list_select_related = ["kpi"]
    autocomplete_fields = ["kpi"]


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin[Goal]):
    list_display = ["kpi", "value", "due", "source"]
    list_filter = ["source"]
    search_fields = ["kpi__ref", "kpi__description"]
    list_select_related = ["kpi"]
    autocomplete_fields = ["kpi"]


@admin.register(Benchmark)
class BenchmarkAdmin(admin.ModelAdmin[Benchmark]):
    list_display = ["kpi", "month", "comparator", "statistic", "group", "value", "source"]
    list_filter = ["comparator", "statistic", "kpi__section"]
    search_fields = ["kpi__ref", "kpi__description", "group", "source"]
    list_select_related = ["kpi"]
    autocomplete_fields = ["kpi"]
