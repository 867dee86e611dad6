import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models as models_module
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.forms import Script
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from sct_portal import periods, spreadsheets
from sct_portal.admin_inlines import LabelledTabularInline
from sct_portal.models import of_request

from . import chart_records, exports, figures, imports, published, symbols, tasks
from .entry import ENTRY_PERMISSIONS, MonthlyReturnSheet, default_month, entry_months
from .forms import PreviewKpiForm, PublishedUploadForm, RulePreviewForm, TargetForm
from .models import (
    Annotation,
    BaselineExclusion,
    Benchmark,
    BenchmarkMapping,
    ChangePoint,
    ChartRevision,
    ClosedMonth,
    ComparatorGroup,
    Geography,
    Goal,
    ImportedFile,
    ImportStatus,
    Kpi,
    MonthlyReturn,
    NeighbourModel,
    Observation,
    ObservationRevision,
    PublishedValue,
    Release,
    ReleaseKind,
    Section,
    Target,
    target_problems,
)
from .rag import Stated


def can_enter_figures(request: HttpRequest) -> bool:
    """Analysts (and administrators): the permissions to add and change observations."""
    return request.user.has_perms(ENTRY_PERMISSIONS)


def observations_url(**filters: Any) -> str:
    url = reverse("admin:kpis_observation_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


class ReadOnly:
    """Admin records that are written by the portal's own pages, never edited as records here:
    a figure's history, the monthly return, an imported file."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin[Section]):
    list_display = ["name", "order"]
    search_fields = ["name"]


TARGET_FIELDSETS: Any = [  # the stubs type fieldsets by a private TypedDict
    (
        "The rule",
        {
            "fields": [
                "comparison",
                ("value", "upper"),
                "basis",
                ("comparator", "statistic"),
                "baseline_month",
                ("amber", "amber_value"),
                "rule",
            ],
            "description": "The rule as a sentence is shown under the fields, and checked "
            "again when the target is saved.",
        },
    ),
    ("In force and source", {"fields": [("valid_from", "valid_to"), "source", "source_detail"]}),
]
# The module that keeps the rule's sentence up to date as the fields change (the stubs
# predate Script, which gives the tag its type="module").
RULE_PREVIEW = forms.Media(js=[Script("js/admin/target-rule.mjs", type="module")])  # type: ignore[list-item]


def rule_output(target: Target | None) -> str:
    """The rule as a sentence, in the live region the preview module keeps up to date as
    the fields change: a saved target's sentence without JavaScript too."""
    if target is not None and target.pk and not target_problems(target):
        words = target.sentence
    else:
        words = "Shown once the target is saved (and as you type, with JavaScript on)."
    return format_html(
        '<output class="target-rule" aria-live="polite" data-url="{}">{}</output>',
        reverse("admin:kpis_target_rule"),
        words,
    )


class TargetInline(admin.StackedInline[Target, Kpi]):
    """A KPI's targets on its own page, each with its rule as a sentence."""

    model = Target
    form = TargetForm
    extra = 0
    fieldsets = TARGET_FIELDSETS
    readonly_fields = ["rule"]

    @admin.display(description="Rule")
    def rule(self, obj: Target | None) -> str:
        return rule_output(obj)

    @property
    def media(self) -> forms.Media:
        return super().media + RULE_PREVIEW


class GoalInline(LabelledTabularInline):
    model = Goal
    extra = 0
    fields = ["value", "due", "source", "source_detail"]


class BenchmarkInline(LabelledTabularInline):
    model = Benchmark
    extra = 0
    fields = ["month", "comparator", "statistic", "group", "value", "source"]


class ChartRecordInline(LabelledTabularInline):
    """An inline of how the KPI's chart is read; saved through kpis/chart_records.py."""

    extra = 0
    formfield_overrides = {models_module.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}


class ChangePointInline(ChartRecordInline):
    """Where the SPC limits are recalculated from: approved by a person with a reason."""

    model = ChangePoint
    fields = ["month", "reason", "status", "decision_reason", "decided"]
    readonly_fields = ["decided"]

    @admin.display(description="Proposed, approved or rejected")
    def decided(self, obj: ChangePoint) -> str:
        return decision_text(obj)


class BaselineExclusionInline(ChartRecordInline):
    """Figures left out of their SPC baseline (still shown and judged)."""

    model = BaselineExclusion
    fields = ["month", "reason", "excluded"]
    readonly_fields = ["excluded"]

    @admin.display(description="Excluded by")
    def excluded(self, obj: BaselineExclusion) -> str:
        return who_and_when(obj.excluded_by, obj.excluded_at) if obj.pk else ""


class AnnotationInline(ChartRecordInline):
    """Dated events shown on the KPI's chart."""

    model = Annotation
    fields = ["date", "text", "added"]
    readonly_fields = ["added"]

    @admin.display(description="Added by")
    def added(self, obj: Annotation) -> str:
        return who_and_when(obj.added_by, obj.added_at) if obj.pk else ""


CHART_INLINES = (ChangePointInline, BaselineExclusionInline, AnnotationInline)


def who_and_when(by: Any, at: dt.datetime | None) -> str:
    when = f"{timezone.localtime(at):%d %b %Y}" if at else ""
    return f"{by or 'the portal'}, {when}" if when else str(by or "the portal")


def decision_text(obj: ChangePoint) -> str:
    if obj.pk is None:
        return ""
    proposed = f"Proposed by {who_and_when(obj.proposed_by, obj.proposed_at)}"
    if obj.decided_at is None:
        return proposed
    verb = "approved" if obj.is_approved else "rejected"
    return f"{proposed}; {verb} by {who_and_when(obj.decided_by, obj.decided_at)}"


def save_chart_records(request: HttpRequest, formset: Any) -> None:
    """Save an inline of change points, exclusions or annotations through the service that
    keeps each change in the chart's history."""
    for record in formset.save(commit=False):
        chart_records.save(record=record, by=request.user)
    for record in formset.deleted_objects:
        chart_records.delete(record=record, by=request.user)


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin[Kpi]):
    list_display = ["short_ref", "short_description", "section", "unit", "is_active", "figures"]
    list_display_links = ["short_ref", "short_description"]
    list_filter = ["section", "unit", "polarity", "frequency", "is_headline", "is_active"]
    search_fields = ["ref", "description"]
    list_select_related = ["section"]
    ordering = ["order", "ref"]
    inlines = [TargetInline, GoalInline, BenchmarkInline, *CHART_INLINES]
    readonly_fields = ["chart_history"]
    fieldsets = [
        (None, {"fields": ["ref", "description", "short_name", "section", "order", "is_active"]}),
        (
            "How it is measured",
            {
                "fields": [
                    "unit",
                    "decimals",
                    "polarity",
                    "frequency",
                    "cumulative",
                    "uses_fraction",
                ]
            },
        ),
        ("Where it is shown", {"fields": ["is_headline", "in_kpi_table"]}),
        ("Definition", {"fields": ["definition"]}),
        ("SPC chart", {"fields": ["chart", "baseline_length", "chart_history"]}),
    ]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if issubclass(formset.model, (ChangePoint, BaselineExclusion, Annotation)):
            save_chart_records(request, formset)
            formset.save_m2m()
        else:
            super().save_formset(request, form, formset, change)

    @admin.display(description="Chart history")
    def chart_history(self, obj: Kpi) -> str:
        if obj.pk is None:
            return "No changes recorded."
        url = reverse("admin:kpis_chartrevision_changelist")
        recent = obj.chart_revisions.select_related("changed_by")[:5]
        lines = format_html_join(
            "",
            "<p>{} · {} · {} {} · {}{}</p>",
            (
                (
                    f"{timezone.localtime(r.changed_at):%d %b %Y %H:%M}",
                    r.changed_by or "the portal",
                    r.get_record_display(),
                    r.get_action_display().lower(),
                    r.summary,
                    f" — {r.reason}" if r.reason and r.reason not in r.summary else "",
                )
                for r in recent
            ),
        )
        link = format_html(
            '<p><a href="{}?kpi__id__exact={}">Every change<span class="visually-hidden"> to '
            "KPI {}'s change points, baseline exclusions and annotations</span></a></p>",
            url,
            obj.pk,
            obj.ref,
        )
        return format_html("{}{}", lines, link) if recent else "No changes recorded."

    def get_queryset(self, request: HttpRequest) -> QuerySet[Kpi]:
        return super().get_queryset(request).annotate(figure_count=Count("observations"))

    @admin.display(description="Ref", ordering="order")
    def short_ref(self, obj: Kpi) -> str:
        return obj.ref

    @admin.display(description="Description", ordering="description")
    def short_description(self, obj: Kpi) -> str:
        return _short(obj.description, 60)

    @admin.display(description="Figures", ordering="figure_count")
    def figures(self, obj: Kpi) -> str:
        count = getattr(obj, "figure_count", 0)
        return format_html(
            '<a href="{}">{} figure{}<span class="visually-hidden"> of KPI {}</span></a>',
            observations_url(kpi__id__exact=obj.pk),
            count,
            "" if count == 1 else "s",
            obj.ref,
        )


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


