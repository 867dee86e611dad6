"""The one way figures are written: checked, kept in the history, never blanking what the
caller did not mean to change.

Every caller (the monthly return, the import, the admin, the management commands, the demo
loader) says what it wants as `Entry` values: a field an entry does not give is left as it
is. Behind `record_figures`, once for every caller:

- the figure's own checks: a month that has started and in which the KPI is due, a value
  its unit and decimals allow or a symbol (kpis.symbols), a numerator and denominator that
  fit it, a note and a stated status within bounds;
- the closed-month rule: a change in a month a published report closed needs the
  permission to amend closed periods and a reason;
- the version the caller saw: a figure changed by someone else meanwhile is refused, never
  silently overwritten;
- plausibility: an unusual value (outside the recent range, a change of more than half, a
  percentage that looks like a fraction of one) is a warning the caller must confirm;
- the history: one ObservationRevision per change, with who, when, where from and why.

A batch is checked in memory against the closed months and the stored figures, each read
once, and written with its history in bulk in one transaction, with the data version the
dashboards' caches are keyed to. Nothing is written while any entry has a problem.
"""

import datetime as dt
import enum
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.utils import timezone

from sct_portal import periods
from sct_portal.models import bump_data_version, control_characters

from . import symbols, units
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
from .units import Unit

LARGEST = units.LARGEST
LONGEST_NOTE = 2000
LONGEST_WORDS = 200
LARGEST_COUNT = 2_000_000_000  # numerators and denominators (a PositiveIntegerField)
RECENT_MONTHS = 12  # the window of the "recent range"
FEWEST_FOR_RANGE = 3  # fewer recent figures than this say nothing about a range
# A percentage at or under 1 where the KPI's recent figures are at least this many percent
# looks like a fraction of one typed for a percentage (0.4 for 40%).
FRACTION_LOOKALIKE_MEDIAN = Decimal(5)
WRITE_PERMISSIONS = ("kpis.add_observation", "kpis.change_observation")
DELETE_PERMISSION = "kpis.delete_observation"
BATCH = 500  # rows per bulk statement


class Source(models.TextChoices):
    """Where a change came from, as the history records it."""

    ADMIN = "admin", "Admin"
    MONTHLY_RETURN = "monthly return", "Monthly return"
    IMPORT = "import", "Import"
    COMMAND = "command", "Command line"
    DEMO = "demo data", "Demo data"


