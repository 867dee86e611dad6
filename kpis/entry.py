"""The monthly return: one form with every figure due in a month.

Each row becomes an entry for the one write path (kpis.figures), which checks it as every
figure is checked — its unit, the closed month, the version the analyst saw, plausibility —
with the message naming the KPI; unusual values are warnings the analyst confirms; the whole
return is saved in one transaction. A field a row does not show (the numerator and
denominator of a KPI that does not record them) is left as it is. If another analyst changed
a figure meanwhile, nothing is saved, and the analyst decides per figure whether to keep the
other analyst's value or use their own.
"""

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from sct_portal import periods

from . import figures
from .figures import UNCHANGED, Code, Entry, Source, State
from .imports import parse_value
from .models import (
    ClosedMonth,
    Frequency,
    Kpi,
    Observation,
    ObservationRevision,
    RevisionAction,
    StatedRag,
)
from .rag import Stated

SOURCE = Source.MONTHLY_RETURN
RECENT_MONTHS = figures.RECENT_MONTHS
ENTRY_PERMISSIONS = figures.WRITE_PERMISSIONS
KEEP_THEIRS, USE_MINE = "theirs", "mine"
unusual = figures.unusual  # the return's plausibility checks are the write path's


def entry_step(kpi: Kpi) -> int:
    """Months between a KPI's figures: 1, 3 (quarterly) or 12 (annual)."""
    return {Frequency.QUARTERLY: 3, Frequency.ANNUAL: 12}.get(Frequency(kpi.frequency), 1)


def as_typed(value: Decimal, decimals: int) -> str:
    """A stored value as the analyst would type it: 74.9, 258, 19.61."""
    return f"{value.quantize(Decimal(1).scaleb(-decimals)):f}"


def as_typed_figure(row: Observation | None, decimals: int) -> str:
    """A stored figure as typed: the number, or the symbol ("c"); "" for none."""
    if row is None:
        return ""
    if row.value is not None:
        return as_typed(Decimal(row.value), decimals)
    return row.symbol