class KpiFilter(admin.SimpleListFilter):
    title = "KPI"
    parameter_name = "kpi__id__exact"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (str(kpi.pk), f"{kpi.ref}. {_short(kpi.description, 30)}")
            for kpi in Kpi.objects.order_by("order", "ref")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and str(value).isdigit():
            return queryset.filter(kpi_id=int(str(value)))
        return queryset


class ClosedFilter(admin.SimpleListFilter):
    title = "month closed"
    parameter_name = "closed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Closed months"), ("no", "Open months")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        closed = ClosedMonth.objects.values("month")
        if self.value() == "yes":
            return queryset.filter(month__in=closed)
        if self.value() == "no":
            return queryset.exclude(month__in=closed)
        return queryset


def _short(text: str, length: int = 70) -> str:
    return text if len(text) <= length else text[: length - 3] + "…"


class ObservationForm(forms.ModelForm[Observation]):
    """A figure in the admin, written through the one write path (kpis.figures): the same
    checks as the return and the import, and a lost update refused with both versions."""

    figure = forms.CharField(
        label="Value",
        max_length=40,
        required=False,
        help_text="A number as the KPI is kept (74.9 for 74.9%), or a symbol: "
        f"{symbols.accepted()}.",
    )
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    change_reason = forms.CharField(
        label="Reason for the change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the figure's history. Needed in a closed month.",
    )
    confirm = forms.BooleanField(
        label="I have checked this figure",
        required=False,
        help_text="Asked when a figure looks unusual for the KPI.",
    )
    user: Any = None  # set by ObservationAdmin.get_form

    class Meta:
        model = Observation
        fields = [
            "kpi",
            "month",
            "numerator",
            "denominator",
            "note",
            "stated_rag",
            "stated_words",
            "stated_reason",
        ]
        help_texts = {
            "stated_rag": "The organisation's own RAG for the period, if it states one. It is "
            "shown as stated, never as the RAG worked out from the target.",
            "stated_words": "The organisation's own words for the period: “good performance”, "
            "“potential concern”. A stated status may be recorded with no figure.",
            "stated_reason": "Who states it and why: “Director of Children's Services, "
            "performance board 5 July 2022”. Needed with a stated status.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance if self.instance.pk else None
        if stored is not None:
            self.fields["figure"].initial = entry_as_typed(stored)
            self.fields["seen_version"].initial = stored.version
        self.change: figures.Change | None = None

    def clean_figure(self) -> Decimal | str | None:
        text = self.cleaned_data.get("figure") or ""
        if not text.strip():
            return None
        try:
            return imports.parse_value(text)
        except ValueError as error:
            raise forms.ValidationError(f"{error}.") from None

    def entry(self) -> figures.Entry | None:
        data = self.cleaned_data
        kpi = self.instance.kpi if self.instance.pk else data.get("kpi")
        month = self.instance.month if self.instance.pk else data.get("month")
        if kpi is None or month is None:
            return None
        version = data.get("seen_version")
        rag, words = data.get("stated_rag") or "", (data.get("stated_words") or "").strip()
        reason = (data.get("stated_reason") or "").strip()
        stated = Stated(rag=rag, words=words, reason=reason) if rag or words else None
        return figures.Entry(
            kpi=kpi,
            month=month,
            value=data.get("figure"),
            numerator=data.get("numerator"),
            denominator=data.get("denominator"),
            note=data.get("note") or "",
            stated=stated,
            version=version if self.instance.pk else 0,
            confirmed=bool(data.get("confirm")),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        figure = data.get("figure")
        # The row the model's own checks see (its constraints need a figure or symbol).
        self.instance.value = figure if isinstance(figure, Decimal) else None
        self.instance.symbol = figure if isinstance(figure, str) else ""
        entry = self.entry()
        if entry is None or self.errors:
            return data
        reason = (data.get("change_reason") or "").strip()
        checked = figures.check([entry], by=self.user, reason=reason)
        if (
            not (data.get("stated_rag") or data.get("stated_words"))
            and (data.get("stated_reason") or "").strip()
        ):
            self.add_error(
                "stated_words",
                f"{entry.where}: say what the stated status is (a RAG or words), or clear "
                "who states it and why.",
            )
        for problem in checked.problems:
            name = {"value": "figure"}.get(problem.field or "", problem.field)
            if name == "stated":
                name = "stated_reason" if "why" in problem.message else "stated_words"
            if problem.code == figures.Code.CLOSED_REASON:
                name = "change_reason"
            if problem.code == figures.Code.CONFLICT:
                self.add_error(None, self._conflict(checked.changes[0], entry))
                continue
            self.add_error(name if name in self.fields else None, problem.message)
        change = checked.changes[0]
        if change.warnings and not entry.confirmed and not checked.problems:
            self.add_error(
                "confirm",
                f"{entry.where}: check this figure — {'; '.join(change.warnings)} — then tick "
                "“I have checked this figure”.",
            )
        self.change = change
        return data

    def _conflict(self, change: figures.Change, entry: figures.Entry) -> str:
        """Both versions, and what saving again would do; the form is shown again at the
        version now stored, so that a second save is a decision, never an accident."""
        theirs = change.stored
        mine = entry.kpi.format_figure(
            entry.value if not isinstance(entry.value, figures.Unchanged) else None
        )
        if theirs is None:
            return (
                f"{entry.where}: someone else deleted this figure after you opened it; yours "
                f"({mine}) was not saved."
            )
        latest = (
            ObservationRevision.objects.filter(kpi=theirs.kpi_id, month=theirs.month)
            .order_by("-id")
            .first()
        )
        when = timezone.localtime(latest.changed_at) if latest else None
        who = f" by {latest.changed_by_name} at {when:%H:%M on %d %b %Y}" if latest else ""
        data = QueryDict(mutable=True)
        data.update(self.data)
        data["seen_version"] = str(theirs.version)
        self.data = data
        return (
            f"{entry.where}: someone else changed this figure after you opened it{who}. "
            f"Theirs: {theirs.formatted} (version {theirs.version}). Yours: {mine}, not saved. "
            "Reload the page to keep theirs, or save again to replace it with yours."
        )


def entry_as_typed(observation: Observation) -> str:
    if observation.value is not None:
        return (
            f"{Decimal(observation.value).quantize(Decimal(1).scaleb(-observation.kpi.decimals)):f}"
        )
    return observation.symbol


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin[Observation]):
    form = ObservationForm
    list_display = [
        "kpi_ref",
        "kpi_description",
        "month_label",
        "formatted_value",
        "fraction",
        "last_changed",
        "history_link",
    ]
    list_display_links = ["kpi_ref", "month_label"]
    list_filter = [
        KpiFilter,
        "kpi__section",
        "kpi__unit",
        FinancialYearFilter,
        MonthFilter,
        ClosedFilter,
    ]
    search_fields = ["kpi__ref", "kpi__description", "note"]
    list_select_related = ["kpi", "entered_by"]
    ordering = ["-month", "kpi__order", "kpi__ref"]
    readonly_fields = ["history", "period_status"]
    list_per_page = 50
    # No bulk actions, deletion included: each deletion is one decision, kept in the history.
    actions = None

    def get_urls(self) -> list[URLPattern]:
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_view),
            name="kpis_observation_export",
        )
        return [export, *super().get_urls()]

    def get_form(
        self,
        request: HttpRequest,
        obj: Observation | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_fields(self, request: HttpRequest, obj: Observation | None = None) -> Any:
        fields = [
            "kpi",
            "month",
            "figure",
            "numerator",
            "denominator",
            "note",
            "stated_rag",
            "stated_words",
            "stated_reason",
            "change_reason",
        ]
        return fields + ["confirm", "seen_version"] + (["period_status", "history"] if obj else [])

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Once entered, a figure belongs to its KPI and month; only its value changes.
        return ["kpi", "month", "period_status", "history"] if obj else []

    def get_queryset(self, request: HttpRequest) -> QuerySet[Observation]:
        closed = ClosedMonth.objects.filter(month=OuterRef("month"))
        return super().get_queryset(request).annotate(is_closed=Exists(closed))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The delete page asks for no reason, which a closed month needs.
        if obj is not None and ClosedMonth.objects.filter(month=obj.month).exists():
            return False
        return super().has_delete_permission(request, obj)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {
            "can_enter_figures": can_enter_figures(request),
            "monthly_return_url": reverse("admin:kpis_monthlyreturn_changelist"),
            "import_url": reverse("admin:kpis_importedfile_add"),
            "export_url": reverse("admin:kpis_observation_export"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    @admin.display(description="Ref", ordering="kpi__order")
    def kpi_ref(self, obj: Observation) -> str:
        return obj.kpi.ref

    @admin.display(description="KPI")
    def kpi_description(self, obj: Observation) -> str:
        return _short(obj.kpi.description, 50)

    @admin.display(description="Month", ordering="month")
    def month_label(self, obj: Observation) -> str:
        closed = " (closed)" if getattr(obj, "is_closed", False) else ""
        return f"{periods.month_label(obj.month)}{closed}"

    @admin.display(description="Value", ordering="value")
    def formatted_value(self, obj: Observation) -> str:
        if obj.symbol:
            return f"{obj.symbol} ({symbols.meaning(obj.symbol)})"
        return obj.formatted

    @admin.display(description="Fraction")
    def fraction(self, obj: Observation) -> str:
        if obj.numerator is None or obj.denominator is None:
            return "–"
        return f"{obj.numerator} of {obj.denominator}"

    @admin.display(description="Last changed", ordering="updated_at")
    def last_changed(self, obj: Observation) -> str:
        return f"{timezone.localtime(obj.updated_at):%d %b %Y}"

    @admin.display(description="History")
    def history_link(self, obj: Observation) -> str:
        url = reverse("admin:kpis_observationrevision_changelist")
        query = urlencode(
            {"kpi__id__exact": str(obj.kpi_id), "month": periods.month_slug(obj.month)}
        )
        return format_html(
            '<a href="{}?{}">History<span class="visually-hidden"> of KPI {}, {}</span></a>',
            url,
            query,
            obj.kpi.ref,
            periods.month_label(obj.month),
        )

    @admin.display(description="Month")
    def period_status(self, obj: Observation) -> str:
        closure = ClosedMonth.objects.filter(month=obj.month).select_related("closed_by").first()
        if closure is None:
            return f"{periods.month_name(obj.month)} is open."
        by = f" by {closure.closed_by}" if closure.closed_by else ""
        return (
            f"{periods.month_name(obj.month)} is closed ({closure.reason}), since "
            f"{timezone.localtime(closure.closed_at):%d %b %Y}{by}. Changing this figure needs "
            "the permission to amend closed periods and a reason."
        )

    @admin.display(description="History of this figure")
    def history(self, obj: Observation) -> str:
        revisions = ObservationRevision.objects.filter(kpi=obj.kpi, month=obj.month)
        rows = revisions.select_related("kpi", "changed_by")
        return (
            format_html_join(
                "",
                "<p>{} · {} · {} ({}){}{}</p>",
                (
                    (
                        timezone.localtime(r.changed_at).strftime("%d %b %Y %H:%M"),
                        r.changed_by_name or r.changed_by,
                        r.summary,
                        r.source,
                        " · in a closed month" if r.closed_period else "",
                        f" — {r.reason}" if r.reason else "",
                    )
                    for r in rows
                ),
            )
            or "No changes recorded."
        )

    def save_model(self, request: HttpRequest, obj: Observation, form: Any, change: bool) -> None:
        entry = form.entry()
        recorded = figures.record_figures(
            entries=[entry],
            by=request.user,
            source=figures.Source.ADMIN,
            reason=(form.cleaned_data.get("change_reason") or "").strip(),
        )
        saved = Observation.objects.get(kpi=entry.kpi, month=recorded.changes[0].month)
        obj.pk, obj.version = saved.pk, saved.version  # the admin's message and redirect use it

    def delete_model(self, request: HttpRequest, obj: Observation) -> None:
        figures.delete_figure(
            kpi=obj.kpi,
            month=obj.month,
            by=request.user,
            source=figures.Source.ADMIN,
            reason="Deleted in the admin",
            version=obj.version,
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Observation]) -> None:
        for observation in queryset:
            self.delete_model(request, observation)

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        return form.instance  # written by save_model through the write path

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # a figure has no related records to save

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("kpis.view_observation"):
            raise PermissionDenied
        form = ExportForm(request.GET or None, months=_export_months())
        if form.is_bound and form.is_valid():
            months = form.months()
            content = exports.wide_workbook(
                months=months,
                today=timezone.localdate(),
                portal_name=of_request(request).portal_name,
                exported_by=request.user.get_username(),
            )
            response = HttpResponse(content, content_type=spreadsheets.XLSX_TYPE)
            response["Content-Disposition"] = f'attachment; filename="{exports.filename(months)}"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": "Export figures to a spreadsheet",
            "opts": self.opts,
            "form": form,
            "import_url": reverse("admin:kpis_importedfile_add"),
        }
        return TemplateResponse(request, "admin/kpis/observation/export.html", context)


MOST_EXPORTED_MONTHS = 60


def _export_months() -> list[dt.date]:
    earliest = Observation.objects.order_by("month").values_list("month", flat=True).first()
    return list(reversed(entry_months(today=timezone.localdate(), earliest=earliest)))


def _default_export_span() -> tuple[dt.date, dt.date]:
    """The report's window up to the latest figure: the previous financial year and this
    one to date (Q1 2022/23: Apr-21 … Jun-22)."""
    latest = Observation.objects.order_by("-month").values_list("month", flat=True).first()
    last = latest or default_month()
    return periods.Quarter.of(last).report_months()[0], last


class ExportForm(forms.Form):
    first = forms.TypedChoiceField(label="From", coerce=periods.parse_month)
    last = forms.TypedChoiceField(label="To", coerce=periods.parse_month)

    def __init__(self, *args: Any, months: list[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(periods.month_slug(m), periods.month_name(m)) for m in months]
        first, last = _default_export_span()
        for name, default in (("first", first), ("last", last)):
            form_field = cast(forms.TypedChoiceField, self.fields[name])
            form_field.choices = choices
            form_field.initial = periods.month_slug(default)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        first, last = data.get("first"), data.get("last")
        if first and last:
            if last < first:
                raise forms.ValidationError("The last month cannot be before the first.")
            if len(periods.months_between(first, last)) > MOST_EXPORTED_MONTHS:
                raise forms.ValidationError(
                    f"Choose at most {MOST_EXPORTED_MONTHS} months (five years) at a time."
                )
        return data

    def months(self) -> list[dt.date]:
        return periods.months_between(self.cleaned_data["first"], self.cleaned_data["last"])


@admin.register(ObservationRevision)
class ObservationRevisionAdmin(ReadOnly, admin.ModelAdmin[ObservationRevision]):
    """Every change to every figure; read-only."""

    list_display = [
        "changed_at",
        "kpi_ref",
        "month_label",
        "summary",
        "changed_by",
        "source",
        "short_reason",
        "closed",
    ]
    list_filter = [
        KpiFilter,
        "action",
        "source",
        "closed_period",
        "kpi__section",
        MonthFilter,
    ]
    search_fields = ["kpi__ref", "kpi__description", "reason"]
    list_select_related = ["kpi", "changed_by"]
    date_hierarchy = "changed_at"

    @admin.display(description="Month", ordering="month")
    def month_label(self, obj: ObservationRevision) -> str:
        return periods.month_label(obj.month)

    @admin.display(description="Ref", ordering="kpi__order")
    def kpi_ref(self, obj: ObservationRevision) -> str:
        return obj.kpi.ref

    @admin.display(description="Reason")
    def short_reason(self, obj: ObservationRevision) -> str:
        return _short(obj.reason, 60) if obj.reason else "–"

    @admin.display(description="Period", ordering="closed_period")
    def closed(self, obj: ObservationRevision) -> str:
        return "Closed month" if obj.closed_period else "Open"


@admin.register(ChangePoint)
class ChangePointAdmin(admin.ModelAdmin[ChangePoint]):
    """Change points of every KPI, so that proposals awaiting a decision can be found."""

    list_display = ["kpi_ref", "month_label", "short_reason", "status", "decided"]
    list_display_links = ["kpi_ref", "month_label"]
    list_filter = ["status", KpiFilter]
    search_fields = ["kpi__ref", "kpi__description", "reason", "decision_reason"]
    list_select_related = ["kpi", "proposed_by", "decided_by"]
    fields = ["kpi", "month", "reason", "status", "decision_reason", "decided"]
    readonly_fields = ["decided"]
    actions = None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["kpi", "month", "decided"] if obj else ["decided"]

    @admin.display(description="Ref", ordering="kpi__order")
    def kpi_ref(self, obj: ChangePoint) -> str:
        return obj.kpi.ref

    @admin.display(description="From month", ordering="month")
    def month_label(self, obj: ChangePoint) -> str:
        return periods.month_label(obj.month)

    @admin.display(description="Reason")
    def short_reason(self, obj: ChangePoint) -> str:
        return _short(obj.reason, 60)

    @admin.display(description="Proposed, approved or rejected")
    def decided(self, obj: ChangePoint) -> str:
        return decision_text(obj)

    def save_model(self, request: HttpRequest, obj: ChangePoint, form: Any, change: bool) -> None:
        chart_records.save(record=obj, by=request.user)

    def delete_model(self, request: HttpRequest, obj: ChangePoint) -> None:
        chart_records.delete(record=obj, by=request.user)


@admin.register(ChartRevision)
class ChartRevisionAdmin(ReadOnly, admin.ModelAdmin[ChartRevision]):
    """Every change to every KPI's change points, baseline exclusions and annotations."""

    list_display = ["changed_at", "kpi_ref", "record", "action", "summary", "who", "reason"]
    list_filter = [KpiFilter, "record", "action"]
    search_fields = ["kpi__ref", "summary", "reason"]
    list_select_related = ["kpi", "changed_by"]
    date_hierarchy = "changed_at"

    @admin.display(description="Ref", ordering="kpi__order")
    def kpi_ref(self, obj: ChartRevision) -> str:
        return obj.kpi.ref

    @admin.display(description="Changed by", ordering="changed_by")
    def who(self, obj: ChartRevision) -> str:
        return str(obj.changed_by or "the portal")


@admin.register(ClosedMonth)
class ClosedMonthAdmin(admin.ModelAdmin[ClosedMonth]):
    """Months closed by publishing a report. An administrator may close or reopen one."""

    list_display = ["month_label", "reason", "closed_at", "closed_by"]
    fields = ["month", "reason"]
    list_select_related = ["closed_by"]

    @admin.display(description="Month", ordering="month")
    def month_label(self, obj: ClosedMonth) -> str:
        return periods.month_name(obj.month)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["month", "reason"] if obj else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a closure is made or undone, never edited

    def save_model(self, request: HttpRequest, obj: ClosedMonth, form: Any, change: bool) -> None:
        obj.closed_by = request.user  # type: ignore[assignment]
        obj.save()


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin[Target]):
    form = TargetForm
    fieldsets = [(None, {"fields": ["kpi"]}), *TARGET_FIELDSETS]
    readonly_fields = ["rule"]
    list_display = ["kpi", "sentence", "valid_from", "valid_to", "source"]
    list_filter = ["source", "comparison", "basis", "kpi__section"]
    search_fields = ["kpi__ref", "kpi__description"]
    list_select_related = ["kpi"]

    @property
    def media(self) -> forms.Media:
        return super().media + RULE_PREVIEW

    @admin.display(description="Rule")
    def sentence(self, obj: Target) -> str:
        return obj.sentence

    @admin.display(description="Rule")
    def rule(self, obj: Target | None) -> str:
        return rule_output(obj)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.rule_view)
        return [path("rule/", view, name="kpis_target_rule"), *super().get_urls()]

    def rule_view(self, request: HttpRequest) -> JsonResponse:
        """The rule typed so far as a sentence, or what stops it being one: the preview
        module asks for it as the fields change, so the words are those saving will keep."""
        if not (
            request.user.has_perm("kpis.add_target") or request.user.has_perm("kpis.change_target")
        ):
            raise PermissionDenied
        about = PreviewKpiForm(request.GET)
        if not about.is_valid():
            return JsonResponse({"sentence": "", "problems": ["Choose the KPI first."]})
        form = RulePreviewForm(request.GET, kpi=about.preview_kpi())
        if not form.is_valid():
            return JsonResponse({"sentence": "", "problems": form.problems()})
        return JsonResponse({"sentence": form.instance.sentence, "problems": []})


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin[Goal]):
    list_display = ["kpi", "value", "due", "source"]
    list_filter = ["source"]
    search_fields = ["kpi__ref", "kpi__description"]
    list_select_related = ["kpi"]


