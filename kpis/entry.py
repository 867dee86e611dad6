"""The monthly return: one form with every figure due in a month.

Each row is checked as the data model checks a figure, with the message naming the KPI;
unusual values are warnings the analyst confirms; the whole return is saved in one
transaction. Each row carries the version of the figure the analyst saw: if another
analyst changed it meanwhile, nothing is saved, and the analyst decides per figure whether
to keep the other analyst's value or use their own.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sct_portal import periods

from .imports import parse_figure
from .models import (
    CLOSED_MONTH,
    ClosedMonth,
    Frequency,
    Kpi,
    Observation,
    ObservationRevision,
    RevisionAction,
)
from .units import format_value

SOURCE = "monthly return"
RECENT_MONTHS = 12  # the window of the "recent range"
FEWEST_FOR_RANGE = 3  # fewer recent figures than this say nothing about a range
ENTRY_PERMISSIONS = ("kpis.add_observation", "kpis.change_observation")
KEEP_THEIRS, USE_MINE = "theirs", "mine"


def unusual(
    value: Decimal,
    *,
    previous: Decimal | None,
    previous_label: str,
    recent: Sequence[Decimal],
    unit: str,
    decimals: int,
) -> list[str]:
    """Why a value deserves a second look, in words: outside the range of the recent
    figures, or a change of more than half on the previous figure. Pure."""

    def shown(number: Decimal) -> str:
        return format_value(number, unit, decimals)

    found = []
    if len(recent) >= FEWEST_FOR_RANGE:
        low, high = min(recent), max(recent)
        if not low <= value <= high:
            found.append(
                f"{shown(value)} is outside the range of the last {len(recent)} figures "
                f"({shown(low)} to {shown(high)})"
            )
    if previous is not None and previous != 0 and abs(value - previous) > abs(previous) / 2:
        way = "rise" if value > previous else "fall"
        found.append(
            f"{shown(value)} is a {way} of more than half on {previous_label}'s {shown(previous)}"
        )
    return found


@dataclass(frozen=True)
class State:
    """What a row says about a figure (Decimals compare by value: 74.9 == 74.90)."""

    value: Decimal
    numerator: int | None
    denominator: int | None
    note: str

    @staticmethod
    def of(observation: Observation | None) -> "State | None":
        if observation is None:
            return None
        return State(
            Decimal(observation.value).normalize(),
            observation.numerator,
            observation.denominator,
            observation.note,
        )


def entry_step(kpi: Kpi) -> int:
    """Months between a KPI's figures: 1, 3 (quarterly) or 12 (annual)."""
    return {Frequency.QUARTERLY: 3, Frequency.ANNUAL: 12}.get(Frequency(kpi.frequency), 1)


def as_typed(value: Decimal, decimals: int) -> str:
    """A stored value as the analyst would type it: 74.9, 258, 19.61."""
    return f"{value.quantize(Decimal(1).scaleb(-decimals)):f}"


class RowForm(forms.Form):
    """One KPI's row of the return."""

    value = forms.CharField(required=False, max_length=40)
    numerator = forms.IntegerField(required=False, min_value=0, max_value=2_000_000_000)
    denominator = forms.IntegerField(required=False, min_value=0, max_value=2_000_000_000)
    note = forms.CharField(required=False, max_length=2000)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    conflict = forms.BooleanField(required=False, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, label="I have checked this figure")
    resolution = forms.ChoiceField(
        required=False,
        widget=forms.RadioSelect,
        choices=[(KEEP_THEIRS, "Keep theirs"), (USE_MINE, "Use mine")],
    )

    def __init__(self, *args: Any, kpi: Kpi, month: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kpi = kpi
        where = f"KPI {kpi.ref}, {periods.month_label(month)}"
        self.where = where
        if not kpi.uses_fraction:
            del self.fields["numerator"]
            del self.fields["denominator"]
        labels = {
            "value": f"Value for {where} ({kpi.get_unit_display().lower()})",
            "numerator": f"Numerator for {where}",
            "denominator": f"Denominator for {where}",
            "note": f"Note on {where}",
        }
        for name, label in labels.items():
            if name in self.fields:
                self.fields[name].label = label
        for name in ("numerator", "denominator"):
            if name in self.fields:
                self.fields[name].error_messages.update(
                    {
                        "invalid": f"KPI {kpi.ref}: the {name} must be a whole number.",
                        "min_value": f"KPI {kpi.ref}: the {name} cannot be negative.",
                        "max_value": f"KPI {kpi.ref}: the {name} is too large.",
                    }
                )
        self.fields["value"].error_messages["max_length"] = (
            f"KPI {kpi.ref}: that is too long to be a figure."
        )
        self.fields["note"].error_messages["max_length"] = (
            f"KPI {kpi.ref}: keep the note under 2,000 characters."
        )
        self.fields["version"].error_messages["required"] = (
            f"KPI {kpi.ref}: the form is out of date; open the month again."
        )
        self.fields["resolution"].label = f"Which figure for {where} should stand?"
        self.fields["value"].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean_value(self) -> Decimal | None:
        text = self.cleaned_data.get("value") or ""
        if not text.strip():
            return None
        try:
            return parse_figure(text)
        except ValueError as error:
            raise ValidationError(f"KPI {self.kpi.ref}: {error}.") from None

    def wanted(self) -> State | None:
        """What the analyst entered; None for a row left blank."""
        data = self.cleaned_data
        value = data.get("value")
        numerator, denominator = data.get("numerator"), data.get("denominator")
        note = (data.get("note") or "").strip()
        if value is None:
            if numerator is not None or denominator is not None or note:
                self.add_error(
                    "value",
                    f"KPI {self.kpi.ref}: enter the value too, or clear the row.",
                )
            return None
        return State(value.normalize(), numerator, denominator, note)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason for these changes",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60, "aria-describedby": "reason-help"}),
        help_text="Kept in the history of every figure you change.",
    )


