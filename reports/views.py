from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from sct_portal import spreadsheets
from sct_portal.periods import Quarter

from . import assemble, excel, revisions, workflow
from .models import QuarterReport, SectionKey, Status


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


class StartForm(forms.Form):
    quarter = forms.ChoiceField(label="Quarter")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["quarter"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


def _quarters_to_start(existing: set[tuple[int, int]], today: Any) -> list[tuple[str, str]]:
    """Recent quarters without a report, newest first: the last eight up to today's."""
    quarter = Quarter.of(today)
    choices = []
    for _ in range(8):
        if (quarter.year.start, quarter.number) not in existing:
            choices.append((f"{quarter.year.slug}/{quarter.slug}", str(quarter)))
        quarter = quarter.previous
    return choices


@permission_required("reports.view_quarterreport", raise_exception=True)
def report_list(request: HttpRequest) -> HttpResponse:
    reports = list(QuarterReport.objects.visible_to(request.user).select_related("published_by"))
    existing = {(r.year_start, r.quarter) for r in QuarterReport.objects.all()}
    form = None
    if request.user.has_perm("reports.add_quarterreport"):
        form = StartForm(choices=_quarters_to_start(existing, timezone.localdate()))
    return render(request, "reports/report_list.html", {"reports": reports, "form": form})


@require_POST
@permission_required("reports.add_quarterreport", raise_exception=True)
def start(request: HttpRequest) -> HttpResponse:
    year, _, number = request.POST.get("quarter", "").partition("/")
    try:
        quarter = Quarter.parse(year, number)
        report = workflow.start_report(quarter=quarter, by=request.user)
    except (ValueError, workflow.WorkflowError) as problem:
        messages.error(request, f"The report was not started: {problem}")
        return redirect("reports:list")
    messages.success(request, f"A draft report for {quarter} is ready for its narrative.")
    return redirect(report.edit_url)


@permission_required("reports.view_quarterreport", raise_exception=True)
def report_detail(request: HttpRequest, year: str, quarter: str) -> HttpResponse:
    report = _report(request, year, quarter)
    content = assemble.content(report)
    revised = revisions.since_publication(content) if report.is_published else []
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "content": content,
            "revised": revised,
            "events": report.events.select_related("by"),
            "can_edit": report.status == Status.DRAFT
            and request.user.has_perm("reports.change_quarterreport"),
            "can_submit": report.status == Status.DRAFT
            and request.user.has_perm("reports.change_quarterreport"),
            "can_decide": report.status == Status.IN_REVIEW
            and request.user.has_perm("reports.publish_quarterreport"),
            "charts": headline_charts(content),
        },
    )


def headline_charts(content: Any) -> list[dict[str, Any]]:
    """Chart data for each headline measure with two or more figures in the report's months."""
    charts = []
    for index, headline in enumerate(content.headlines):
        points = [cell for cell in headline.series if cell.value is not None]
        if len(points) < 2:
            continue
        charts.append(
            {
                "id": f"headline-chart-{index}",
                "data_id": f"headline-chart-{index}-data",
                "first": points[0].month.strftime("%b-%y"),
                "last": points[-1].month.strftime("%b-%y"),
                "headline": headline,
                "data": {
                    "title": headline.label,
                    "labels": [cell.month.strftime("%b-%y") for cell in points],
                    "values": [float(cell.value) for cell in points],
                    "unit": headline.unit,
                    "decimals": headline.decimals,
                },
            }
        )
    return charts


class NarrativeForm(forms.Form):
    def __init__(self, *args: Any, sections: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in SectionKey.choices:
            self.fields[key] = forms.CharField(
                label=label,
                required=False,
                initial=sections.get(key, ""),
                widget=forms.Textarea(attrs={"rows": 10, "class": "govuk-textarea"}),
                max_length=20_000,
            )


@permission_required("reports.change_quarterreport", raise_exception=True)
def report_edit(request: HttpRequest, year: str, quarter: str) -> HttpResponse:
    report = _report(request, year, quarter)
    if report.status != Status.DRAFT:
        messages.error(
            request,
            f"The report is {report.get_status_display().lower()}: only a draft can be edited.",
        )
        return redirect(report)
    sections = {section.key: section.body for section in report.sections.all()}
    form = NarrativeForm(request.POST or None, sections=sections)
    if request.method == "POST" and form.is_valid():
        try:
            changed = workflow.save_narrative(
                report=report, bodies=form.cleaned_data, by=request.user
            )
        except workflow.WorkflowError as problem:
            messages.error(request, str(problem))
            return redirect(report)
        messages.success(
            request, f"Narrative saved ({changed} section{'s' if changed != 1 else ''} changed)."
        )
        return redirect(report)
    content = assemble.build(report)
    drafted = {key: [d for d in content.drafts if d.section == key] for key in SectionKey.values}
    fields = [(form[key], drafted[key]) for key in SectionKey.values]
    return render(
        request,
        "reports/report_edit.html",
        {"report": report, "form": form, "fields": fields},
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
            workflow.send_back(report=report, by=request.user, note=request.POST.get("note", ""))
            messages.success(request, "The report was sent back to draft.")
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


@permission_required("reports.view_quarterreport", raise_exception=True)
def report_workbook(request: HttpRequest, year: str, quarter: str) -> HttpResponse:
    report = _report(request, year, quarter)
    response = HttpResponse(
        excel.render(assemble.content(report)), content_type=spreadsheets.XLSX_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{_download_name(report)}.xlsx"'
    return response


@permission_required("reports.view_quarterreport", raise_exception=True)
def report_csv(request: HttpRequest, year: str, quarter: str) -> HttpResponse:
    """The report's figures, one row each, as the data sheet of the workbook lists them."""
    report = _report(request, year, quarter)
    response = HttpResponse(
        excel.as_csv(assemble.content(report)), content_type=spreadsheets.CSV_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{_download_name(report)}.csv"'
    return response


def _download_name(report: QuarterReport) -> str:
    name = f"performance-report-{report.period.year.slug}-{report.period.slug}"
    return name if report.is_published else name + "-draft"
