from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from sct_portal import periods, spreadsheets
from sct_portal.models import of_request
from sct_portal.periods import Quarter

from . import chart_records, comparisons, dashboard, tables
from .forms import ApproveChangePointForm
from .models import BenchmarkMapping, Kpi, Section
from .rag import Rag


class OverviewFilters(forms.Form):
    """The overview's GET form: the month to show, a section and a RAG rating."""

    month = forms.ChoiceField(label="Month", required=False)
    section = forms.ChoiceField(label="Section", required=False)
    rag = forms.ChoiceField(
        label="RAG rating",
        required=False,
        choices=[("", "Any rating"), *Rag.choices],
        error_messages={"invalid_choice": "Choose a RAG rating from the list"},
    )

    def __init__(self, data: Any, *, span: dashboard.Span, sections: list[Section]) -> None:
        super().__init__(data)
        months = span.months()[::-1]
        month_field = self.fields["month"]
        assert isinstance(month_field, forms.ChoiceField)
        month_field.choices = [(periods.month_slug(m), periods.month_name(m)) for m in months]
        month_field.error_messages["invalid_choice"] = (
            f"Choose a month from {periods.month_name(span.first)} to "
            f"{periods.month_name(span.last)}"
        )
        section_field = self.fields["section"]
        assert isinstance(section_field, forms.ChoiceField)
        section_field.choices = [("", "All sections")] + [(str(s.pk), s.name) for s in sections]
        section_field.error_messages["invalid_choice"] = "Choose a section from the list"


def _cleaned(form: forms.Form, name: str) -> str:
    """A field's value when it is valid, else empty (the form shows the error)."""
    form.is_valid()
    return "" if name in form.errors else str(form.cleaned_data.get(name) or "")


DOWNLOADS = {"csv", "xlsx"}


def _overview_caption(found: dashboard.Overview, *, filtered: bool) -> str:
    count = len(found.positions)
    what = f"{count} KPI{'s' if count != 1 else ''}{' matching the filters' if filtered else ''}"
    return f"{what}: the latest figures up to {periods.month_name(found.month)}"


