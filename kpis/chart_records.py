"""Changing how a KPI's SPC chart is read: its change points, baseline exclusions and
annotations. Every change is checked and kept in ChartRevision (who, when, what, why) in
the same transaction, and every writer — the admin, a proposal — comes through here.

A change point takes effect only when a person approves it with a reason: `approve`
stamps who and when; `propose` (the portal's own proposal) can only ever propose.
"""

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from sct_portal import periods

from . import spc
from .models import (
    Annotation,
    BaselineExclusion,
    ChangePoint,
    ChangePointStatus,
    ChartRecord,
    ChartRevision,
    Kpi,
    RevisionAction,
)

Record = ChangePoint | BaselineExclusion | Annotation

KIND: dict[type[models.Model], ChartRecord] = {
    ChangePoint: ChartRecord.CHANGE_POINT,
    BaselineExclusion: ChartRecord.BASELINE_EXCLUSION,
    Annotation: ChartRecord.ANNOTATION,
}
# The fields whose changes the history keeps (who and when are the revision's own).
TRACKED: dict[type[models.Model], tuple[str, ...]] = {
    ChangePoint: ("month", "reason", "status", "decision_reason"),
    BaselineExclusion: ("month", "reason"),
    Annotation: ("date", "text"),
}


def save(*, record: Record, by: Any) -> Record:
    """Add or change a record, as `by` (None: the portal, which may only propose); unchanged,
    nothing is written. Raises ValidationError naming the field when the record is wrong."""
    with transaction.atomic():
        old = None
        if record.pk is not None:
            old = type(record).objects.select_for_update().filter(pk=record.pk).first()
        changes = _changes(old, record)
        if old is not None and not changes:
            return record
        _stamp(record, old, by)
        record.full_clean()
        record.save()
        ChartRevision.objects.create(
            kpi_id=record.kpi_id,
            record=KIND[type(record)],
            record_id=record.pk,
            action=RevisionAction.CREATED if old is None else RevisionAction.CHANGED,
            month=_month(record),
            summary="; ".join(changes),
            reason=_reason(record, old),
            changed_by=by,
        )
    return record


def delete(*, record: Record, by: Any) -> None:
    """Delete a record, as `by`; the history keeps what it was."""
    with transaction.atomic():
        ChartRevision.objects.create(
            kpi_id=record.kpi_id,
            record=KIND[type(record)],
            record_id=record.pk,
            action=RevisionAction.DELETED,
            month=_month(record),
            summary="deleted: " + "; ".join(_changes(None, record)),
            reason=_reason(record, None),
            changed_by=by,
        )
        record.delete()


def approve(*, change_point: ChangePoint, by: Any, reason: str) -> ChangePoint:
    """A person approves a change point, saying why: the limits are recalculated from it."""
    return _decide(change_point, ChangePointStatus.APPROVED, by, reason)


def reject(*, change_point: ChangePoint, by: Any, reason: str) -> ChangePoint:
    """A person rejects a change point, saying why; it stays, so it is not proposed again."""
    return _decide(change_point, ChangePointStatus.REJECTED, by, reason)


def propose(*, kpi: Kpi, month: dt.date, reason: str) -> ChangePoint | None:
    """The portal proposes a change point (spc.propose_rebase found a sustained shift), unless
    one is already recorded for that month, whatever its status. Never approves it."""
    month = periods.month_start(month)
    if ChangePoint.objects.filter(kpi=kpi, month=month).exists():
        return None
    found = save(record=ChangePoint(kpi=kpi, month=month, reason=reason), by=None)
    assert isinstance(found, ChangePoint)
    return found


def approve_proposal(*, kpi: Kpi, month: dt.date, why: str, by: Any, reason: str) -> ChangePoint:
    """A person approves a proposed change point from the KPI's page, saying why: the portal's
    proposal (`why`) is recorded as its own, then approved by `by` with their reason, which
    becomes the change point's (the label its limits are named by: "July 2022 (new duty
    system)"); both steps are kept in the history, in one transaction, so a refusal (no
    reason) writes nothing. A change point already recorded as proposed is approved so."""
    month = periods.month_start(month)
    with transaction.atomic():
        found = ChangePoint.objects.select_for_update().filter(kpi=kpi, month=month).first()
        if found is not None and found.status != ChangePointStatus.PROPOSED:
            raise ValidationError(
                {"month": f"{periods.month_name(month)} is already {found.get_status_display()}."}
            )
        if found is None:
            proposed = propose(kpi=kpi, month=month, reason=why)
            assert proposed is not None
            found = proposed
        if reason.strip():
            found.reason = reason.strip()
        return approve(change_point=found, by=by, reason=reason)


