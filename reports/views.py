import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kpis.locking import closures
from kpis.models import Observation
from sct_portal import periods, spreadsheets
from sct_portal.periods import Quarter

from . import assemble, excel, pdf, revisions, svgchart, workflow
from .content import ReportContent
from .forms import NarrativeForm, SectionHeadingForm, SendBackForm, StartForm
from .models import Block, QuarterReport, Status


def _report(request: HttpRequest, year: str, quarter: str) -> QuarterReport:
    """The report for the URL's quarter, if this user may see it (drafts: staff only)."""
    try:
        period = Quarter.parse(year, quarter)
    except ValueError:
        raise Http404("No such quarter") from None
    report = (
        QuarterReport.objects.visible_to(request.user)
        .for_quarter(period)
        .select_related("published_by")
        .first()
    )
    if report is None:
        raise Http404(f"No report for {period} that you can see")
    return report


def _quarters_to_start(
    existing: set[tuple[int, int]], months: Iterable[dt.date], today: dt.date
) -> list[tuple[str, str]]:
    """Quarters without a report, newest first: every quarter that has figures, the quarter
    after the latest of them, and today's and the last quarter by the clock; none later
    than today's."""
    now = Quarter.of(today)
    with_figures = {Quarter.of(month) for month in months}
    offered = with_figures | {now, now.previous}
    if with_figures:
        offered.add(max(with_figures).next)
    return [
        (f"{quarter.year.slug}/{quarter.slug}", str(quarter))
        for quarter in sorted(offered, reverse=True)
        if quarter <= now and (quarter.year.start, quarter.number) not in existing
    ]


def _start_form(data: Any = None) -> StartForm:
    existing = set(QuarterReport.objects.values_list("year_start", "quarter"))
    months = Observation.objects.dates("month", "month")
    return StartForm(data, choices=_quarters_to_start(existing, months, timezone.localdate()))


@permission_required("reports.view_quarterreport", raise_exception=True)
def report_list(request: HttpRequest) -> HttpResponse:
    reports = list(QuarterReport.objects.visible_to(request.user).select_related("published_by"))
    form = _start_form() if request.user.has_perm("reports.add_quarterreport") else None
    return render(request, "reports/report_list.html", {"reports": reports, "form": form})


@require_POST
@permission_required("reports.add_quarterreport", raise_exception=True)
def start(request: HttpRequest) -> HttpResponse:
    form = _start_form(request.POST)
    if not form.is_valid():
        problem = " ".join(str(e) for e in form.errors.get("quarter", ["Choose a quarter."]))
        messages.error(request, f"The report was not started: {problem}")
        return redirect("reports:list")
    year, _, number = form.cleaned_data["quarter"].partition("/")
    quarter = Quarter.parse(year, number)
    try:
        report = workflow.start_report(quarter=quarter, by=request.user)
    except workflow.WorkflowError as problem:
        messages.error(request, f"The report was not started: {problem}")
        return redirect("reports:list")
    messages.success(request, f"A draft report for {quarter} is ready for its narrative.")
    return redirect(report.edit_url)


@permission_required("reports.view_quarterreport", raise_exception=True)
def report_detail(request: HttpRequest, year: str, quarter: str) -> HttpResponse:
    report = _report(request, year, quarter)
    content = assemble.content(report)
    revised = revisions.since_publication(content) if report.is_published else []
    may_edit = report.status == Status.DRAFT and request.user.has_perm(
        "reports.change_quarterreport"
    )
    can_decide = report.status == Status.IN_REVIEW and request.user.has_perm(
        "reports.publish_quarterreport"
    )
    send_back_form = None
    if can_decide:
        # A send-back refused for want of a note comes back here with the field marked.
        refused = request.GET.get(SEND_BACK_REFUSED) is not None
        send_back_form = SendBackForm({"note": ""}) if refused else SendBackForm()
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "content": content,
            "revised": revised,
            "events": report.events.select_related("by"),
            "sent_back": report.standing_send_back(),
            "can_edit": may_edit,
            "can_submit": may_edit,
            "can_decide": can_decide,
            "send_back_form": send_back_form,
            "charts": headline_charts(content) if content.holds(Block.HEADLINE_CHARTS) else [],
            "pdf_url": reverse("reports:pdf", kwargs=report.url_kwargs),
        },
    )