@dataclass
class Conflict:
    """A figure that another analyst changed after this analyst opened the return."""

    theirs: Observation
    mine: State
    changes: list[ObservationRevision]  # since the version this analyst saw, newest first

    @property
    def latest(self) -> ObservationRevision | None:
        return self.changes[0] if self.changes else None

    @property
    def theirs_formatted(self) -> str:
        return self.theirs.kpi.format(self.theirs.value)

    @property
    def mine_formatted(self) -> str:
        return self.theirs.kpi.format(self.mine.value)


@dataclass
class Row:
    kpi: Kpi
    form: RowForm
    current: Observation | None
    previous: Observation | None
    last_year: Observation | None
    recent: list[Decimal]
    warnings: list[str] = field(default_factory=list)
    conflict: Conflict | None = None

    @property
    def messages(self) -> list[str]:
        if not self.form.is_bound:
            return []
        return [str(message) for errors in self.form.errors.values() for message in errors]

    @property
    def anchor(self) -> str:
        """The id of the row's first input, for links from the summary of problems."""
        if self.conflict:
            return f"{self.form['resolution'].auto_id}_0"
        if self.warnings and not self.messages:
            return str(self.form["confirm"].auto_id)
        return str(self.form["value"].auto_id)

    @property
    def deciding(self) -> bool:
        """The analyst was shown a conflict on this row and is choosing which figure stands."""
        if not self.form.is_bound:
            return False
        flag = self.form.data.get(f"{self.form.prefix}-conflict")
        return self.conflict is not None or flag in ("on", "True", "true", "1")

    @property
    def messages_id(self) -> str:
        return f"kpi-{self.kpi.pk}-messages"

    @property
    def previous_elsewhere(self) -> bool:
        """The previous figure is not last month's (a quarterly or annual KPI)."""
        return self.previous is not None and entry_step(self.kpi) != 1


@dataclass
class Saved:
    new: list[Observation] = field(default_factory=list)
    changed: list[Observation] = field(default_factory=list)
    kept_theirs: list[Kpi] = field(default_factory=list)  # rows left as another analyst set