class RowForm(forms.Form):
    """One KPI's row of the return."""

    value = forms.CharField(required=False, max_length=40)
    numerator = forms.IntegerField(required=False, min_value=0, max_value=2_000_000_000)
    denominator = forms.IntegerField(required=False, min_value=0, max_value=2_000_000_000)
    note = forms.CharField(required=False, max_length=2000)
    # The organisation's own status for the period, shown as stated (never as derived RAG).
    stated_rag = forms.ChoiceField(
        required=False, choices=[("", "No stated RAG"), *StatedRag.choices]
    )
    stated_words = forms.CharField(required=False, max_length=figures.LONGEST_WORDS)
    stated_reason = forms.CharField(required=False, max_length=2000)
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
            "stated_rag": f"Stated RAG for {where}",
            "stated_words": f"Stated status for {where}, in the organisation's words",
            "stated_reason": f"Who states it and why, for {where}",
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
        self.fields["stated_words"].error_messages["max_length"] = (
            f"KPI {kpi.ref}: keep the stated status under {figures.LONGEST_WORDS} characters."
        )
        self.fields["stated_reason"].error_messages["max_length"] = (
            f"KPI {kpi.ref}: keep who states it and why under 2,000 characters."
        )
        self.fields["version"].error_messages["required"] = (
            f"KPI {kpi.ref}: the form is out of date; open the month again."
        )
        self.fields["resolution"].label = f"Which figure for {where} should stand?"
        self.fields["value"].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean_value(self) -> Decimal | str | None:
        """A number, or a symbol's code (c, x, n/a, <5…); None for a blank."""
        text = self.cleaned_data.get("value") or ""
        if not text.strip():
            return None
        try:
            return parse_value(text)
        except ValueError as error:
            raise ValidationError(f"KPI {self.kpi.ref}: {error}.") from None

    def stated(self) -> Stated | None:
        """The stated status typed on the row (its RAG and/or words, and why); None when the
        row states none."""
        data = self.cleaned_data
        rag = data.get("stated_rag") or ""
        words = (data.get("stated_words") or "").strip()
        reason = (data.get("stated_reason") or "").strip()
        if not (rag or words):
            if reason:
                self.add_error(
                    "stated_words",
                    f"KPI {self.kpi.ref}: say what the stated status is (a RAG or words), "
                    "or clear who states it and why.",
                )
            return None
        return Stated(rag=rag, words=words, reason=reason)

    def entry(self, *, month: dt.date, version: int, confirmed: bool) -> Entry | None:
        """What the analyst asks for, for the write path; None for a row left blank. Fields
        the row does not show stay as they are. A row may state a status with no figure."""
        data = self.cleaned_data
        value = data.get("value")
        note = (data.get("note") or "").strip()
        fraction = "numerator" in self.fields
        numerator = data.get("numerator") if fraction else None
        denominator = data.get("denominator") if fraction else None
        stated = self.stated()
        had_stated = bool(self.initial.get("stated_rag") or self.initial.get("stated_words"))
        if value is None:
            if numerator is not None or denominator is not None:
                self.add_error(
                    "value", f"KPI {self.kpi.ref}: enter the value too, or clear the row."
                )
                return None
            if stated is None and not had_stated:
                if note:
                    self.add_error(
                        "value", f"KPI {self.kpi.ref}: enter the value too, or clear the row."
                    )
                return None
        return Entry(
            kpi=self.kpi,
            month=month,
            value=value,
            numerator=numerator if fraction else UNCHANGED,
            denominator=denominator if fraction else UNCHANGED,
            note=note,
            stated=stated,
            version=version,
            confirmed=confirmed,
        )


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
        return self.theirs.formatted

    @property
    def mine_formatted(self) -> str:
        return self.theirs.kpi.format_figure(self.mine.figure)


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
        first = periods.add_months(self.month, -max(RECENT_MONTHS, 12))
        stored = {
            (o.kpi_id, o.month): o
            for o in Observation.objects.filter(kpi__in=kpis, month__range=(first, self.month))
        }
        recent_months = periods.months_between(first, periods.add_months(self.month, -1))
        rows = []
        for kpi in kpis:
            current = stored.get((kpi.pk, self.month))
            step = entry_step(kpi)
            recent = [
                Decimal(value)
                for m in recent_months
                if (o := stored.get((kpi.pk, m))) is not None and (value := o.value) is not None
            ]
            prefix = f"kpi-{kpi.pk}"
            initial = {
                "value": as_typed_figure(current, kpi.decimals),
                "numerator": current.numerator if current else None,
                "denominator": current.denominator if current else None,
                "note": current.note if current else "",
                "stated_rag": current.stated_rag if current else "",
                "stated_words": current.stated_words if current else "",
                "stated_reason": current.stated_reason if current else "",
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
        saved: the rows then carry their errors, warnings to confirm and conflicts — all of
        them at once, whichever rows have them."""
        if not self.can_edit:
            self.problems.append(
                f"{self.label} is closed; changing its figures needs the permission to amend "
                "closed periods."
            )
            return False
        bound = [row for row in self.rows if row.form.is_bound]
        for row in bound:
            row.form.is_valid()
        self.reason_form.is_valid()
        reason = (self.reason_form.cleaned_data.get("reason") or "").strip()
        entries = self._entries()
        checked = figures.check([e for _, e in entries], by=self.user, reason=reason)
        blocked = self._show(entries, checked) or self.has_errors
        if blocked or not any(c.action != figures.Action.UNCHANGED for c in checked.changes):
            return not blocked
        try:
            recorded = figures.record_figures(
                entries=[e for _, e in entries],
                by=self.user,
                source=SOURCE,
                reason=reason or f"Monthly return for {self.label}",
            )
        except figures.Refused as refused:
            # Passed the checks, failed on saving: someone changed a figure or the rules
            # meanwhile. Nothing was written; show why.
            self._show(entries, refused.checked)
            return False
        except (ValidationError, IntegrityError):
            self.problems.append(
                "Another analyst saved figures for this month at the same moment, so nothing "
                "was saved. Save again to see what changed."
            )
            return False
        by_kpi = {row.kpi.pk: row for row in self.rows}
        for change in recorded.written:
            row = by_kpi[change.kpi.pk]
            observation = row.current or Observation(kpi=change.kpi, month=self.month)
            target = (
                self.saved.new if change.action == figures.Action.CREATED else self.saved.changed
            )
            target.append(observation)
        return True

    def _entries(self) -> list[tuple[Row, Entry]]:
        """Each bound, valid row's entry for the write path, settling conflicts the analyst
        has decided."""
        found = []
        for row in self.rows:
            form = row.form
            if not form.is_bound or form.errors:
                continue
            data = form.cleaned_data
            seen = data["version"]
            entry = form.entry(month=self.month, version=seen, confirmed=bool(data.get("confirm")))
            if form.errors:
                continue
            stored = row.current
            now = stored.version if stored else 0
            blank = entry is None or entry.value is None
            if blank and stored is not None and seen != 0 and stored.has_figure:
                form.add_error(
                    "value",
                    f"KPI {row.kpi.ref}: a figure cannot be removed here; it stays "
                    f"{stored.formatted}.",
                )
                continue
            if entry is None:
                continue
            if data.get("conflict") and seen == now:
                if not data.get("resolution"):
                    form.add_error(
                        "resolution",
                        f"KPI {row.kpi.ref}: choose whether to keep their figure or use yours.",
                    )
                    continue
                if data["resolution"] == KEEP_THEIRS:
                    self.saved.kept_theirs.append(row.kpi)
                    continue
            elif seen != now and stored is not None:
                mine = figures.resolve(entry, State.of(stored))
                # The history keeps a stated status only as words: compare the figure,
                # fraction and note.
                if mine is not None and replace(mine, stated=None) == _state_at(
                    row.kpi, self.month, seen
                ):
                    self.saved.kept_theirs.append(row.kpi)
                    continue  # the analyst left the row alone: the other change stands
            found.append((row, entry))
        return found

    def _show(self, entries: list[tuple[Row, Entry]], checked: figures.Checked) -> bool:
        """Put the write path's problems and warnings on the rows; True when any blocks."""
        blocked = False
        needs_reason = False
        for (row, entry), change in zip(entries, checked.changes, strict=True):
            form = row.form
            for problem in checked.problems_of(change.index):
                blocked = True
                if problem.code == Code.CONFLICT and change.stored is not None:
                    mine = figures.resolve(entry, State.of(change.stored))
                    assert mine is not None
                    row.conflict = Conflict(
                        theirs=change.stored,
                        mine=mine,
                        changes=_changes_since(row.kpi, self.month, entry.version or 0),
                    )
                    self._mark_conflict(row, change.stored.version)
                elif problem.code == Code.CLOSED_REASON:
                    needs_reason = True
                elif problem.code == Code.CLOSED_PERMISSION:
                    if problem.message not in self.problems:
                        self.problems.append(problem.message)
                else:
                    name = problem.field
                    if name == "stated":  # the reason is asked for in words with "why"
                        name = "stated_reason" if "why" in problem.message else "stated_words"
                    form.add_error(name if name in form.fields else None, problem.message)
            if change.warnings and not entry.confirmed:
                row.warnings = list(change.warnings)
                blocked = True
        if needs_reason and self.closure is not None:
            self.reason_form.add_error(
                "reason",
                f"{self.label} is closed ({self.closure.reason}): give a reason for changing "
                "its figures.",
            )
        return blocked

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
            for name in (
                "value",
                "numerator",
                "denominator",
                "note",
                "stated_rag",
                "stated_words",
                "stated_reason",
            ):
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
    """The figure, fraction and note as they were at a version (from its history); None for
    version 0."""
    if version == 0:
        return None
    revision = (
        ObservationRevision.objects.filter(kpi=kpi, month=month, version=version)
        .exclude(action=RevisionAction.DELETED)
        .order_by("-id")
        .first()
    )
    if revision is None:
        return None
    return State(
        value=Decimal(revision.new_value).normalize() if revision.new_value is not None else None,
        symbol=revision.new_symbol,
        numerator=revision.new_numerator,
        denominator=revision.new_denominator,
        note=revision.new_note,
    )


def _changes_since(kpi: Kpi, month: dt.date, version: int) -> list[ObservationRevision]:
    return list(
        ObservationRevision.objects.filter(kpi=kpi, month=month, version__gt=version)
        .select_related("changed_by", "kpi")
        .order_by("-id")
    )


EARLIEST_LISTED = 10  # years back the month list reaches without an earlier figure


def entry_months(*, today: dt.date, earliest: dt.date | None) -> list[dt.date]:
    """The months listed for opening a return, newest first: from the current month back to
    the earliest figure, and at least ten years (any past month can be opened by address)."""
    this_month = periods.month_start(today)
    start = periods.add_months(this_month, -12 * EARLIEST_LISTED)
    if earliest is not None and earliest < start:
        start = periods.month_start(earliest)
    return list(reversed(periods.months_between(start, this_month)))


def default_month(today: dt.date | None = None) -> dt.date:
    """The month whose return is due: the latest that has ended."""
    return periods.latest_complete_month(today or timezone.localdate())