class Unchanged(enum.Enum):
    """An entry's field that the caller does not give: it stays as it is."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


@dataclass(frozen=True)
class State:
    """What a row holds. Decimals are normalised, so 74.9 and 74.90 are the same figure."""

    value: Decimal | None = None
    symbol: str = ""
    numerator: int | None = None
    denominator: int | None = None
    note: str = ""
    stated: Stated | None = None

    @staticmethod
    def of(row: Observation | None) -> "State | None":
        if row is None:
            return None
        stated = None
        if row.stated_rag or row.stated_words:
            stated = Stated(row.stated_rag, row.stated_words, row.stated_reason)
        return State(
            value=Decimal(row.value).normalize() if row.value is not None else None,
            symbol=row.symbol,
            numerator=row.numerator,
            denominator=row.denominator,
            note=row.note,
            stated=stated,
        )

    @property
    def figure(self) -> Decimal | str | None:
        return self.value if self.value is not None else (self.symbol or None)


@dataclass(frozen=True)
class Entry:
    """One wanted change to one KPI's period. `value` is a number, a symbol's code (see
    kpis.symbols.parse) or None (no figure: only with a stated status)."""

    kpi: Kpi
    month: dt.date
    value: Decimal | str | Unchanged | None = UNCHANGED
    numerator: int | Unchanged | None = UNCHANGED
    denominator: int | Unchanged | None = UNCHANGED
    note: str | Unchanged = UNCHANGED
    stated: Stated | Unchanged | None = UNCHANGED
    version: int | None = None  # the version the caller saw (0: none yet); None: not checked
    confirmed: bool = False  # the caller has seen and confirmed this entry's warnings
    delete: bool = False
    place: str = ""  # where it came from, for messages: "Sheet1!F7", "line 31, Jun-22"

    @property
    def where(self) -> str:
        """KPI 3, Sep-22"""
        return f"KPI {self.kpi.ref}, {periods.month_label(periods.month_start(self.month))}"


class Action(models.TextChoices):
    CREATED = "created", "New"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"
    UNCHANGED = "unchanged", "Unchanged"


class Code(models.TextChoices):
    """Why an entry cannot be written."""

    INVALID = "invalid", "Not a figure the KPI can take"
    CLOSED_PERMISSION = "closed-permission", "A closed month: needs the permission to amend"
    CLOSED_REASON = "closed-reason", "A closed month: needs a reason"
    CONFLICT = "conflict", "Changed by someone else since it was read"


@dataclass(frozen=True)
class Problem:
    index: int  # the entry's position in the batch
    entry: Entry
    field: str | None  # value, numerator, denominator, note, stated, month; None: the whole
    message: str  # a sentence naming the KPI and month
    code: Code = Code.INVALID

    def __str__(self) -> str:
        return f"{self.entry.place}: {self.message}" if self.entry.place else self.message


@dataclass(frozen=True)
class Change:
    """What recording an entry does (or would do)."""

    index: int
    entry: Entry
    action: Action
    old: State | None
    new: State | None
    stored: Observation | None  # the row as read, if there is one
    warnings: tuple[str, ...] = ()

    @property
    def kpi(self) -> Kpi:
        return self.entry.kpi

    @property
    def month(self) -> dt.date:
        return periods.month_start(self.entry.month)

    @property
    def version(self) -> int:
        """The stored figure's version the change starts from; 0 when there is none."""
        return self.stored.version if self.stored is not None else 0

    @property
    def old_formatted(self) -> str:
        return self.kpi.format_figure(self.old.figure) if self.old else ""

    @property
    def formatted(self) -> str:
        return self.kpi.format_figure(self.new.figure) if self.new else ""

    @property
    def month_label(self) -> str:
        return periods.month_label(self.month)


@dataclass
class Checked:
    """A batch, checked: one change per entry (in the entries' order) and the problems."""

    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    closed: dict[dt.date, ClosedMonth] = field(default_factory=dict)  # months it changes

    @property
    def writes(self) -> list[Change]:
        return [c for c in self.changes if c.action != Action.UNCHANGED]

    @property
    def unconfirmed(self) -> list[Change]:
        """Changes with warnings their entry has not confirmed."""
        return [c for c in self.changes if c.warnings and not c.entry.confirmed]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unconfirmed

    def problems_of(self, index: int) -> list[Problem]:
        return [p for p in self.problems if p.index == index]


class Refused(Exception):
    """Nothing was written: the batch has problems or unconfirmed warnings."""

    def __init__(self, checked: Checked) -> None:
        self.checked = checked
        reasons = [str(p) for p in checked.problems] or [
            f"{c.entry.where}: {w}" for c in checked.unconfirmed for w in c.warnings
        ]
        super().__init__("; ".join(reasons))


# ---------------------------------------------------------------------------------------
# Pure checks


def looks_like_a_fraction(value: Decimal, unit: str, recent: Sequence[Decimal]) -> bool:
    """A percentage of at most 1 where the KPI's figures are tens of percent (or there are
    none yet): 0.4 typed for 40%."""
    if unit != Unit.PERCENT or not (0 < value <= 1):
        return False
    return not recent or statistics.median(recent) >= FRACTION_LOOKALIKE_MEDIAN


def fraction_hint(value: Decimal) -> str:
    """did you mean 40%?"""
    return f"did you mean {units.plain(value * 100)}%?"


def unusual(
    value: Decimal,
    *,
    previous: Decimal | None,
    previous_label: str,
    recent: Sequence[Decimal],
    unit: str,
    decimals: int,
) -> list[str]:
    """Why a value deserves a second look, in words: a percentage that looks like a fraction
    of one, a value outside the range of the recent figures, or a change of more than half
    on the previous figure."""

    def shown(number: Decimal) -> str:
        return units.format_value(number, unit, decimals)

    found = []
    if looks_like_a_fraction(value, unit, recent):
        found.append(
            f"{units.plain(value)}% looks like a fraction of one — {fraction_hint(value)} "
            f"Type {units.plain(value * 100)} for {units.plain(value * 100)}%"
        )
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