def headline_charts(content: ReportContent) -> list[dict[str, Any]]:
    """Each headline measure's chart (drawn on the server, as in the PDF) beside its table."""
    headlines = {headline.ref: headline for headline in content.headlines}
    return [
        {
            "id": f"headline-chart-{index}",
            "caption": chart.caption,
            "svg": svgchart.svg(chart, id=f"headline-chart-{index}"),
            "headline": headlines[chart.ref],
        }
        for index, chart in enumerate(svgchart.headline_charts(content))
    ]


SEND_BACK_REFUSED = "send-back-refused"


def _editable(request: HttpRequest, year: str, quarter: str) -> QuarterReport | HttpResponse:
    """The draft report to edit, or where to go when it is not a draft."""
    report = _report(request, year, quarter)
    if report.status != Status.DRAFT:
        messages.error(
            request,
            f"The report is {report.get_status_display().lower()}: only a draft can be edited.",
        )
        return redirect(report)
    return report


@permission_required("reports.change_quarterreport", raise_exception=True)
def report_edit(request: HttpRequest, year: str, quarter: str) -> HttpResponse:
    report = _editable(request, year, quarter)
    if isinstance(report, HttpResponse):
        return report
    sections = list(report.sections.select_related("updated_by"))
    form = NarrativeForm(request.POST if request.method == "POST" else None, sections=sections)
    conflicts: dict[str, workflow.Conflict] = {}
    if request.method == "POST" and form.is_valid():
        try:
            changed = workflow.save_narrative(
                report=report, bodies=form.bodies(), based_on=form.based_on(), by=request.user
            )
        except workflow.NarrativeRefused as refused:
            conflicts = {conflict.key: conflict for conflict in refused.conflicts}
            form.refused(conflicts=refused.conflicts, sections=list(report.sections.all()))
        except workflow.WorkflowError as problem:
            messages.error(request, str(problem))
            return redirect(report)
        else:
            if changed:
                headings = ", ".join(f"“{section.heading}”" for section in changed)
                messages.success(request, f"Narrative saved: {headings} changed.")
            else:
                messages.info(request, "Nothing was changed: the narrative is as it was.")
            return redirect(report)
    content = assemble.build(report)
    placed = {block for section in sections for block in section.blocks}
    first = sections[0].key if sections else ""
    editors = []
    for section in sections:
        drafted = [
            d
            for d in content.drafts
            if d.block in section.blocks or (d.block not in placed and section.key == first)
        ]
        editors.append(
            {
                "field": form[section.key],
                "based_on": form[section.key + "-based-on"],
                "drafted": drafted,
                "conflict": conflicts.get(section.key),
            }
        )
    orphans = [form[name] for name in form.nowhere]
    return render(
        request,
        "reports/report_edit.html",
        {
            "report": report,
            "form": form,
            "editors": editors,
            "orphans": orphans,
            "sent_back": report.standing_send_back(),
        },
        status=400 if form.errors else 200,
    )


SECTION_ACTIONS = {"add", "rename", "up", "down", "remove"}


@permission_required("reports.change_quarterreport", raise_exception=True)
def report_sections(request: HttpRequest, year: str, quarter: str) -> HttpResponse:
    """Add, rename, reorder and remove the report's sections."""
    report = _editable(request, year, quarter)
    if isinstance(report, HttpResponse):
        return report
    add_form = SectionHeadingForm(prefix="new")
    rename_key = ""
    rename_form = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        key = request.POST.get("key", "")
        if action not in SECTION_ACTIONS:
            raise Http404("No such step")
        try:
            if action == "add":
                add_form = SectionHeadingForm(request.POST, prefix="new")
                if add_form.is_valid():
                    section = workflow.add_section(
                        report=report, heading=add_form.cleaned_data["heading"], by=request.user
                    )
                    messages.success(request, f"“{section.heading}” is added at the end.")
                    return redirect(report.sections_url)
            elif action == "rename":
                rename_key, rename_form = key, SectionHeadingForm(request.POST, prefix=key)
                if rename_form.is_valid():
                    section = workflow.rename_section(
                        report=report,
                        key=key,
                        heading=rename_form.cleaned_data["heading"],
                        by=request.user,
                    )
                    messages.success(request, f"The section is now “{section.heading}”.")
                    return redirect(report.sections_url)
            elif action in ("up", "down"):
                section = workflow.move_section(
                    report=report, key=key, by=request.user, places=-1 if action == "up" else 1
                )
                messages.success(request, f"“{section.heading}” moved {action}.")
                return redirect(report.sections_url)
            else:
                workflow.remove_section(report=report, key=key, by=request.user)
                messages.success(request, "The section is removed.")
                return redirect(report.sections_url)
        except workflow.WorkflowError as problem:
            form = add_form if action == "add" else rename_form
            if form is None:
                messages.error(request, str(problem))
                return redirect(report.sections_url)
            form.add_error("heading", str(problem))
    rows = []
    sections = list(report.sections.all())
    for index, section in enumerate(sections):
        form = rename_form if section.key == rename_key and rename_form else None
        rows.append(
            {
                "section": section,
                "form": form
                or SectionHeadingForm(prefix=section.key, initial={"heading": section.heading}),
                "first": index == 0,
                "last": index == len(sections) - 1,
                "removable": not section.body.strip() and not section.blocks,
                "blocks": [Block(b).label for b in section.blocks if b in Block.values],
            }
        )
    problem_form = add_form if add_form.errors else rename_form
    return render(
        request,
        "reports/report_sections.html",
        {"report": report, "rows": rows, "add_form": add_form, "problem_form": problem_form},
        status=400 if problem_form is not None and problem_form.errors else 200,
    )


