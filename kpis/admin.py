import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from sct_portal import periods
from sct_portal.admin_inlines import LabelledTabularInline

from . import exports, figures, imports, symbols, tasks
from .entry import ENTRY_PERMISSIONS, MonthlyReturnSheet, default_month, entry_months
from .models import (
    Benchmark,
    ClosedMonth,
    Goal,
    ImportedFile,
    ImportStatus,
    Kpi,
    MonthlyReturn,
    Observation,
    ObservationRevision,
    Section,
    Target,
)

admin.site.site_header = "SCT Performance Portal administration"
admin.site.site_title = "SCT Performance Portal"
admin.site.index_title = "Data and definitions"


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


class TargetInline(LabelledTabularInline):
    model = Target
    extra = 0
    fields = ["value", "tolerance", "valid_from", "valid_to", "source", "source_detail"]


class GoalInline(LabelledTabularInline):
    model = Goal
    extra = 0
    fields = ["value", "due", "source", "source_detail"]


class BenchmarkInline(LabelledTabularInline):
    model = Benchmark
    extra = 0
    fields = ["month", "comparator", "statistic", "group", "value", "source"]


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin[Kpi]):
    list_display = ["short_ref", "short_description", "section", "unit", "is_active", "figures"]
    list_display_links = ["short_ref", "short_description"]
    list_filter = ["section", "unit", "polarity", "frequency", "is_headline", "is_active"]
    search_fields = ["ref", "description"]
    list_select_related = ["section"]
    ordering = ["order", "ref"]
    inlines = [TargetInline, GoalInline, BenchmarkInline]
    fieldsets = [
        (None, {"fields": ["ref", "description", "short_name", "section", "order", "is_active"]}),
        (
            "How it is measured",
            {"fields": ["unit", "decimals", "polarity", "frequency", "uses_fraction"]},
        ),
        ("Where it is shown", {"fields": ["is_headline", "in_kpi_table"]}),
        ("Definition", {"fields": ["definition"]}),
    ]

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
        fields = ["kpi", "month", "numerator", "denominator", "note"]

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
        return figures.Entry(
            kpi=kpi,
            month=month,
            value=data.get("figure"),
            numerator=data.get("numerator"),
            denominator=data.get("denominator"),
            note=data.get("note") or "",
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
        for problem in checked.problems:
            name = {"value": "figure", "stated": None}.get(problem.field or "", problem.field)
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
        fields = ["kpi", "month", "figure", "numerator", "denominator", "note", "change_reason"]
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
                exported_by=request.user.get_username(),
            )
            response = HttpResponse(content, content_type=XLSX)
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


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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
    list_display = ["kpi", "value", "tolerance", "valid_from", "valid_to", "source"]
    list_filter = ["source", "kpi__section"]
    search_fields = ["kpi__ref", "kpi__description"]
    list_select_related = ["kpi"]


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
            "numerator, denominator and note."
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