def figure_problems(
    kpi: Kpi, month: dt.date, new: State, *, this_month: dt.date
) -> list[tuple[str | None, str]]:
    """What is wrong with a figure for a KPI and month, as (field, words); no database."""
    found: list[tuple[str | None, str]] = []
    if month > this_month:
        found.append(("month", "the month has not started yet, so it cannot have a figure"))
    if not kpi.is_due_in(month):
        when = (
            "quarter ends (Jun, Sep, Dec, Mar)" if kpi.frequency == Frequency.QUARTERLY else "March"
        )
        found.append(("month", f"a {kpi.frequency} KPI takes figures only at {when}"))
    if new.value is not None:
        found.extend(("value", text) for text in _value_problems(kpi, new.value))
    elif new.symbol:
        if not symbols.is_symbol(new.symbol):
            found.append(("value", f'"{new.symbol}" is not a symbol ({symbols.accepted()})'))
        if new.numerator is not None or new.denominator is not None:
            found.append(
                (
                    "numerator",
                    f"a symbol ({new.symbol}) has no numerator or denominator; clear them",
                )
            )
    elif new.stated is None:
        found.append(
            ("value", f"give a number, a symbol ({symbols.accepted()}) or a stated status")
        )
    found.extend(_fraction_problems(kpi, new))
    if len(new.note) > LONGEST_NOTE:
        found.append(("note", f"keep the note under {LONGEST_NOTE:,} characters"))
    if bad := control_characters(new.note):
        found.append(("note", f"the note holds control characters ({', '.join(bad)}); remove them"))
    if new.stated is not None:
        stated = new.stated
        if stated.rag and stated.rag not in StatedRag.values:
            found.append(("stated", f'"{stated.rag}" is not a RAG rating (green, amber, red)'))
        if len(stated.words) > LONGEST_WORDS:
            found.append(("stated", f"keep the stated status under {LONGEST_WORDS} characters"))
        if not stated.reason.strip():
            found.append(("stated", "say why the status is stated, and on whose authority"))
        if bad := control_characters(stated.words + stated.reason):
            found.append(
                ("stated", f"the stated status holds control characters ({', '.join(bad)})")
            )
    return found


def _value_problems(kpi: Kpi, value: Decimal) -> list[str]:
    shown = units.plain(value) if value.is_finite() else str(value)
    if not value.is_finite():
        return [f'"{shown}" is not a number']
    if abs(value) >= LARGEST:
        return [f"{shown} is too large to be a KPI figure"]
    found = units.problems(value, kpi.unit, kpi.decimals)
    if found and looks_like_a_fraction(value, kpi.unit, ()):
        found = [f"{found[0]} — {fraction_hint(value)}", *found[1:]]
    return found


def _fraction_problems(kpi: Kpi, new: State) -> list[tuple[str | None, str]]:
    numerator, denominator = new.numerator, new.denominator
    if numerator is None and denominator is None:
        return []
    if numerator is None or denominator is None:
        return [("denominator", "give both numerator and denominator, or neither")]
    for name, count in (("numerator", numerator), ("denominator", denominator)):
        if count < 0:
            return [(name, f"the {name} cannot be negative")]
        if count > LARGEST_COUNT:
            return [(name, f"the {name} is too large")]
    if denominator == 0:
        return [("denominator", "the denominator cannot be 0")]
    if kpi.unit != Unit.PERCENT or new.value is None:
        return []
    if numerator > denominator:
        return [("numerator", "the numerator cannot exceed the denominator")]
    expected = Decimal(100) * numerator / denominator
    half_step = Decimal(1).scaleb(-kpi.decimals) / 2
    if abs(expected - new.value) > half_step:
        shown = units.format_value(expected, Unit.PERCENT, kpi.decimals)
        return [("value", f"{numerator} of {denominator} is {shown}, not {kpi.format(new.value)}")]
    return []


