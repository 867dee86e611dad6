import hashlib
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from sct_portal import periods, spreadsheets
from sct_portal.models import data_version, of_request
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

# ---------------------------------------------------------------------------------------
# Kept pages. The body of a dashboard page (everything inside <main> but the messages) is
# rendered once and kept in Django's cache under a key made of the data version, which
# every change to what the pages show raises in its own transaction (figures, targets,
# benchmarks, published statistics, KPIs, reports, the organisation, chart records: see
# sct_portal/apps.py), the organisation, the user's permissions and the page's address
# with its query string. A write makes a new key, so a kept body can never show a stale
# figure; old keys are simply never asked for again and age out. The layout around the body
# (who is signed in, the sign-out form's CSRF token, messages) is rendered afresh for each
# request, so nothing personal or secret is kept.

KEPT_PAGE_SECONDS = 60 * 60  # an upper bound only: a new data version retires a body at once


def page_key(request: HttpRequest, page: str) -> str:
    """The cache key of a page's body for this request's data version, organisation, user's
    permissions and address (one query: the data version)."""
    organisation = of_request(request)
    permissions = sorted(request.user.get_all_permissions())
    parts = [
        page,
        str(data_version()),
        str(organisation.pk or ""),
        organisation.name,
        ",".join(permissions),
        request.get_full_path(),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"portal-page:{page}:{digest}"


def _render_body(name: str, context: dict[str, Any], request: HttpRequest) -> str:
    """A template partial rendered with the view's context and the request, and nothing from
    the context processors."""
    template = get_template(name).template  # type: ignore[attr-defined]
    plain = Context({**context, "request": request})
    plain.request = request  # type: ignore[attr-defined]
    return str(template.render(plain))


def kept_page(
    request: HttpRequest,
    template: str,
    page: str,
    build: Callable[[], dict[str, Any] | HttpResponse],
    *,
    layout: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page from its kept body when there is one for this data version; else `build`
    gives the context (or a response, such as a redirect, which is not kept), the body is
    rendered from the template's `body` partial and kept. The context has the page's title;
    `layout` is what the template's other blocks need (read for every request)."""
    key = page_key(request, page)
    kept: tuple[str, str] | None = cache.get(key)
    if kept is None:
        context = build()
        if isinstance(context, HttpResponse):
            return context
        # Without the context processors: the body holds nothing of who is asking (and the
        # layout's own reads are not made twice); the request is there for its query string.
        body = _render_body(f"{template}#body", context, request)
        kept = (str(context["title"]), body)
        cache.set(key, kept, KEPT_PAGE_SECONDS)
    title, body = kept
    # The body was rendered, escaped, by our own template above.
    context = {**(layout or {}), "title": title, "body": mark_safe(body)}  # noqa: S308
    return render(request, template, context)


def overview_page_size() -> int:
    """Rows on a page of the overview (PORTAL_OVERVIEW_PAGE_SIZE; 200 unless set): at 2,000
    KPIs a page costs about what the 200-KPI overview does."""
    return int(getattr(settings, "PORTAL_OVERVIEW_PAGE_SIZE", 200))


def _pages(page: Any) -> dict[str, Any]:
    """The overview's page links: previous, each page number, next."""
    paginator = page.paginator
    return {
        "number": page.number,
        "previous": page.previous_page_number() if page.has_previous() else None,
        "next": page.next_page_number() if page.has_next() else None,
        "numbers": list(paginator.page_range),
        "count": paginator.num_pages,
    }


def _overview_caption(found: dashboard.Overview, *, filtered: bool) -> str:
    count = len(found.positions)
    what = f"{count} KPI{'s' if count != 1 else ''}{' matching the filters' if filtered else ''}"
    return f"{what}: the latest figures up to {periods.month_name(found.month)}"


@permission_required("kpis.view_kpi", raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    if request.GET.get("download", "") in DOWNLOADS:
        response = _overview(request)
        assert isinstance(response, HttpResponse)
        return response
    return kept_page(request, "kpis/kpi_list.html", "overview", lambda: _overview(request))


def _overview(request: HttpRequest) -> dict[str, Any] | HttpResponse:
    """The overview's context, or its download."""
    span = dashboard.span()
    if span is None:
        return {"overview": None, "title": "Overview"}
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
    download = request.GET.get("download", "")
    # A page of rows at a time (the downloads have every row the filters leave).
    per_page = overview_page_size()
    paged = download not in DOWNLOADS and len(found.positions) > per_page
    RequestConfig(request, paginate={"per_page": per_page} if paged else False).configure(table)
    if paged:
        page = table.page
        table.caption += (
            f" (page {page.number} of {page.paginator.num_pages}: "
            f"rows {page.start_index()} to {page.end_index()})"
        )
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
    return {
        "title": f"Overview, {periods.month_name(found.month)}",
        "overview": found,
        "form": form,
        "table": table,
        "filtered": bool(section_text or outcome),
        "pages": _pages(table.page) if paged else None,
        "latest": span.last,
        "spark_from": found.sparkline_months[0],
    }


@permission_required("kpis.view_kpi", raise_exception=True)
def kpi_detail(request: HttpRequest, ref: str) -> HttpResponse:
    kpi = get_object_or_404(Kpi.objects.select_related("section"), ref=ref)
    return _kpi_page(request, kpi)


# The table twin of a KPI's chart shows the latest five financial years unless every figure is
# asked for (?figures=all): a 100-year series is a chart of 1,200 points, not a page of rows.
TABLE_YEARS = 5


def _kpi_page(
    request: HttpRequest,
    kpi: Kpi,
    *,
    refused: ApproveChangePointForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_approve = request.user.has_perms(APPROVE_PERMISSIONS)

    every_figure = request.GET.get("figures") == "all"

    def build() -> dict[str, Any]:
        history = dashboard.history(kpi, area=of_request(request).area)
        rows = history.newest_first if every_figure else history.newest_in(TABLE_YEARS)
        return {
            "title": f"KPI {kpi.ref}: {kpi.description}",
            "kpi": kpi,
            "history": history,
            "rows": rows,
            "rows_left_out": len(history.rows) - len(rows),
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
            if can_approve
            else [],
        }

    if can_approve:
        # The body holds the approval forms, each with the request's own CSRF token: built for
        # each request, never kept.
        return render(request, "kpis/kpi_detail.html", build(), status=status)
    return kept_page(request, "kpis/kpi_detail.html", "kpi", build, layout={"kpi": kpi})


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
    return kept_page(
        request, "kpis/trend_table.html", "trend", lambda: _trend_table(request, year, quarter)
    )


def _trend_table(
    request: HttpRequest, year: str | None, quarter: str | None
) -> dict[str, Any] | HttpResponse:
    """The trend table's context, or where the quarter picker sends the user."""
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
            return {"table": None, "picker": picker, "title": "KPI trend table"}
        shown = quarters[-1]
    else:
        try:
            shown = Quarter.parse(year, quarter)
        except ValueError as error:
            raise Http404(str(error)) from None
        picker = QuarterPicker({"quarter": _quarter_slug(shown)}, quarters=quarters)
        picker.is_valid()
        picker.errors.clear()  # a quarter outside the figures is shown, just empty
    return {
        "title": f"KPI trend table, {shown.title}",
        "table": dashboard.trend_table(quarter=shown),
        "picker": picker,
        "previous": _trend_url(shown.previous),
        "next": _trend_url(shown.next),
    }
