"""A report's life: drafted by analysts, sent for review, sent back or published by a manager.

Publishing freezes the report: its content is stored as a snapshot, which its page and
workbook show from then on, and the quarter's months close for data entry.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kpis.locking import close_months
from kpis.publishing import Printed, record_published
from sct_portal.periods import Quarter

from . import assemble
from .content import ReportContent
from .models import Action, NarrativeSection, QuarterReport, ReportEvent, SectionKey, Status
from .snapshot import freeze


class WorkflowError(Exception):
    """A step that the report's status does not allow; the message says why."""


def _require(user: Any, permission: str, doing: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(f"Your role does not allow you to {doing}.")


@transaction.atomic
def start_report(*, quarter: Quarter, by: Any) -> QuarterReport:
    """A new draft for the quarter, with an empty narrative for each of its sections."""
    _require(by, "reports.add_quarterreport", "start a report")
    if QuarterReport.objects.for_quarter(quarter).exists():
        raise WorkflowError(f"There is already a report for {quarter}.")
    report = QuarterReport.objects.create(year_start=quarter.year.start, quarter=quarter.number)
    NarrativeSection.objects.bulk_create(
        NarrativeSection(report=report, key=key) for key in SectionKey.values
    )
    ReportEvent.objects.create(report=report, action=Action.CREATED, by=by)
    return report


@transaction.atomic
def save_narrative(*, report: QuarterReport, bodies: dict[str, str], by: Any) -> int:
    """Save the narrative of the given sections; returns how many changed."""
    _require(by, "reports.change_quarterreport", "edit a report")
    report = QuarterReport.objects.select_for_update().get(pk=report.pk)
    if report.status != Status.DRAFT:
        raise WorkflowError(
            f"The report is {report.get_status_display().lower()}: only a draft can be edited."
        )
    changed = 0
    for section in report.sections.filter(key__in=bodies):
        body = bodies[section.key].replace("\r\n", "\n").strip()
        if body != section.body:
            section.body = body
            section.updated_by = by
            section.save()
            changed += 1
    if changed:
        report.save(update_fields=["updated_at"])
        ReportEvent.objects.create(
            report=report,
            action=Action.EDITED,
            by=by,
            note=f"{changed} section{'s' if changed != 1 else ''} changed",
        )
    return changed


@transaction.atomic
def submit_for_review(*, report: QuarterReport, by: Any) -> QuarterReport:
    _require(by, "reports.change_quarterreport", "send a report for review")
    return _move(report, by, Status.DRAFT, Status.IN_REVIEW, Action.SUBMITTED, "")


@transaction.atomic
def send_back(*, report: QuarterReport, by: Any, note: str) -> QuarterReport:
    _require(by, "reports.publish_quarterreport", "send a report back")
    if not note.strip():
        raise WorkflowError("Say what needs to change before the report is sent back.")
    return _move(report, by, Status.IN_REVIEW, Status.DRAFT, Action.SENT_BACK, note.strip())


@transaction.atomic
def publish(*, report: QuarterReport, by: Any) -> QuarterReport:
    """Freeze the report as it stands and close the quarter's months."""
    _require(by, "reports.publish_quarterreport", "publish a report")
    report = _move(report, by, Status.IN_REVIEW, Status.PUBLISHED, Action.PUBLISHED, "")
    report.published_at = timezone.now()
    report.published_by = by
    content = assemble.build(report)
    report.snapshot = freeze(content)
    report.save(update_fields=["published_at", "published_by", "snapshot"])
    record_published(
        report=str(report.period), at=report.published_at, printed=printed_figures(content)
    )
    close_months(months=report.period.months(), by=by, reason=f"{report.period} report published")
    return report


def _move(
    report: QuarterReport, by: Any, before: Status, after: Status, action: Action, note: str
) -> QuarterReport:
    report = QuarterReport.objects.select_for_update().get(pk=report.pk)
    if report.status != before:
        raise WorkflowError(
            f"The report is {report.get_status_display().lower()}; "
            f"it must be {before.label.lower()} for this step."
        )
    report.status = after
    report.save(update_fields=["status", "updated_at"])
    ReportEvent.objects.create(report=report, action=action, by=by, note=note)
    return report


def printed_figures(content: ReportContent) -> list[Printed]:
    """Every figure the report prints: its KPI table and its headline measures."""
    found = [
        Printed(row.ref, cell.month, cell.value, cell.shown)
        for row in content.kpi_table.rows
        for cell in row.cells
    ]
    found += [
        Printed(headline.ref, cell.month, cell.value, cell.shown)
        for headline in content.headlines
        for cell in headline.series
    ]
    return found