def resolve(entry: Entry, old: State | None) -> State | None:
    """The state an entry asks for: the stored one with the entry's given fields laid over it;
    None for a deletion."""
    if entry.delete:
        return None
    base = old or State()
    value, symbol = base.value, base.symbol
    if not isinstance(entry.value, Unchanged):
        if isinstance(entry.value, Decimal):
            value, symbol = entry.value.normalize() if entry.value.is_finite() else entry.value, ""
        elif isinstance(entry.value, str):
            value, symbol = None, entry.value
        else:
            value, symbol = None, ""
    return State(
        value=value,
        symbol=symbol,
        numerator=base.numerator if isinstance(entry.numerator, Unchanged) else entry.numerator,
        denominator=(
            base.denominator if isinstance(entry.denominator, Unchanged) else entry.denominator
        ),
        note=base.note if isinstance(entry.note, Unchanged) else entry.note.strip(),
        stated=base.stated if isinstance(entry.stated, Unchanged) else entry.stated,
    )


# ---------------------------------------------------------------------------------------
# Checking a batch against the database


def _require(by: Any, *permissions: str) -> None:
    if by is None or not getattr(by, "pk", None) or not by.is_authenticated:
        raise PermissionDenied("A figure is written by someone: say who (a signed-in user).")
    if not by.has_perms(permissions):
        raise PermissionDenied(f"{by.get_username()} may not change figures.")


def check(
    entries: Sequence[Entry],
    *,
    by: AbstractBaseUser | Any,
    reason: str = "",
    today: dt.date | None = None,
    lock: bool = False,
) -> Checked:
    """What recording the entries would do, and what stops it (three queries: the stored
    figures of the KPIs around the months, the closed months, nothing else). `lock` takes
    the stored rows FOR UPDATE (inside a transaction)."""
    checked = Checked()
    if not entries:
        return checked
    this_month = periods.month_start(today or timezone.localdate())
    months = [periods.month_start(e.month) for e in entries]
    kpi_ids = {e.kpi.pk for e in entries}
    first = periods.add_months(min(months), -RECENT_MONTHS)
    rows = Observation.objects.filter(kpi_id__in=kpi_ids, month__range=(first, max(months)))
    if lock:
        rows = rows.select_for_update()
    stored = {(o.kpi_id, o.month): o for o in rows.order_by()}
    closures = {c.month: c for c in ClosedMonth.objects.filter(month__in=set(months))}
    may_amend = ClosedMonth.may_amend(by)
    # The figures as they will stand: the stored ones with the batch's numbers laid over.
    standing: dict[tuple[int, dt.date], Decimal | None] = {
        key: Decimal(o.value) if o.value is not None else None for key, o in stored.items()
    }
    keys = [(entry.kpi.pk, month) for entry, month in zip(entries, months, strict=True)]
    resolved: list[tuple[State | None, State | None]] = []
    for entry, key in zip(entries, keys, strict=True):
        old = State.of(stored.get(key))
        new = resolve(entry, old)
        resolved.append((old, new))
        standing[key] = new.value if new is not None else None
    earlier = _Earlier()
    for index, (entry, month) in enumerate(zip(entries, months, strict=True)):
        old, new = resolved[index]
        row = stored.get(keys[index])
        if new is None:
            action = Action.DELETED if old is not None else Action.UNCHANGED
        elif old is None:
            action = Action.UNCHANGED if new == State() else Action.CREATED
        else:
            action = Action.UNCHANGED if new == old else Action.CHANGED
        warnings: tuple[str, ...] = ()
        problems: list[tuple[str | None, str, Code]] = []
        if action != Action.UNCHANGED:
            if new is not None:
                problems.extend(
                    (name, text, Code.INVALID)
                    for name, text in figure_problems(entry.kpi, month, new, this_month=this_month)
                )
            seen = entry.version
            if seen is not None and seen != (row.version if row else 0):
                problems.append((None, _conflict_words(row), Code.CONFLICT))
            if (closure := closures.get(month)) is not None:
                checked.closed[month] = closure
                if not may_amend:
                    problems.append(
                        (
                            None,
                            f"{periods.month_label(month)} is closed ({closure.reason}); changing "
                            "its figures needs the permission to amend closed periods",
                            Code.CLOSED_PERMISSION,
                        )
                    )
                elif not reason.strip():
                    problems.append(
                        (
                            None,
                            f"{periods.month_label(month)} is closed ({closure.reason}); give a "
                            "reason for changing a figure in a closed month",
                            Code.CLOSED_REASON,
                        )
                    )
            if (
                new is not None
                and new.value is not None
                and (old is None or old.value != new.value)
            ):
                warnings = tuple(_warnings(entry, month, new.value, standing, earlier))
        for name, text, code in problems:
            checked.problems.append(Problem(index, entry, name, f"{entry.where}: {text}.", code))
        checked.changes.append(Change(index, entry, action, old, new, row, warnings))
    return checked