def _decide(change_point: ChangePoint, status: str, by: Any, reason: str) -> ChangePoint:
    change_point.status = status
    change_point.decision_reason = reason.strip()
    found = save(record=change_point, by=by)
    assert isinstance(found, ChangePoint)
    return found


def _stamp(record: Record, old: Record | None, by: Any) -> None:
    """Who added it, and who approved or rejected a change point and when."""
    now = timezone.now()
    if isinstance(record, ChangePoint):
        assert old is None or isinstance(old, ChangePoint)
        if old is None:
            record.proposed_by, record.proposed_at = by, now
        decided = old is None or old.status != record.status
        if decided and record.status == ChangePointStatus.PROPOSED:
            record.decided_by, record.decided_at = None, None
        elif decided:
            if by is None:
                raise ValueError("Only a person approves or rejects a change point.")
            record.decided_by, record.decided_at = by, now
    elif old is None and isinstance(record, BaselineExclusion):
        record.excluded_by, record.excluded_at = by, now
    elif old is None and isinstance(record, Annotation):
        record.added_by, record.added_at = by, now


def _shown(record: Record, name: str) -> str:
    value = getattr(record, name)
    if isinstance(value, dt.date):
        return periods.month_name(value) if name == "month" else f"{value.day} {value:%B %Y}"
    if name == "status":
        return str(ChangePointStatus(value).label)
    return f"“{value}”" if value else "(blank)"


def _changes(old: Record | None, new: Record) -> list[str]:
    """What differs, field by field: “status: Proposed → Approved”; all of it (but blanks)
    when new."""
    found = []
    for name in TRACKED[type(new)]:
        label = str(getattr(new._meta.get_field(name), "verbose_name", name))
        if old is None and getattr(new, name) not in ("", None):
            found.append(f"{label}: {_shown(new, name)}")
        elif old is not None and getattr(old, name) != getattr(new, name):
            found.append(f"{label}: {_shown(old, name)} → {_shown(new, name)}")
    return found


def _month(record: Record) -> dt.date:
    return record.month


def _reason(record: Record, old: Record | None) -> str:
    """Why: a decision's reason when a change point is approved or rejected; otherwise the
    record's own reason (an annotation's text)."""
    if isinstance(record, ChangePoint):
        decided = old is None or (isinstance(old, ChangePoint) and old.status != record.status)
        if decided and record.status != ChangePointStatus.PROPOSED:
            return record.decision_reason
        return record.reason
    if isinstance(record, BaselineExclusion):
        return record.reason
    return record.text


def segmentation(
    *,
    months: Sequence[dt.date],
    change_points: Iterable[ChangePoint],
    exclusions: Iterable[BaselineExclusion],
) -> tuple[list[spc.ChangePoint], list[spc.Exclusion]]:
    """What `spc.analyse` takes from a KPI's records, for a series over `months` (oldest
    first, the months it is due): its APPROVED change points, each starting at the first
    month of the series on or after its own (a quarterly KPI's change in May starts with
    June), and its exclusions at their months. Records outside the series are left out, as
    is a change point at the series' first month (nothing before it to split from). Reads
    no database: pass the records already fetched."""
    position = {month: i for i, month in enumerate(months)}
    starts: dict[int, spc.ChangePoint] = {}
    for point in sorted(change_points, key=lambda p: p.month):
        if not point.is_approved:
            continue
        start = bisect.bisect_left(months, point.month)
        if 0 < start < len(months) and start not in starts:
            starts[start] = spc.ChangePoint(start, point.label)
    excluded = [
        spc.Exclusion(position[e.month], e.reason) for e in exclusions if e.month in position
    ]
    return list(starts.values()), excluded
