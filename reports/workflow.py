"""A report's life: drafted by analysts, sent for review, sent back or published by a manager.

Every change to a report goes through here and leaves a history event (ReportEvent): its
start (with the organisation's sections), its narrative, its sections and its status.
Publishing freezes the report: its content is stored as a snapshot, which its page and
workbook show from then on, and the quarter's months close for data entry.
"""

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from kpis.locking import close_months
from kpis.publishing import Printed, record_published
from sct_portal.models import Organisation
from sct_portal.models import current as current_organisation
from sct_portal.periods import Quarter

from . import assemble
from .content import ReportContent
from .models import (
    Action,
    Block,
    NarrativeSection,
    QuarterReport,
    ReportEvent,
    SectionTemplate,
    Status,
)
from .snapshot import freeze

# A report whose organisation has no sections defined holds everything in one.
ONE_SECTION = ("Performance", "performance", list(Block.values))


class WorkflowError(Exception):
    """A step that the report's status does not allow; the message says why."""


@dataclass(frozen=True)
class Conflict:
    """A section changed by someone else since the editor opened it."""

    key: str
    heading: str
    yours: str
    theirs: str
    by: str
    at: dt.datetime


class NarrativeRefused(WorkflowError):
    """A narrative save that would lose text: nothing of it was written."""

    def __init__(self, *, conflicts: tuple[Conflict, ...], nowhere: tuple[str, ...]) -> None:
        self.conflicts = conflicts
        self.nowhere = nowhere
        problems = [f"“{c.heading}” was changed by {c.by} meanwhile" for c in conflicts]
        problems += [f"“{key}” is not a section of this report" for key in nowhere]
        super().__init__("Nothing was saved: " + "; ".join(problems) + ".")