def _conflict_words(row: Observation | None) -> str:
    if row is None:
        return "the figure was deleted by someone else after you read it"
    return (
        f"someone else changed it after you read it (it is now {row.formatted}, version "
        f"{row.version})"
    )


class _Earlier(dict[dt.date, list[dt.date]]):
    """The RECENT_MONTHS months before each month, oldest first, worked out once per month
    of a batch (a batch of 24,000 figures has 120 months)."""

    def __missing__(self, month: dt.date) -> list[dt.date]:
        found = [periods.add_months(month, -offset) for offset in range(RECENT_MONTHS, 0, -1)]
        self[month] = found
        return found


STEP_MONTHS = {Frequency.QUARTERLY: 3, Frequency.ANNUAL: 12}  # between a KPI's periods


def _warnings(
    entry: Entry,
    month: dt.date,
    value: Decimal,
    standing: dict[tuple[int, dt.date], Decimal | None],
    earlier: _Earlier,
) -> list[str]:
    kpi = entry.kpi
    kpi_id = kpi.pk
    months_before = earlier[month]
    recent = [
        figure
        for before_month in months_before
        if (figure := standing.get((kpi_id, before_month))) is not None
    ]
    step = STEP_MONTHS.get(kpi.frequency, 1)  # type: ignore[call-overload]
    before = months_before[-step]
    return unusual(
        value,
        previous=standing.get((kpi.pk, before)),
        previous_label=periods.month_label(before),
        recent=recent,
        unit=kpi.unit,
        decimals=kpi.decimals,
    )


# ---------------------------------------------------------------------------------------
# Writing


@dataclass(frozen=True)
class Recorded:
    """What a batch wrote: its changes (unchanged entries included)."""

    changes: list[Change]

    @property
    def created(self) -> list[Change]:
        return [c for c in self.changes if c.action == Action.CREATED]

    @property
    def changed(self) -> list[Change]:
        return [c for c in self.changes if c.action == Action.CHANGED]

    @property
    def deleted(self) -> list[Change]:
        return [c for c in self.changes if c.action == Action.DELETED]

    @property
    def written(self) -> list[Change]:
        return [c for c in self.changes if c.action != Action.UNCHANGED]


def record_figures(
    *,
    entries: Sequence[Entry],
    by: AbstractBaseUser | Any,
    source: Source,
    reason: str = "",
    today: dt.date | None = None,
) -> Recorded:
    """Check the entries and write them all, with their history, in one transaction; or
    write nothing and raise Refused (problems, or warnings not confirmed)."""
    _require(by, *WRITE_PERMISSIONS)
    if any(entry.delete for entry in entries):
        _require(by, DELETE_PERMISSION)
    source = Source(source)
    with transaction.atomic():
        checked = check(entries, by=by, reason=reason, today=today, lock=True)
        if not checked.ok:
            raise Refused(checked)
        _write(
            checked.writes, closed=set(checked.closed), by=by, source=source, reason=reason.strip()
        )
    return Recorded(checked.changes)