class MonthlyReturnSheet:
    """The return for one month: rows built from the database, bound to what was posted."""

    def __init__(self, *, month: dt.date, user: Any, data: Any = None) -> None:
        self.month = periods.month_start(month)
        self.user = user
        # A copy that can be changed: a conflict shows the row again at the new version.
        self.data = data.copy() if data is not None else None
        self.closure = ClosedMonth.objects.filter(month=self.month).first()
        self.can_edit = self.closure is None or ClosedMonth.may_amend(user)
        self.reason_form = ReasonForm(self.data if self.data is not None else None)
        self.problems: list[str] = []  # about the whole return, not one row
        self.rows = self._rows()
        self.saved = Saved()

    @property
    def label(self) -> str:
        return periods.month_label(self.month)

    @property
    def name(self) -> str:
        return periods.month_name(self.month)

    @property
    def previous_month(self) -> dt.date:
        return periods.add_months(self.month, -1)

    @property
    def last_year_month(self) -> dt.date:
        return periods.add_months(self.month, -12)

    @property
    def has_conflicts(self) -> bool:
        return any(row.conflict for row in self.rows)

    @property
    def has_warnings(self) -> bool:
        return any(row.warnings for row in self.rows)

    @property
    def has_errors(self) -> bool:
        return (
            bool(self.problems)
            or any(row.messages for row in self.rows)
            or (self.reason_form.is_bound and bool(self.reason_form.errors))
        )

    @property
    def uses_fraction(self) -> bool:
        return any(row.kpi.uses_fraction for row in self.rows)

    def _rows(self) -> list[Row]:
        kpis = list(Kpi.objects.active().due_in(self.month).select_related("section"))
        first = periods.add_months(self.month, -24)
        stored = {
            (o.kpi_id, o.month): o
            for o in Observation.objects.filter(kpi__in=kpis, month__range=(first, self.month))
        }
        rows = []
        for kpi in kpis:
            current = stored.get((kpi.pk, self.month))
            step = entry_step(kpi)
            recent_months = periods.months_between(
                periods.add_months(self.month, -RECENT_MONTHS), periods.add_months(self.month, -1)
            )
            recent = [
                Decimal(stored[(kpi.pk, m)].value) for m in recent_months if (kpi.pk, m) in stored
            ]
            prefix = f"kpi-{kpi.pk}"
            initial = {
                "value": as_typed(Decimal(current.value), kpi.decimals) if current else "",
                "numerator": current.numerator if current else None,
                "denominator": current.denominator if current else None,
                "note": current.note if current else "",
                "version": current.version if current else 0,
            }
            # A KPI the analyst's page did not show (added since) is left alone.
            bound = self.data is not None and f"{prefix}-version" in self.data
            form = RowForm(
                self.data if bound else None,
                prefix=prefix,
                initial=initial,
                kpi=kpi,
                month=self.month,
            )
            if not self.can_edit:
                for form_field in form.fields.values():
                    form_field.disabled = True
            rows.append(
                Row(
                    kpi=kpi,
                    form=form,
                    current=current,
                    previous=stored.get((kpi.pk, periods.add_months(self.month, -step))),
                    last_year=stored.get((kpi.pk, periods.add_months(self.month, -12))),
                    recent=recent,
                )
            )
        return rows

    def save(self) -> bool:
        """Check every row and save all changes in one transaction. False when nothing was
        saved: the rows then carry their errors, warnings to confirm and conflicts."""
        if not self.can_edit:
            self.problems.append(
                f"{self.label} is closed; changing its figures needs the permission to amend "
                "closed periods."
            )
            return False
        valid = [row.form.is_valid() for row in self.rows if row.form.is_bound]
        reason_ok = self.reason_form.is_valid()
        if not (all(valid) and reason_ok):
            return False
        reason = self.reason_form.cleaned_data["reason"].strip()
        try:
            with transaction.atomic():
                pending = self._check(reason)
                if pending is None:
                    transaction.set_rollback(True)
                    return False
                for observation in pending:
                    was_new = observation.pk is None
                    observation.save()
                    (self.saved.new if was_new else self.saved.changed).append(observation)
        except ValidationError as error:
            # Passed the checks, failed on saving: the rules changed under the return.
            self.saved = Saved()
            self.problems.extend(error.messages)
            return False
        except IntegrityError:
            self.saved = Saved()
            self.problems.append(
                "Another analyst saved figures for this month at the same moment, so nothing "
                "was saved. Save again to see what changed."
            )
            return False
        return True

    def _check(self, reason: str) -> list[Observation] | None:
        """The observations to save, or None when any row needs the analyst first."""
        kpis = [row.kpi for row in self.rows if row.form.is_bound]
        locked = {
            o.kpi_id: o
            for o in Observation.objects.select_for_update().filter(kpi__in=kpis, month=self.month)
        }
        pending: list[Observation] = []
        blocked = False
        needs_reason = False
        for row in self.rows:
            if not row.form.is_bound:
                continue
            form = row.form
            data = form.cleaned_data
            stored = locked.get(row.kpi.pk)
            if stored is not None:
                stored.kpi = row.kpi
            mine = form.wanted()
            if form.errors:
                blocked = True
                continue
            theirs = State.of(stored)
            if mine == theirs:
                continue
            seen = data["version"]
            now = stored.version if stored else 0
            if mine is None:
                if seen == 0:
                    continue  # never had a figure here; another analyst has since added one
                assert stored is not None
                form.add_error(
                    "value",
                    f"KPI {row.kpi.ref}: a figure cannot be removed here; it stays "
                    f"{stored.formatted}.",
                )
                blocked = True
                continue
            if seen != now:
                assert stored is not None
                if mine == _state_at(row.kpi, self.month, seen):
                    self.saved.kept_theirs.append(row.kpi)
                    continue  # the analyst left the row alone: the other change stands
                row.conflict = Conflict(
                    theirs=stored, mine=mine, changes=_changes_since(row.kpi, self.month, seen)
                )
                self._mark_conflict(row, now)
                blocked = True
                continue
            if data.get("conflict") and not data.get("resolution"):
                form.add_error(
                    "resolution",
                    f"KPI {row.kpi.ref}: choose whether to keep their figure or use yours.",
                )
                blocked = True
                continue
            if data.get("resolution") == KEEP_THEIRS:
                self.saved.kept_theirs.append(row.kpi)
                continue
            observation = stored or Observation(kpi=row.kpi, month=self.month, entered_by=self.user)
            observation.value = data["value"]
            observation.numerator = mine.numerator
            observation.denominator = mine.denominator
            observation.note = mine.note
            observation.changed_by = self.user
            observation.change_source = SOURCE
            observation.change_reason = reason or f"Monthly return for {self.label}"
            try:
                observation.full_clean(exclude=["kpi", "entered_by"], validate_constraints=False)
            except ValidationError as error:
                for key, messages in error.message_dict.items():
                    closed = [e for e in error.error_dict.get(key, []) if e.code == CLOSED_MONTH]
                    if closed:
                        needs_reason = True
                        continue
                    target = key if key in form.fields else None
                    for message in messages:
                        form.add_error(target, message)
                blocked = True
                continue
            if theirs is None or mine.value != theirs.value:
                previous = row.previous.value if row.previous else None
                previous_label = (
                    periods.month_label(row.previous.month) if row.previous else "the last month"
                )
                row.warnings = unusual(
                    mine.value,
                    previous=Decimal(previous) if previous is not None else None,
                    previous_label=previous_label,
                    recent=row.recent,
                    unit=row.kpi.unit,
                    decimals=row.kpi.decimals,
                )
                if row.warnings and not data.get("confirm"):
                    blocked = True
                    continue
            pending.append(observation)
        if self.closure is not None and (pending or needs_reason) and not reason:
            self.reason_form.add_error(
                "reason",
                f"{self.label} is closed ({self.closure.reason}): give a reason for changing "
                "its figures.",
            )
            blocked = True
        return None if blocked else pending

    def describe(self) -> None:
        """Tie each row's inputs to its messages for screen readers (aria-describedby) and
        mark inputs with errors as invalid."""
        for row in self.rows:
            if not (row.messages or row.warnings or row.deciding):
                continue
            if row.deciding and row.current is not None:
                typed = str(row.form.data.get(f"{row.form.prefix}-value", "")).strip()
                row.form.fields["resolution"].choices = [  # type: ignore[attr-defined]
                    (KEEP_THEIRS, f"Keep theirs: {row.current.formatted}"),
                    (USE_MINE, f"Use mine: {typed or 'blank'}"),
                ]
                row.form.fields["resolution"].required = True
            for name in ("value", "numerator", "denominator", "note"):
                if name in row.form.fields:
                    attrs = row.form.fields[name].widget.attrs
                    attrs["aria-describedby"] = row.messages_id
                    if row.form.is_bound and name in row.form.errors:
                        attrs["aria-invalid"] = "true"

    def _mark_conflict(self, row: Row, version: int) -> None:
        """Show the row again against the figure as it now stands, asking for a decision."""
        if self.data is not None and hasattr(self.data, "__setitem__"):
            self.data[f"{row.form.prefix}-version"] = str(version)
            self.data[f"{row.form.prefix}-conflict"] = "on"
            self.data.pop(f"{row.form.prefix}-resolution", None)