@permission_required("kpis.view_kpi", raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    span = dashboard.span()
    if span is None:
        return render(request, "kpis/kpi_list.html", {"overview": None})
    sections = list(Section.objects.order_by("order", "name"))
    organisation = of_request(request)
    form = OverviewFilters(request.GET, span=span, sections=sections)
    month_text = _cleaned(form, "month")
    month = periods.parse_month(month_text) if month_text else span.last
    section_text = _cleaned(form, "section")
    outcome = _cleaned(form, "rag") or None
    found = dashboard.overview(
        month=month,
        sections=sections,
        section=int(section_text) if section_text else None,
        outcome=outcome,
        area=organisation.area,
    )
    download = request.GET.get("download", "")
    # Published benchmarks: a fixed number of queries (one when no KPI is mapped); the
    # downloads do not carry them.
    standings = (
        {}
        if download in DOWNLOADS
        else comparisons.positions(
            [item.kpi for item in found.positions], [month], organisation=organisation
        )
    )
    table = tables.OverviewTable(
        [tables.OverviewRow(item, standings.get((item.kpi.pk, month))) for item in found.positions],
        empty_text="No KPI matches these filters.",
    )
    table.caption = _overview_caption(found, filtered=bool(section_text or outcome))
    RequestConfig(request, paginate=False).configure(table)
    if download in DOWNLOADS:
        rows = [row.record.position for row in table.rows]
        name = f"kpi-overview-{periods.month_slug(month)}.{download}"
        if download == "csv":
            response = HttpResponse(tables.as_csv(rows), content_type=spreadsheets.CSV_TYPE)
        else:
            response = HttpResponse(
                tables.as_xlsx(rows, month=month, creator=organisation.portal_name),
                content_type=spreadsheets.XLSX_TYPE,
            )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(
        request,
        "kpis/kpi_list.html",
        {
            "overview": found,
            "form": form,
            "table": table,
            "filtered": bool(section_text or outcome),
            "latest": span.last,
            "spark_from": found.sparkline_months[0],
        },
    )


@permission_required("kpis.view_kpi", raise_exception=True)
def kpi_detail(request: HttpRequest, ref: str) -> HttpResponse:
    kpi = get_object_or_404(Kpi.objects.select_related("section"), ref=ref)
    return _kpi_page(request, kpi)


def _kpi_page(
    request: HttpRequest,
    kpi: Kpi,
    *,
    refused: ApproveChangePointForm | None = None,
    status: int = 200,
) -> HttpResponse:
    history = dashboard.history(kpi, area=of_request(request).area)
    return render(
        request,
        "kpis/kpi_detail.html",
        {
            "kpi": kpi,
            "history": history,
            "revised": history.revised_since_published,
            "benchmarked": BenchmarkMapping.objects.filter(kpi=kpi).exists(),
            # Each change point awaiting a decision, with the form refused for it, if any.
            "approvals": [
                (
                    proposal,
                    refused
                    if refused is not None
                    and refused.data.get("month") == proposal.month.isoformat()
                    else None,
                )
                for proposal in history.position.proposals
            ]
            if request.user.has_perms(APPROVE_PERMISSIONS)
            else [],
        },
        status=status,
    )


APPROVE_PERMISSIONS = ("kpis.add_changepoint", "kpis.change_changepoint")


@require_POST
@permission_required(APPROVE_PERMISSIONS, raise_exception=True)
def approve_change_point(request: HttpRequest, ref: str) -> HttpResponse:
    """A person approves a proposed change point with a reason; without one, the KPI's page
    again with the field marked, and nothing written."""
    kpi = get_object_or_404(Kpi.objects.select_related("section"), ref=ref)
    form = ApproveChangePointForm(request.POST)
    if form.is_valid():
        try:
            chart_records.approve_proposal(
                kpi=kpi,
                month=form.cleaned_data["month"],
                why=form.cleaned_data["why"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for field, found in error.message_dict.items():
                for message in found:
                    form.add_error("reason" if field == "decision_reason" else None, message)
        else:
            messages.success(
                request,
                f"Change point approved: the limits are recalculated from "
                f"{kpi.period_name(form.cleaned_data['month'])}.",
            )
            return redirect(kpi.get_absolute_url() + "#spc-baselines")
    return _kpi_page(request, kpi, refused=form, status=400)


@permission_required("kpis.view_kpi", raise_exception=True)
def kpi_benchmarks(request: HttpRequest, ref: str) -> HttpResponse:
    """Where the organisation's authority stands among England's on one KPI, over the years,
    from the published statistics."""
    kpi = get_object_or_404(Kpi.objects.select_related("section"), ref=ref)
    chosen = request.GET.get("period", "").strip()
    page = comparisons.benchmark_page(kpi, chosen=chosen)
    shown = page.shown
    error = ""
    if chosen and shown is not None and shown.time_period != chosen:
        error = f"There is no published period “{chosen[:20]}”: here is the latest."
    return render(
        request,
        "kpis/benchmark_detail.html",
        {
            "kpi": kpi,
            "page": page,
            "latest": shown,
            "period_error": error,
            "chart": page.chart(),
            "licence": comparisons.LICENCE,
            "licence_url": comparisons.LICENCE_URL,
        },
    )


class QuarterPicker(forms.Form):
    quarter = forms.ChoiceField(label="Quarter")

    def __init__(self, data: Any, *, quarters: list[Quarter]) -> None:
        super().__init__(data)
        field = self.fields["quarter"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(_quarter_slug(q), q.title) for q in quarters[::-1]]
        field.error_messages["invalid_choice"] = (
            f"Choose a quarter from {quarters[0].title} to {quarters[-1].title}"
            if quarters
            else "There are no figures yet"
        )


def _quarter_slug(quarter: Quarter) -> str:
    return f"{quarter.year.slug}-{quarter.slug}"


def _trend_url(quarter: Quarter) -> str:
    return reverse("kpis:trend", kwargs={"year": quarter.year.slug, "quarter": quarter.slug})


@permission_required("kpis.view_kpi", raise_exception=True)
def trend_table(
    request: HttpRequest, year: str | None = None, quarter: str | None = None
) -> HttpResponse:
    span = dashboard.span(table_only=True)
    quarters = span.quarters() if span else []
    if year is None or quarter is None:
        # The quarter picker (a GET form), or the latest quarter with figures.
        picker = QuarterPicker(request.GET or None, quarters=quarters)
        if request.GET and picker.is_valid():
            chosen = picker.cleaned_data["quarter"]
            year_text, _, quarter_text = chosen.rpartition("-")
            return redirect(_trend_url(Quarter.parse(year_text, quarter_text)))
        if not request.GET and quarters:
            return redirect(_trend_url(quarters[-1]))
        if not quarters:
            return render(request, "kpis/trend_table.html", {"table": None, "picker": picker})
        shown = quarters[-1]
    else:
        try:
            shown = Quarter.parse(year, quarter)
        except ValueError as error:
            raise Http404(str(error)) from None
        picker = QuarterPicker({"quarter": _quarter_slug(shown)}, quarters=quarters)
        picker.is_valid()
        picker.errors.clear()  # a quarter outside the figures is shown, just empty
    return render(
        request,
        "kpis/trend_table.html",
        {
            "table": dashboard.trend_table(quarter=shown),
            "picker": picker,
            "previous": _trend_url(shown.previous),
            "next": _trend_url(shown.next),
        },
    )