def record_figure(
    *,
    kpi: Kpi,
    month: dt.date,
    value: Decimal | str | Unchanged | None = UNCHANGED,
    numerator: int | Unchanged | None = UNCHANGED,
    denominator: int | Unchanged | None = UNCHANGED,
    note: str | Unchanged = UNCHANGED,
    stated: Stated | Unchanged | None = UNCHANGED,
    by: AbstractBaseUser | Any,
    source: Source,
    reason: str = "",
    version: int | None = None,
    confirmed: bool = False,
) -> Change:
    """Record one KPI's figure for a month; fields not given stay as they are."""
    entry = Entry(
        kpi=kpi,
        month=month,
        value=value,
        numerator=numerator,
        denominator=denominator,
        note=note,
        stated=stated,
        version=version,
        confirmed=confirmed,
    )
    return record_figures(entries=[entry], by=by, source=source, reason=reason).changes[0]


def delete_figure(
    *,
    kpi: Kpi,
    month: dt.date,
    by: AbstractBaseUser | Any,
    source: Source,
    reason: str = "",
    version: int | None = None,
) -> Change:
    """Delete a KPI's figure for a month, keeping it in the history."""
    entry = Entry(kpi=kpi, month=month, delete=True, version=version)
    return record_figures(entries=[entry], by=by, source=source, reason=reason).changes[0]


STATE_FIELDS = [
    "value",
    "symbol",
    "numerator",
    "denominator",
    "note",
    "stated_rag",
    "stated_words",
    "stated_reason",
    "stated_by",
    "stated_at",
    "version",
    "updated_at",
]


def _apply(row: Observation, new: State, old: State | None, *, by: Any, now: dt.datetime) -> None:
    row.value = new.value
    row.symbol = new.symbol
    row.numerator = new.numerator
    row.denominator = new.denominator
    row.note = new.note
    stated = new.stated or Stated()
    if old is None or old.stated != new.stated:
        row.stated_by = by if new.stated else None
        row.stated_at = now if new.stated else None
    row.stated_rag, row.stated_words, row.stated_reason = stated.rag, stated.words, stated.reason
    row.updated_at = now


def _write(
    changes: Sequence[Change], *, closed: set[dt.date], by: Any, source: Source, reason: str
) -> None:
    if not changes:
        return
    now = timezone.now()
    created: list[dict[str, Any]] = []
    updated: list[Observation] = []
    deleted: list[int] = []
    history: list[dict[str, Any]] = []
    for change in changes:
        old, new = change.old, change.new
        row = change.stored
        if change.action == Action.CREATED:
            assert new is not None
            created.append(_new_row(change, new, by=by, now=now))
            after = 1
        elif change.action == Action.CHANGED:
            assert row is not None
            assert new is not None
            row.version += 1
            _apply(row, new, old, by=by, now=now)
            updated.append(row)
            after = row.version
        else:
            assert row is not None
            deleted.append(row.pk)
            after = row.version + 1
        history.append(
            _revision(
                change,
                version=after,
                closed=change.month in closed,
                by=by,
                source=source,
                reason=reason,
                now=now,
            )
        )
    _insert(Observation, created)
    _update(Observation, updated, STATE_FIELDS)
    if deleted:
        Observation._base_manager.filter(pk__in=deleted).delete()
    _insert(ObservationRevision, history)
    bump_data_version()


# Writing in bulk. Django's bulk_create builds a model instance per row and compiles every
# value of it into the statement: at 24,000 figures and their history that was most of an
# import's time (bench/imports.py). Here each row is a dict of column values, adapted for the
# database once per column kind as the field would (get_db_prep_save), and sent with
# executemany; the database's own constraints (unique figure per KPI and month, the checks)
# hold as before. Only this module writes figures, so only it writes them this way.


def _adapter(model_field: models.Field[Any, Any]) -> Any:
    """How a column's value goes to the database, as its field's get_db_prep_save would
    for the values this module writes (Decimals, dates, aware datetimes, ints, texts)."""
    operations = connection.ops
    kind = model_field.get_internal_type()
    if kind == "DecimalField":
        digits, places = model_field.max_digits, model_field.decimal_places  # type: ignore[attr-defined]
        return lambda value: (
            None if value is None else operations.adapt_decimalfield_value(value, digits, places)
        )
    if kind == "DateField":
        return operations.adapt_datefield_value
    if kind == "DateTimeField":
        return operations.adapt_datetimefield_value
    return None