def _state_at(kpi: Kpi, month: dt.date, version: int) -> State | None:
    """The figure as it was at a version (from its history); None for version 0."""
    if version == 0:
        return None
    revision = (
        ObservationRevision.objects.filter(kpi=kpi, month=month, version=version)
        .exclude(action=RevisionAction.DELETED)
        .order_by("-id")
        .first()
    )
    if revision is None or revision.new_value is None:
        return None
    return State(
        Decimal(revision.new_value).normalize(),
        revision.new_numerator,
        revision.new_denominator,
        revision.new_note,
    )


def _changes_since(kpi: Kpi, month: dt.date, version: int) -> list[ObservationRevision]:
    return list(
        ObservationRevision.objects.filter(kpi=kpi, month=month, version__gt=version)
        .select_related("changed_by", "kpi")
        .order_by("-id")
    )


def entry_months(*, today: dt.date, earliest: dt.date | None) -> list[dt.date]:
    """The months a return can be opened for, newest first: from the current month back to
    the earliest figure (at least two years)."""
    this_month = periods.month_start(today)
    start = periods.add_months(this_month, -24)
    if earliest is not None and earliest < start:
        start = periods.month_start(earliest)
    return list(reversed(periods.months_between(start, this_month)))


def default_month(today: dt.date | None = None) -> dt.date:
    """The month whose return is due: the latest that has ended."""
    return periods.latest_complete_month(today or timezone.localdate())