def _require(user: Any, permission: str, doing: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(f"Your role does not allow you to {doing}.")


def digest(text: str) -> str:
    """A short fingerprint of a section's text: what the editor started from."""
    return hashlib.sha256(normalised(text).encode()).hexdigest()[:32]


def normalised(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def sections_for(organisation: Organisation) -> list[tuple[str, str, list[str]]]:
    """(heading, key, tables) of each section a new report starts with: the organisation's
    own, less the finance or contract tables it does not use (a section that held only those
    is left out)."""
    unused = set()
    if not organisation.uses_finance:
        unused.add(Block.FINANCE)
    if not organisation.uses_contract:
        unused.add(Block.CONTRACT)
    sections = []
    for template in SectionTemplate.objects.all():
        blocks = [b for b in Block.values if b in template.blocks and b not in unused]
        if template.blocks and not blocks:
            continue
        sections.append((template.heading, template.key, blocks))
    if not sections:
        heading, key, blocks = ONE_SECTION
        sections.append((heading, key, [b for b in blocks if b not in unused]))
    return sections


@transaction.atomic
def start_report(*, quarter: Quarter, by: Any, title: str = "") -> QuarterReport:
    """The one way a report is made: a new draft for the quarter with the organisation's
    sections, each with an empty narrative."""
    _require(by, "reports.add_quarterreport", "start a report")
    if QuarterReport.objects.for_quarter(quarter).exists():
        raise WorkflowError(f"There is already a report for {quarter}.")
    report = QuarterReport.objects.create(
        year_start=quarter.year.start, quarter=quarter.number, title=title
    )
    sections = sections_for(current_organisation())
    NarrativeSection.objects.bulk_create(
        NarrativeSection(report=report, key=key, heading=heading, order=order, blocks=blocks)
        for order, (heading, key, blocks) in enumerate(sections, 1)
    )
    ReportEvent.objects.create(
        report=report,
        action=Action.CREATED,
        by=by,
        note="Sections: " + ", ".join(heading for heading, _, _ in sections),
    )
    return report


def _draft(report: QuarterReport) -> QuarterReport:
    """The report, locked for this transaction, if it is still a draft."""
    report = QuarterReport.objects.select_for_update().get(pk=report.pk)
    if report.status != Status.DRAFT:
        raise WorkflowError(
            f"The report is {report.get_status_display().lower()}: only a draft can be edited."
        )
    return report


@transaction.atomic
def save_narrative(
    *,
    report: QuarterReport,
    bodies: Mapping[str, str],
    by: Any,
    based_on: Mapping[str, str] | None = None,
) -> tuple[NarrativeSection, ...]:
    """Save the typed narrative of the given sections (by key); returns the sections changed.

    `based_on` gives, for each section, the `digest` of the text the editor started from
    (a section missing from it was started empty): a section the editor left as it found it
    is not written, and one that someone else changed meanwhile is refused. Text for a key
    that is not one of the report's sections is refused too. A refusal (NarrativeRefused)
    writes nothing. Without `based_on` (a loader that is the only writer) the text is
    written as given.
    """
    _require(by, "reports.change_quarterreport", "edit a report")
    report = _draft(report)
    sections = {section.key: section for section in report.sections.select_related("updated_by")}
    nowhere = tuple(key for key, body in bodies.items() if key not in sections and body.strip())
    changed: list[tuple[NarrativeSection, str, str]] = []
    conflicts: list[Conflict] = []
    for key, typed in bodies.items():
        section = sections.get(key)
        if section is None:
            continue
        body = normalised(typed)
        if body == section.body:
            continue
        if based_on is not None:
            started_from = based_on.get(key) or digest("")
            if digest(body) == started_from:
                continue  # left as it was found; a colleague's later text stands
            if digest(section.body) != started_from:
                conflicts.append(
                    Conflict(
                        key=key,
                        heading=section.heading,
                        yours=body,
                        theirs=section.body,
                        by=section.updated_by.get_username() if section.updated_by else "someone",
                        at=section.updated_at,
                    )
                )
                continue
        changed.append((section, section.body, body))
    if conflicts or nowhere:
        raise NarrativeRefused(conflicts=tuple(conflicts), nowhere=nowhere)
    for section, _, body in changed:
        section.body = body
        section.updated_by = by
        section.save(update_fields=["body", "updated_by", "updated_at"])
    if changed:
        report.save(update_fields=["updated_at"])
        ReportEvent.objects.create(
            report=report,
            action=Action.EDITED,
            by=by,
            note="Changed: " + ", ".join(section.heading for section, _, _ in changed),
            changes=[
                {"key": s.key, "heading": s.heading, "before": before, "after": after}
                for s, before, after in changed
            ],
        )
    return tuple(section for section, _, _ in changed)


def _section(report: QuarterReport, key: str) -> NarrativeSection:
    section = report.sections.filter(key=key).first()
    if section is None:
        raise WorkflowError("That section is no longer in the report.")
    return section


def _clean_heading(report: QuarterReport, heading: str, *, besides: int | None = None) -> str:
    heading = " ".join(heading.split())
    if not heading:
        raise WorkflowError("Give the section a heading.")
    if len(heading) > 100:
        raise WorkflowError("A section's heading is 100 characters or fewer.")
    taken = report.sections.filter(heading__iexact=heading)
    if besides is not None:
        taken = taken.exclude(pk=besides)
    if taken.exists():
        raise WorkflowError(f"The report already has a section “{heading}”.")
    return heading


def _event(report: QuarterReport, action: Action, by: Any, note: str) -> None:
    report.save(update_fields=["updated_at"])
    ReportEvent.objects.create(report=report, action=action, by=by, note=note)


@transaction.atomic
def add_section(*, report: QuarterReport, heading: str, by: Any) -> NarrativeSection:
    """A new, empty narrative section at the end of the report."""
    _require(by, "reports.change_quarterreport", "edit a report")
    report = _draft(report)
    heading = _clean_heading(report, heading)
    keys = set(report.sections.values_list("key", flat=True))
    base = slugify(heading)[:44] or "section"
    key, number = base, 2
    while key in keys:
        key, number = f"{base}-{number}", number + 1
    last = report.sections.aggregate(last=Max("order"))["last"] or 0
    section = NarrativeSection.objects.create(
        report=report, key=key, heading=heading, order=last + 1, updated_by=by
    )
    _event(report, Action.SECTION_ADDED, by, heading)
    return section


@transaction.atomic
def rename_section(*, report: QuarterReport, key: str, heading: str, by: Any) -> NarrativeSection:
    _require(by, "reports.change_quarterreport", "edit a report")
    report = _draft(report)
    section = _section(report, key)
    heading = _clean_heading(report, heading, besides=section.pk)
    if heading == section.heading:
        return section
    before = section.heading
    section.heading = heading
    section.save(update_fields=["heading", "updated_at"])
    _event(report, Action.SECTION_RENAMED, by, f"“{before}” is now “{heading}”")
    return section


@transaction.atomic
def move_section(*, report: QuarterReport, key: str, by: Any, places: int) -> NarrativeSection:
    """Move a section up (places < 0) or down the report; the others keep their order."""
    _require(by, "reports.change_quarterreport", "edit a report")
    report = _draft(report)
    sections = list(report.sections.all())
    section = _section(report, key)
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    target = min(max(index + places, 0), len(sections) - 1)
    if target == index:
        return section
    sections.insert(target, sections.pop(index))
    for order, each in enumerate(sections, 1):
        each.order = order
    NarrativeSection.objects.bulk_update(sections, ["order"])
    _event(
        report,
        Action.SECTION_MOVED,
        by,
        f"“{section.heading}” moved {'up' if places < 0 else 'down'}: "
        f"now {target + 1} of {len(sections)}",
    )
    return section


@transaction.atomic
def remove_section(*, report: QuarterReport, key: str, by: Any) -> None:
    """Remove a section that has no narrative and holds no tables or charts."""
    _require(by, "reports.change_quarterreport", "edit a report")
    report = _draft(report)
    section = _section(report, key)
    if section.body.strip():
        raise WorkflowError(
            f"“{section.heading}” has narrative: only an empty section can be removed."
        )
    if section.blocks:
        held = ", ".join(Block(b).label.lower() for b in section.blocks if b in Block.values)
        raise WorkflowError(f"“{section.heading}” holds the report's {held}: it cannot be removed.")
    section.delete()
    _event(report, Action.SECTION_REMOVED, by, section.heading)


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