def _columns(
    model: type[models.Model], names: Sequence[str] | None = None
) -> list[tuple[str, str, Any]]:
    """(attribute, column, adapter) of each column a row gives, the primary key left out;
    only the fields named, if `names` is given."""
    return [
        (field.attname, str(field.column), _adapter(field))
        for field in model._meta.concrete_fields
        if not field.primary_key and (names is None or field.name in names)
    ]


def _prepared(row: dict[str, Any], columns: list[tuple[str, str, Any]]) -> tuple[Any, ...]:
    return tuple(adapt(row[name]) if adapt is not None else row[name] for name, _, adapt in columns)


def _insert(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """INSERT rows, each a dict with a value for every column but the primary key."""
    if not rows:
        return
    columns = _columns(model)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column) for _, column, _ in columns)
    marks = ", ".join(["%s"] * len(columns))
    # Names from the model's own metadata, quoted; every value is a parameter.
    statement = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH * 10):
            cursor.executemany(
                statement, [_prepared(row, columns) for row in rows[start : start + BATCH * 10]]
            )


def _update(model: type[models.Model], rows: Sequence[models.Model], names: list[str]) -> None:
    """UPDATE the given fields of stored rows, by primary key."""
    if not rows:
        return
    columns = _columns(model, names)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    settings = ", ".join(f"{quote(column)} = %s" for _, column, _ in columns)
    key = quote(str(model._meta.pk.column))
    # Names from the model's own metadata, quoted; every value is a parameter.
    statement = f"UPDATE {table} SET {settings} WHERE {key} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(
            statement,
            [(*_prepared(vars(row), columns), row.pk) for row in rows],
        )


def _new_row(change: Change, new: State, *, by: Any, now: dt.datetime) -> dict[str, Any]:
    stated = new.stated or Stated()
    return {
        "kpi_id": change.kpi.pk,
        "month": change.month,
        "value": new.value,
        "symbol": new.symbol,
        "numerator": new.numerator,
        "denominator": new.denominator,
        "note": new.note,
        "stated_rag": stated.rag,
        "stated_words": stated.words,
        "stated_reason": stated.reason,
        "stated_by_id": by.pk if new.stated else None,
        "stated_at": now if new.stated else None,
        "entered_by_id": by.pk,
        "entered_at": now,
        "updated_at": now,
        "version": 1,
    }


def _stated_text(state: State | None) -> str:
    return state.stated.text if state is not None and state.stated is not None else ""


def _revision(
    change: Change,
    *,
    version: int,
    closed: bool,
    by: Any,
    source: Source,
    reason: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """An ObservationRevision row, as its column values."""
    old, new = change.old, change.new
    return {
        "kpi_id": change.kpi.pk,
        "month": change.month,
        "action": RevisionAction(change.action.value).value,
        "old_value": old.value if old else None,
        "new_value": new.value if new else None,
        "old_symbol": old.symbol if old else "",
        "new_symbol": new.symbol if new else "",
        "old_numerator": old.numerator if old else None,
        "new_numerator": new.numerator if new else None,
        "old_denominator": old.denominator if old else None,
        "new_denominator": new.denominator if new else None,
        "old_note": old.note if old else "",
        "new_note": new.note if new else "",
        "old_stated": _stated_text(old),
        "new_stated": _stated_text(new),
        "version": version,
        "changed_by_id": by.pk,
        "changed_by_name": by.get_username(),
        "changed_at": now,
        "source": source.value,
        "reason": reason,
        "closed_period": closed,
    }


__all__ = [
    "UNCHANGED",
    "Action",
    "Change",
    "Checked",
    "Code",
    "Entry",
    "Problem",
    "Recorded",
    "Refused",
    "Source",
    "State",
    "Stated",
    "check",
    "delete_figure",
    "record_figure",
    "record_figures",
]