@permission_required("reports.publish_quarterreport", raise_exception=True)
def report_publish(request: HttpRequest, year: str, quarter: str) -> HttpResponse:
    """Asks a manager to confirm publishing, saying what follows."""
    report = _report(request, year, quarter)
    if report.status != Status.IN_REVIEW:
        messages.error(
            request,
            f"The report is {report.get_status_display().lower()}: only a report in review "
            "can be published.",
        )
        return redirect(report)
    months = report.period.months()
    closed = closures(months)
    return render(
        request,
        "reports/report_publish.html",
        {
            "report": report,
            "closing": [periods.month_label(m) for m in months if m not in closed],
            "already_closed": [periods.month_label(m) for m in months if m in closed],
        },
    )


ACTIONS = {"submit", "send-back", "publish"}


@require_POST
@permission_required("reports.view_draft_quarterreport", raise_exception=True)
def report_workflow(request: HttpRequest, year: str, quarter: str) -> HttpResponse:
    report = _report(request, year, quarter)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise Http404("No such step")
    try:
        if action == "submit":
            workflow.submit_for_review(report=report, by=request.user)
            messages.success(request, "The report was sent for review.")
        elif action == "send-back":
            if not request.user.has_perm("reports.publish_quarterreport"):
                raise PermissionDenied("Your role does not allow you to send it back.")
            form = SendBackForm(request.POST)
            if not form.is_valid():
                url = report.get_absolute_url()
                return redirect(f"{url}?{SEND_BACK_REFUSED}#{form['note'].id_for_label}")
            workflow.send_back(report=report, by=request.user, note=form.cleaned_data["note"])
            messages.success(
                request, "The report was sent back to draft. Your note stands at its top."
            )
        else:
            workflow.publish(report=report, by=request.user)
            messages.success(
                request,
                f"The report is published. Its figures are frozen as they stand, and "
                f"{report.period}'s months are closed for data entry.",
            )
    except workflow.WorkflowError as problem:
        messages.error(request, str(problem))
    return redirect(report)


def download_name(report: QuarterReport) -> str:
    """performance-report-2022-23-q1, with -draft until the report is published."""
    name = f"performance-report-{report.period.year.slug}-{report.period.slug}"
    return name if report.is_published else f"{name}-draft"


@permission_required("reports.view_quarterreport", raise_exception=True)
def report_workbook(request: HttpRequest, year: str, quarter: str) -> HttpResponse:
    report = _report(request, year, quarter)
    response = HttpResponse(
        excel.render(assemble.content(report)), content_type=spreadsheets.XLSX_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{download_name(report)}.xlsx"'
    return response


@permission_required("reports.view_quarterreport", raise_exception=True)
def report_pdf(request: HttpRequest, year: str, quarter: str) -> HttpResponse:
    """The report as an accessible PDF: as published, or as a draft marked on every page."""
    report = _report(request, year, quarter)
    response = HttpResponse(pdf.render(assemble.content(report)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{download_name(report)}.pdf"'
    return response


@permission_required("reports.view_quarterreport", raise_exception=True)
def report_csv(request: HttpRequest, year: str, quarter: str) -> HttpResponse:
    """The report's figures, one row each, as the data sheet of the workbook lists them."""
    report = _report(request, year, quarter)
    response = HttpResponse(
        excel.as_csv(assemble.content(report)), content_type=spreadsheets.CSV_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{download_name(report)}.csv"'
    return response