@admin.register(Benchmark)
class BenchmarkAdmin(admin.ModelAdmin[Benchmark]):
    list_display = ["kpi", "month", "comparator", "statistic", "group", "value", "source"]
    list_filter = ["comparator", "statistic", "kpi__section"]
    search_fields = ["kpi__ref", "kpi__description", "group", "source"]
    list_select_related = ["kpi"]


@admin.register(MonthlyReturn)
class MonthlyReturnAdmin(ReadOnly, admin.ModelAdmin[MonthlyReturn]):
    """The monthly return page, listed under KPIs; it has no list or objects of its own."""

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.return_view)
        return [path("", view, name="kpis_monthlyreturn_changelist")]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_enter_figures(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_enter_figures(request)

    def return_view(self, request: HttpRequest) -> HttpResponse:
        if not can_enter_figures(request):
            raise PermissionDenied
        source = request.POST if request.method == "POST" else request.GET
        month = _month_parameter(source.get("month"))
        problem = ""
        if month is None and source.get("month"):
            problem = "That is not a month; here is the latest return due."
        elif month is not None and month > periods.month_start(timezone.localdate()):
            problem = "That month has not started yet; here is the latest return due."
        if problem or month is None:
            if problem:
                messages.error(request, problem)
            if request.method == "POST":
                # The figures posted belong to the month the form was for: never to another.
                messages.error(request, "Nothing was saved: the form did not say its month.")
                return HttpResponseRedirect(reverse("admin:kpis_monthlyreturn_changelist"))
            month = default_month()
        url = f"{reverse('admin:kpis_monthlyreturn_changelist')}?month={periods.month_slug(month)}"
        if request.method == "POST":
            sheet = MonthlyReturnSheet(month=month, user=request.user, data=request.POST)
            if sheet.save():
                self._report_saved(request, sheet)
                return HttpResponseRedirect(url)
        else:
            sheet = MonthlyReturnSheet(month=month, user=request.user)
        sheet.describe()
        earliest = Observation.objects.order_by("month").values_list("month", flat=True).first()
        months = entry_months(today=timezone.localdate(), earliest=earliest)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Monthly return for {sheet.name}",
            "opts": self.opts,
            "sheet": sheet,
            "months": [(periods.month_slug(m), periods.month_name(m), m == month) for m in months],
            "earlier": periods.add_months(month, -1),
            "later": periods.add_months(month, 1)
            if periods.add_months(month, 1) in months
            else None,
            "import_url": reverse("admin:kpis_importedfile_add"),
            "export_url": reverse("admin:kpis_observation_export"),
        }
        return TemplateResponse(request, "admin/kpis/monthly_return.html", context)

    def _report_saved(self, request: HttpRequest, sheet: MonthlyReturnSheet) -> None:
        saved = sheet.saved
        count = len(saved.new) + len(saved.changed)
        if count:
            messages.success(
                request,
                f"Saved {count} figure{'s' if count != 1 else ''} for {sheet.label}: "
                f"{len(saved.new)} new, {len(saved.changed)} changed.",
            )
        else:
            messages.info(request, f"Nothing to save: the figures for {sheet.label} are as shown.")
        if saved.kept_theirs:
            refs = ", ".join(kpi.ref for kpi in saved.kept_theirs)
            messages.warning(
                request,
                f"Kept another analyst's figure for KPI {refs} (changed while you had the "
                "return open).",
            )


def _month_parameter(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return periods.parse_month(text)
    except ValueError:
        return None


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet",
        help_text=(
            f"{imports.ACCEPTED}. The report's layout (one row per KPI, one column per month or "
            "quarter: Jun-22, Q1 2022/23) or one row per figure with the columns ref, month "
            "(a month, a quarter or a date such as 30/06/2022) and value, and optionally "
            "numerator, denominator and note. Either layout may have a status column (the "
            "organisation's stated status: Green, Amber: potential concern, good performance) "
            "with a stated reason column saying who states it and why."
        ),
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Kept in the history of every figure the file changes, with the file's name. "
        "Needed if the file changes a closed month.",
    )
    decimal_comma = forms.BooleanField(
        label="The file writes decimals with commas (19,61)",
        required=False,
        help_text="Leave this unticked for a file that writes 19.61: a comma is then read only "
        "as a thousands separator (1,234), and a decimal comma is refused with its cell.",
    )
    hidden_sheets = forms.BooleanField(
        label="Read hidden sheets",
        required=False,
        help_text="A workbook's hidden sheets are skipped unless this is ticked; the preview "
        "says which were.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, form_field in self.fields.items():
            form_field.widget.attrs["aria-describedby"] = f"id_{name}-help"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {imports.MAX_BYTES // 1024 // 1024} MB."
            )
        return upload


class CommitForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Kept in the history of every figure the file changes, with the file's name.",
    )

    def __init__(self, *args: Any, closed: list[dt.date], to_check: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.closed = closed
        if to_check:
            self.fields["confirm"] = forms.BooleanField(
                label=f"I have checked the {to_check} figure{'s' if to_check != 1 else ''} "
                "listed under “Figures to check”",
                error_messages={
                    "required": f"Check the {to_check} figure{'s' if to_check != 1 else ''} "
                    "listed under “Figures to check” and tick the box, or correct the file."
                },
            )
        self.fields["reason"].widget.attrs["aria-describedby"] = "reason-help"
        if closed:
            labels = ", ".join(periods.month_label(m) for m in closed)
            self.fields["reason"].required = True
            self.fields["reason"].help_text = (
                f"Required: the file changes figures in closed months ({labels}). Kept in the "
                "history of every figure it changes, with the file's name."
            )
            self.fields["reason"].error_messages["required"] = (
                f"Give a reason: the file changes figures in closed months ({labels})."
            )


@admin.register(ImportedFile)
class ImportedFileAdmin(ReadOnly, admin.ModelAdmin[ImportedFile]):
    """Spreadsheet imports: upload, preview, import; the list is the record of them."""

    list_display = ["name", "uploaded_by", "uploaded_at", "status", "summary"]
    list_display_links = ["name"]
    list_select_related = ["uploaded_by"]
    search_fields = ["name", "reason", "uploaded_by__username"]
    date_hierarchy = "uploaded_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportedFile]:
        return super().get_queryset(request).defer("content", "preview")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_enter_figures(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_enter_figures(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_enter_figures(request)

    @admin.display(description="Status", ordering="status")
    def status(self, obj: ImportedFile) -> str:
        if obj.committed_at:
            return f"Imported {timezone.localtime(obj.committed_at):%d %b %Y %H:%M}"
        return obj.get_status_display()

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:object_id>/status/",
                self.admin_site.admin_view(self.status_view),
                name="kpis_importedfile_status",
            ),
            *super().get_urls(),
        ]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            imported = ImportedFile.objects.create(
                name=upload.name[:255],
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
                size=len(content),
                uploaded_by=cast(Any, request.user),
                reason=form.cleaned_data["reason"].strip(),
                decimal_comma=form.cleaned_data["decimal_comma"],
                hidden_sheets=form.cleaned_data["hidden_sheets"],
                progress="Waiting for the background worker",
            )
            tasks.read_import.enqueue(imported.pk)
            return HttpResponseRedirect(
                reverse("admin:kpis_importedfile_change", args=[imported.pk])
            )
        context = {
            **self.admin_site.each_context(request),
            "title": "Import figures from a spreadsheet",
            "opts": self.opts,
            "form": form,
            "export_url": reverse("admin:kpis_observation_export"),
            "recent": ImportedFile.objects.defer("content", "preview").select_related(
                "uploaded_by"
            )[:5],
        }
        return TemplateResponse(request, "admin/kpis/importedfile/upload.html", context)

    def _imported(self, request: HttpRequest, object_id: str) -> ImportedFile | None:
        if not can_enter_figures(request):
            raise PermissionDenied
        if not object_id.isdigit():
            return None
        return ImportedFile.objects.defer("content").filter(pk=object_id).first()

    def status_view(self, request: HttpRequest, object_id: int) -> JsonResponse:
        """Where the background work on a file is, for the page that waits for it."""
        imported = self._imported(request, str(object_id))
        if imported is None:
            return JsonResponse({"error": "No such import."}, status=404)
        return JsonResponse(
            {
                "status": imported.status,
                "working": imported.working,
                "words": imported.get_status_display(),
                "progress": imported.progress,
                "since": timezone.localtime(imported.status_at).isoformat(),
            }
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        imported = self._imported(request, object_id)
        if imported is None:
            return HttpResponseRedirect(reverse("admin:kpis_importedfile_changelist"))
        if imported.status == ImportStatus.QUEUED and not imported.progress:
            # Uploaded before previews were kept: read it now, in the background.
            tasks.set_status(imported, ImportStatus.QUEUED, "Waiting for the background worker")
            tasks.read_import.enqueue(imported.pk)
        done = imported.status == ImportStatus.IMPORTED
        if not done and (imported.working or imported.status == ImportStatus.FAILED):
            return self._render_status(request, imported)
        if not done and imported.preview is None:
            return self._render_status(request, imported)
        notice = imported.notice
        if notice:
            # Said once: the worker's word on what it last did.
            if imported.status == ImportStatus.IMPORTED:
                messages.success(request, notice)
            else:
                messages.warning(request, notice)
            imported.notice = ""
            imported.save(update_fields=["notice"])
        if done:
            return self._render_preview(request, imported, form=None)
        preview = imported.preview
        assert preview is not None
        closed = [dt.date.fromisoformat(month) for month in preview["closed"]]
        to_check = preview["counts"]["to_check"]
        mine = imported.uploaded_by_id == request.user.pk
        if request.method == "POST" and mine:
            form = CommitForm(request.POST, closed=closed, to_check=to_check)
            if form.is_valid():
                if form.cleaned_data["fingerprint"] != preview["fingerprint"]:
                    messages.warning(
                        request,
                        "The preview changed since this page was opened; here it is as it "
                        "stands now. Check it and import again.",
                    )
                    return HttpResponseRedirect(request.path)
                started = ImportedFile.objects.filter(
                    pk=imported.pk, status=ImportStatus.PREVIEWED
                ).update(
                    status=ImportStatus.IMPORTING,
                    status_at=timezone.now(),
                    progress="Waiting for the background worker",
                )
                if started:
                    tasks.commit_import.enqueue(
                        imported.pk,
                        fingerprint=preview["fingerprint"],
                        reason=form.cleaned_data["reason"].strip(),
                        confirmed=bool(form.cleaned_data.get("confirm")),
                    )
                return HttpResponseRedirect(request.path)
        else:
            form = CommitForm(
                initial={"fingerprint": preview["fingerprint"], "reason": imported.reason},
                closed=closed,
                to_check=to_check,
            )
        return self._render_preview(request, imported, form=form if mine else None)

    def _render_status(self, request: HttpRequest, imported: ImportedFile) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import {imported.name}",
            "opts": self.opts,
            "imported": imported,
            "status_url": reverse("admin:kpis_importedfile_status", args=[imported.pk]),
            "upload_url": reverse("admin:kpis_importedfile_add"),
        }
        return TemplateResponse(request, "admin/kpis/importedfile/status.html", context)

    def _render_preview(
        self,
        request: HttpRequest,
        imported: ImportedFile,
        *,
        form: CommitForm | None,
    ) -> HttpResponse:
        revisions_url = reverse("admin:kpis_observationrevision_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import {imported.name}",
            "opts": self.opts,
            "imported": imported,
            "preview": imported.preview if imported.status != ImportStatus.IMPORTED else None,
            "form": form,
            "history_url": f"{revisions_url}?{urlencode({'q': imported.name})}",
            "upload_url": reverse("admin:kpis_importedfile_add"),
        }
        return TemplateResponse(request, "admin/kpis/importedfile/preview.html", context)


# =======================================================================================
# Published statistics for benchmarking: the files imported (with an upload and a preview),
# the mappings analysts keep, the authorities, their values, the neighbour models and the
# organisation's own comparator groups.
# =======================================================================================


@admin.register(Geography)
class GeographyAdmin(ReadOnly, admin.ModelAdmin[Geography]):
    """Authorities, regions and England, as the published files name them; read-only."""

    list_display = ["name", "level", "code", "ons_code", "region"]
    list_filter = ["level", "region"]
    search_fields = ["name", "code", "ons_code", "earlier_ons_codes"]
    list_select_related = ["region"]


MAPPING_HELP = (
    "Which published values a KPI is compared with. The columns are the Explore Education "
    "Statistics file's own names; a column renamed between releases is written with its "
    "names separated by |."
)


@admin.register(BenchmarkMapping)
class BenchmarkMappingAdmin(admin.ModelAdmin[BenchmarkMapping]):
    list_display = ["name", "kpi", "file_name", "value_column", "periods", "values"]
    list_filter = ["kpi__section", "publisher"]
    search_fields = ["name", "file_name", "publication", "kpi__ref", "kpi__description"]
    list_select_related = ["kpi"]
    fieldsets = [
        (None, {"fields": ["name", "kpi"], "description": MAPPING_HELP}),
        ("The file", {"fields": ["file_name", "publisher", "publication", "publication_url"]}),
        ("The values", {"fields": ["filters", "value_column", "time_periods"]}),
        (
            "Periods and definitions",
            {"fields": ["period_month", "period_phrase", "definition_note"]},
        ),
        (
            "Columns of the file (the EES standard; change only for a file that names them "
            "otherwise)",
            {
                "fields": [
                    "time_column",
                    "level_column",
                    "la_code_column",
                    "ons_code_column",
                    "la_name_column",
                    "region_code_column",
                    "region_name_column",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[BenchmarkMapping]:
        return super().get_queryset(request).annotate(value_count=Count("values"))

    @admin.display(description="Time periods", ordering="time_periods")
    def periods(self, obj: BenchmarkMapping) -> str:
        return obj.time_periods or "every period"

    @admin.display(description="Values stored", ordering="value_count")
    def values(self, obj: BenchmarkMapping) -> int:
        return int(getattr(obj, "value_count", 0))


class ReleaseInForceFilter(admin.SimpleListFilter):
    """Values of releases in force, or of superseded ones (the history)."""

    title = "release"
    parameter_name = "release"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("in-force", "In force"), ("superseded", "Superseded (history)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "in-force":
            return queryset.filter(release__superseded_by__isnull=True)
        if self.value() == "superseded":
            return queryset.filter(release__superseded_by__isnull=False)
        return queryset


@admin.register(PublishedValue)
class PublishedValueAdmin(ReadOnly, admin.ModelAdmin[PublishedValue]):
    """Every value imported, with its period, file and release; read-only."""

    list_display = ["geography", "mapping", "time_period", "shown", "release_status", "line"]
    list_filter = ["mapping", "geography__level", "time_period", ReleaseInForceFilter]
    search_fields = ["geography__name", "geography__code", "symbol"]
    list_select_related = ["geography", "mapping", "release"]
    list_per_page = 100

    def get_queryset(self, request: HttpRequest) -> QuerySet[PublishedValue]:
        return super().get_queryset(request).defer("release__content")

    @admin.display(description="Value", ordering="value")
    def shown(self, obj: PublishedValue) -> str:
        return obj.shown

    @admin.display(description="Release")
    def release_status(self, obj: PublishedValue) -> str:
        superseded = " (superseded)" if obj.release.superseded_by_id else ""
        return f"{obj.release}{superseded}"


# The members as labelled checkboxes: the autocomplete widget's search box has no label a
# screen reader can announce (WCAG 2.2, 4.1.2).
MEMBER_CHECKBOXES: dict[type[models_module.Field[Any, Any]], dict[str, Any]] = {
    models_module.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
}


@admin.register(ComparatorGroup)
class ComparatorGroupAdmin(admin.ModelAdmin[ComparatorGroup]):
    formfield_overrides = MEMBER_CHECKBOXES
    list_display = ["name", "member_names", "order"]
    fields = ["name", "description", "order", "members"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ComparatorGroup]:
        return super().get_queryset(request).prefetch_related("members")

    @admin.display(description="Members")
    def member_names(self, obj: ComparatorGroup) -> str:
        return ", ".join(sorted(member.name for member in obj.members.all())) or "none yet"


@admin.register(NeighbourModel)
class NeighbourModelAdmin(admin.ModelAdmin[NeighbourModel]):
    """DfE's statistical-neighbour models as imported; an analyst says when each is in force."""

    list_display = ["name", "in_force_from_label", "release", "in_force"]
    fields = ["name", "in_force_from", "release", "organisation_neighbours"]
    readonly_fields = ["release", "organisation_neighbours"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a model comes with its file: import it as a published file

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[NeighbourModel]:
        return super().get_queryset(request).select_related("release").defer("release__content")

    @admin.display(description="In force from", ordering="in_force_from")
    def in_force_from_label(self, obj: NeighbourModel) -> str:
        return periods.month_name(obj.in_force_from)

    @admin.display(description="Release in force", boolean=True)
    def in_force(self, obj: NeighbourModel) -> bool:
        return obj.release.superseded_by_id is None

    @admin.display(description="The organisation's neighbours")
    def organisation_neighbours(self, obj: NeighbourModel) -> str:
        from sct_portal.models import current

        code = current().la_code
        rows = obj.neighbours.filter(authority_code=code).order_by("rank")
        return (
            format_html_join(
                "",
                "<p>{}. {} ({}){}</p>",
                (
                    (
                        row.rank,
                        row.neighbour_name or row.neighbour_code,
                        row.neighbour_code,
                        f": {row.closeness}" if row.closeness else "",
                    )
                    for row in rows
                ),
            )
            or f"The model lists no neighbours for authority {code or '(none set)'}."
        )


def can_import_published(request: HttpRequest) -> bool:
    return bool(request.user.has_perm("kpis.add_release"))


@admin.register(Release)
class ReleaseAdmin(ReadOnly, admin.ModelAdmin[Release]):
    """Published files: upload, preview, import; the list is the record of them, superseded
    releases included."""

    list_display = ["__str__", "kind", "file_name", "status", "summary"]
    list_filter = ["kind", "publisher"]
    search_fields = ["file_name", "label", "summary"]
    date_hierarchy = "uploaded_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Release]:
        return super().get_queryset(request).defer("content").select_related("superseded_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_import_published(request)

    @admin.display(description="Status", ordering="imported_at")
    def status(self, obj: Release) -> str:
        if obj.imported_at is None:
            return "Previewed, not imported"
        when = f"{timezone.localtime(obj.imported_at):%d %b %Y}"
        if obj.superseded_by is not None:
            return f"Imported {when}; superseded by {obj.superseded_by}"
        return f"Imported {when}; in force"

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PublishedUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            name = upload.name[:255]
            staged = Release.objects.create(
                file_name=name,
                kind=ReleaseKind.INSPECTIONS
                if name.lower().endswith(".ods")
                else ReleaseKind.STATISTICS,
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
                size=len(content),
                uploaded_by=cast(Any, request.user),
                label=form.cleaned_data["label"].strip(),
                published_on=form.cleaned_data["published_on"],
            )
            query: dict[str, str] = {}
            if form.cleaned_data["mapping"]:
                query["mapping"] = str(form.cleaned_data["mapping"].pk)
            if form.cleaned_data["in_force_from"]:
                query["in_force_from"] = periods.month_slug(form.cleaned_data["in_force_from"])
            url = reverse("admin:kpis_release_change", args=[staged.pk])
            return HttpResponseRedirect(f"{url}?{urlencode(query)}" if query else url)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import published statistics",
            "opts": self.opts,
            "form": form,
            "mappings_url": reverse("admin:kpis_benchmarkmapping_changelist"),
            "recent": Release.objects.defer("content").select_related("superseded_by")[:5],
        }
        return TemplateResponse(request, "admin/kpis/release/upload.html", context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        release = Release.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if release is None:
            return HttpResponseRedirect(reverse("admin:kpis_release_changelist"))
        if release.imported_at is not None:
            return self._render(request, release, plan=None)
        if not can_import_published(request):
            raise PermissionDenied
        if not release.content_is_intact():
            messages.error(request, "The stored file is damaged; upload it again.")
            return HttpResponseRedirect(reverse("admin:kpis_release_add"))
        source = request.POST if request.method == "POST" else request.GET
        plan = self._plan(release, source)
        mine = release.uploaded_by_id == request.user.pk
        if request.method == "POST" and mine:
            try:
                imported = published.commit(plan, by=request.user, staged=release)
            except published.ImportRefused as refused:
                for problem in refused.problems:
                    messages.error(request, f"Nothing was imported. {problem}")
                return HttpResponseRedirect(request.get_full_path())
            messages.success(request, f"Imported {imported.file_name}: {plan.summary}.")
            return HttpResponseRedirect(reverse("admin:kpis_release_change", args=[imported.pk]))
        return self._render(request, release, plan=plan, mine=mine, source=source)

    def _plan(self, release: Release, source: Any) -> published.Plan:
        chosen = str(source.get("mapping", ""))
        mapping = (
            BenchmarkMapping.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        )
        in_force_from = None
        if text := source.get("in_force_from", ""):
            try:
                in_force_from = periods.parse_month(str(text))
            except ValueError:
                in_force_from = None
        return published.prepare(
            release.file_name,
            bytes(release.content),
            mapping=mapping.name if mapping else "",
            label=release.label,
            published_on=release.published_on,
            in_force_from=in_force_from,
        )

    def _render(
        self,
        request: HttpRequest,
        release: Release,
        *,
        plan: published.Plan | None,
        mine: bool = False,
        source: Any = None,
    ) -> HttpResponse:
        mapped = (
            PublishedValue.objects.filter(release=release)
            .values("mapping__name", "mapping__kpi__ref")
            .annotate(count=Count("id"))
            .order_by("mapping__name")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Published file {release.file_name}",
            "opts": self.opts,
            "release": release,
            "plan": plan,
            "mine": mine,
            "carried": {key: source.get(key, "") for key in ("mapping", "in_force_from")}
            if source is not None
            else {},
            "mapped": list(mapped) if plan is None else [],
            "supersedes": Release.objects.filter(superseded_by=release).defer("content"),
            "upload_url": reverse("admin:kpis_release_add"),
        }
        return TemplateResponse(request, "admin/kpis/release/preview.html", context)
