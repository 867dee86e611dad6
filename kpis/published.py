"""Importing published statistics: DfE's Explore Education Statistics CSV files, read with
the benchmark mappings that name them, and DfE's statistical-neighbour files. (Ofsted's
inspection outcomes, an .ods file, are read by contracts/ofsted.py into the same releases.)

Three steps, as for figures (kpis/imports.py):

- `prepare(name, content, …)` reads a file with its mappings and compares it with what is
  stored: the values of each mapping, the authorities they name, what a newer release
  changes, and every problem with its line and column. It writes nothing.
- `commit(plan, by=…)` writes a plan that has no problems, all of it or nothing.
- the `import_benchmarks` command and the admin's upload both use the two.

Re-importing a file already imported changes nothing. A different file of the same name is
a newer release: it supersedes the release in force, which is kept with its values as
history, and it must serve every mapping the older release served. Columns are found by the
names a mapping gives them, never by names written here.
"""

import csv
import datetime as dt
import hashlib
import io
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.utils import timezone

from sct_portal import periods

from . import ees, symbols
from .ees import GeographicLevel
from .models import (
    BenchmarkMapping,
    Geography,
    Neighbour,
    NeighbourModel,
    PublishedValue,
    Release,
    ReleaseKind,
)

MAX_BYTES = 50 * 1024 * 1024  # EES files with every LA and filter run to tens of megabytes
LARGEST = Decimal(10) ** 12  # what the database keeps: 16 digits, 4 after the point
MOST_PLACES = 4
SHOWN_CHANGES = 300  # changes listed in a preview; the counts are always complete
PUBLISHERS = {ReleaseKind.STATISTICS: "Department for Education"}


@dataclass(frozen=True)
class Problem:
    """Something that stops the import, with the line and column it is in when it has one."""

    message: str
    line: int | None = None
    column: str = ""

    @property
    def place(self) -> str:
        """ "line 37, column rate_per_10000"."""
        parts = [f"line {self.line}"] if self.line else []
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.place or 'The file'}: {self.message}"


class ImportRefused(Exception):
    """Nothing was written, for these reasons."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = list(problems)


# ---------------------------------------------------------------------------------------
# Reading a CSV file


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line, cells)
    problems: list[Problem] = field(default_factory=list)


def read_table(content: bytes) -> Table:
    """A CSV file's header and rows (a byte-order mark, quoted commas and quoted line breaks
    are read as CSV has them). Never raises for what is in the file."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Table(
            [],
            [],
            [
                Problem(
                    f"it is not UTF-8 text (byte {error.start + 1} cannot be read): save it as "
                    "“CSV UTF-8”, as Explore Education Statistics publishes it"
                )
            ],
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    table = Table([], [])
    try:
        for cells in reader:
            if not table.header:
                if any(cell.strip() for cell in cells):
                    table.header = [cell.strip() for cell in cells]
                continue
            if any(cell.strip() for cell in cells):
                table.rows.append((reader.line_num, cells))
    except csv.Error as error:
        table.problems.append(Problem(f"it cannot be read as CSV ({error})", reader.line_num))
    if not table.header:
        table.problems.append(Problem("it has no header row"))
    return table


def parse_value(text: str) -> tuple[Decimal | None, str]:
    """A published value: (number, "") or (None, symbol). Raises ValueError in words."""
    shown = " ".join(str(text).split())
    if not shown:
        raise ValueError(
            "the value is blank; a published value is a number or a symbol "
            f"({symbols.accepted()}, or : for not available)"
        )
    code = symbols.parse(shown)
    if code is not None:
        return None, code
    try:
        value = Decimal(shown.replace(",", ""))
    except InvalidOperation:
        raise ValueError(
            f"“{shown[:40]}” is neither a number nor a symbol ({symbols.accepted()})"
        ) from None
    if not value.is_finite() or abs(value) >= LARGEST:
        raise ValueError(f"“{shown[:40]}” is not a number that can be kept")
    if -value.normalize().as_tuple().exponent > MOST_PLACES:  # type: ignore[operator]
        raise ValueError(f"“{shown}” has more than {MOST_PLACES} decimal places")
    return value, ""


def kind_of(name: str, header: Sequence[str]) -> ReleaseKind:
    """What a file holds, from its name and header: an .ods file is Ofsted's outcomes, a CSV
    with columns SN1 … SN10 (or SN_1 …) DfE's statistical neighbours, any other CSV
    published statistics."""
    if PurePath(name).suffix.lower() == ".ods":
        return ReleaseKind.INSPECTIONS
    if sum(1 for cell in header if NEIGHBOUR_COLUMN.match(cell.strip())) >= 2:
        return ReleaseKind.NEIGHBOURS
    return ReleaseKind.STATISTICS


# ---------------------------------------------------------------------------------------
# Reading with a mapping


@dataclass(frozen=True)
class ReadValue:
    level: str
    code: str
    name: str
    ons_code: str
    region_code: str
    region_name: str
    time_period: str
    month: dt.date
    value: Decimal | None
    symbol: str
    line: int

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.level, self.code, self.time_period)

    @property
    def shown(self) -> str:
        return self.symbol or format(self.value, "f")


@dataclass(frozen=True)
class Change:
    where: str  # "Sandwell, 2022"
    old: str  # "99", "c", or "" (new)
    new: str  # "" when the newer release no longer has it


@dataclass
class Mapped:
    """One mapping's values in a file, and how they compare with what is stored."""

    mapping: BenchmarkMapping
    values: list[ReadValue] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    stored: int = 0  # values already stored for this mapping and release
    changes: list[Change] = field(default_factory=list)
    changed: int = 0
    added: int = 0
    dropped: int = 0
    required: bool = False  # the release this supersedes served it

    @property
    def periods(self) -> list[str]:
        return sorted({value.time_period for value in self.values})

    @property
    def levels(self) -> dict[str, int]:
        counts = Counter(value.level for value in self.values)
        return {GeographicLevel(level).label: counts[level] for level in GeographicLevel.values}

    @property
    def symbols_found(self) -> dict[str, int]:
        return dict(sorted(Counter(v.symbol for v in self.values if v.symbol).items()))

    @property
    def left_aside(self) -> list[tuple[str, int]]:
        """Rows not read, by why (a list: a Counter's keys would shadow its methods in a
        template)."""
        return sorted(self.skipped.items())

    @property
    def unchanged(self) -> int:
        return len(self.values) - self.added - self.changed

    @property
    def differs(self) -> bool:
        """It changes what is stored (always so for a newer release: its values are its own)."""
        return self.changed > 0 or self.added > 0 or self.dropped > 0


def read_mapping(table: Table, mapping: BenchmarkMapping) -> tuple[Mapped, list[Problem]]:
    """The values `mapping` takes from `table`, with problems naming line and column."""
    mapped = Mapped(mapping=mapping)
    problems: list[Problem] = []
    columns: dict[str, int | None] = {}
    for name in BenchmarkMapping.COLUMN_FIELDS:
        spec = mapping.column(name)
        columns[name] = spec.find(table.header)
    for name in ("time_column", "level_column", "value_column"):
        if columns[name] is None:
            problems.append(_missing_column(mapping, name, table.header))
    try:
        filters = ees.parse_filters(mapping.filters)
        wanted = ees.parse_periods(mapping.time_periods)
    except ValueError as error:
        return mapped, [Problem(f"mapping “{mapping}”: {error}")]
    found_filters: list[tuple[ees.Filter, int]] = []
    for item in filters:
        index = item.column.find(table.header)
        if index is None:
            problems.append(
                Problem(
                    f"mapping “{mapping}” filters on {item.column}, which the file does not "
                    f"have; its columns are: {', '.join(table.header)}"
                )
            )
        else:
            found_filters.append((item, index))
    if problems:
        return mapped, problems
    seen: dict[tuple[str, str, str], tuple[int, list[str]]] = {}
    for line, cells in table.rows:
        if len(cells) != len(table.header):
            problems.append(
                Problem(
                    f"the row has {len(cells)} values and the header {len(table.header)} "
                    "columns (a comma inside a name must be within quotes)",
                    line,
                )
            )
            continue
        read = _read_row(mapping, columns, found_filters, wanted, table.header, line, cells)
        if isinstance(read, str):
            mapped.skipped[read] += 1
            continue
        if isinstance(read, Problem):
            problems.append(read)
            continue
        if read.key in seen:
            first_line, first_cells = seen[read.key]
            problems.append(_duplicate(mapping, table.header, read, first_line, first_cells, cells))
            continue
        seen[read.key] = (line, cells)
        mapped.values.append(read)
    if not mapped.values and not problems:
        problems.append(
            Problem(
                f"mapping “{mapping}” finds no row in the file: check its filters "
                f"({'; '.join(str(f) for f in filters) or 'none'}) and time periods ({wanted})"
            )
        )
    return mapped, problems


def _missing_column(mapping: BenchmarkMapping, name: str, header: Sequence[str]) -> Problem:
    label = BenchmarkMapping.column_label(name)
    return Problem(
        f"mapping “{mapping}”: the file has no {label} {mapping.column(name)}; its columns "
        f"are: {', '.join(header)}. Give the column's name in the mapping (a renamed column "
        "with its names separated by |)."
    )


def _cell(cells: Sequence[str], index: int | None) -> str:
    return " ".join(cells[index].split()) if index is not None else ""


def _read_row(
    mapping: BenchmarkMapping,
    columns: dict[str, int | None],
    filters: Sequence[tuple[ees.Filter, int]],
    wanted: ees.Periods,
    header: Sequence[str],
    line: int,
    cells: Sequence[str],
) -> ReadValue | Problem | str:
    """A row's value, a problem, or why it is skipped."""
    level = ees.LEVELS.get(ees.folded(_cell(cells, columns["level_column"])))
    if level is None:
        return "rows at other geographic levels"
    if not all(item.matches(cells[index]) for item, index in filters):
        return "rows the filters leave out"
    time_column = header[columns["time_column"] or 0]
    time_period = _cell(cells, columns["time_column"])
    try:
        if not wanted.includes(time_period):
            return "rows of other time periods"
        month = ees.month_of(time_period, mapping.period_month)
    except ValueError as error:
        return Problem(str(error), line, time_column)
    name = code = ons_code = region_code = region_name = ""
    region_code = _cell(cells, columns["region_code_column"])
    region_name = _cell(cells, columns["region_name_column"])
    if level == GeographicLevel.NATIONAL:
        code, name = ees.ENGLAND_CODE, ees.ENGLAND_NAME
        region_code = region_name = ""
    elif level == GeographicLevel.REGIONAL:
        code, name = region_code, region_name
        if not code or not name:
            return _blank(mapping, "region_code_column" if not code else "region_name_column", line)
        region_code = region_name = ""
    else:
        code = re.sub(r"\s*/\s*", " / ", _cell(cells, columns["la_code_column"]))
        name = _cell(cells, columns["la_name_column"])
        ons_code = _cell(cells, columns["ons_code_column"])
        if not code:
            return _blank(mapping, "la_code_column", line)
        if not name:
            return _blank(mapping, "la_name_column", line)
    value_index = columns["value_column"] or 0
    try:
        value, symbol = parse_value(cells[value_index])
    except ValueError as error:
        return Problem(f"{name}, {time_period}: {error}", line, header[value_index])
    return ReadValue(
        level=level,
        code=code,
        name=name,
        ons_code=ons_code,
        region_code=region_code,
        region_name=region_name,
        time_period=time_period,
        month=month,
        value=value,
        symbol=symbol,
        line=line,
    )


def _blank(mapping: BenchmarkMapping, name: str, line: int) -> Problem:
    spec = mapping.column(name)
    return Problem(f"the {BenchmarkMapping.column_label(name)} is blank", line, spec.names[0])


def _duplicate(
    mapping: BenchmarkMapping,
    header: Sequence[str],
    read: ReadValue,
    first_line: int,
    first: Sequence[str],
    cells: Sequence[str],
) -> Problem:
    differing = [
        f"{name} (“{first[i].strip()}” and “{cells[i].strip()}”)"
        for i, name in enumerate(header)
        if first[i].strip() != cells[i].strip() and name != header[0]
    ]
    hint = (
        f"; they differ in {', '.join(differing[:4])}: add a filter on the column that says "
        "which row the KPI is compared with"
        if differing
        else "; the two rows are the same"
    )
    return Problem(
        f"mapping “{mapping}” finds a second row for {read.name}, {read.time_period} (the "
        f"first is line {first_line}){hint}",
        read.line,
    )


# ---------------------------------------------------------------------------------------
# Statistical neighbours


NEIGHBOUR_COLUMN = re.compile(r"^sn_?(\d{1,2})$", re.IGNORECASE)
CLOSENESS_COLUMN = re.compile(r"^sn_?(\d{1,2})?p$", re.IGNORECASE)
CODE_COLUMNS = ("old_la_code", "la num", "la_num", "la number", "la code", "la_code")
NAME_COLUMNS = ("la_name", "la name")
THREE_DIGITS = re.compile(r"^\d{3}$")
MONTH_IN_NAME = re.compile(
    r"(january|february|march|april|may|june|july|august|september|october|november|december)"
    r"[ _-]*((?:19|20)\d{2})",
    re.IGNORECASE,
)
YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# A model named by its year alone comes into force at that year's April, the start of the
# financial year its figures are reported in; the analyst may change it in the admin.
MODEL_YEAR_STARTS = 4


@dataclass(frozen=True)
class NeighbourRow:
    authority_code: str
    authority_name: str
    neighbours: tuple[tuple[str, str], ...]  # (code, closeness), closest first
    line: int


@dataclass
class Neighbours:
    rows: list[NeighbourRow] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def names(self) -> dict[str, str]:
        return {row.authority_code: row.authority_name for row in self.rows}

    def of(self, code: str) -> NeighbourRow | None:
        return next((row for row in self.rows if row.authority_code == code), None)


def closeness(text: str) -> str:
    """ "Very Close" → "Very close"; "Close " → "Close"."""
    words = " ".join(text.split())
    return words[:1].upper() + words[1:].lower()


def read_neighbours(table: Table) -> tuple[Neighbours, list[Problem]]:
    found = Neighbours()
    problems: list[Problem] = []
    lowered = [ees.folded(cell) for cell in table.header]
    code_index = next((lowered.index(name) for name in CODE_COLUMNS if name in lowered), None)
    name_index = next((lowered.index(name) for name in NAME_COLUMNS if name in lowered), None)
    if code_index is None:
        return found, [
            Problem(
                "it has columns SN1 … SN10 but no column of the authority's code ("
                + ", ".join(CODE_COLUMNS)
                + ")"
            )
        ]
    rank_columns: list[tuple[int, int, int | None]] = []  # (rank, code column, closeness column)
    for index, cell in enumerate(table.header):
        match = NEIGHBOUR_COLUMN.match(cell.strip())
        if match:
            after = index + 1
            near = (
                after
                if after < len(table.header) and CLOSENESS_COLUMN.match(table.header[after].strip())
                else None
            )
            rank_columns.append((int(match.group(1)), index, near))
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        cells = [*cells, *[""] * (len(table.header) - len(cells))]
        code = cells[code_index].strip()
        if not code:
            heading = " ".join(" ".join(cells).split())
            found.skipped.append(f"line {line}: “{heading}”, not an authority's row")
            continue
        if not THREE_DIGITS.match(code):
            problems.append(
                Problem(f"“{code}” is not a three-digit DfE code", line, table.header[code_index])
            )
            continue
        if code in seen:
            problems.append(Problem(f"authority {code} is listed again (line {seen[code]})", line))
            continue
        seen[code] = line
        neighbours: list[tuple[str, str]] = []
        for _rank, index, near in sorted(rank_columns):
            neighbour = cells[index].strip()
            if not neighbour:
                continue
            if not THREE_DIGITS.match(neighbour):
                problems.append(
                    Problem(
                        f"“{neighbour}” is not a three-digit DfE code", line, table.header[index]
                    )
                )
                continue
            neighbours.append((neighbour, closeness(cells[near]) if near is not None else ""))
        name = " ".join(cells[name_index].split()) if name_index is not None else code
        found.rows.append(NeighbourRow(code, name, tuple(neighbours), line))
    if not found.rows and not problems:
        problems.append(Problem("it lists no authority"))
    return found, problems


def in_force_from_name(name: str) -> dt.date | None:
    """The month a model comes into force, from its file's name: "…_April_2021.csv" → April
    2021; "…_2025_….csv" → April 2025 (MODEL_YEAR_STARTS); None when it names no year."""
    stem = PurePath(name).stem
    if match := MONTH_IN_NAME.search(stem):
        month = dt.datetime.strptime(match.group(1)[:3].title(), "%b").month
        return dt.date(int(match.group(2)), month, 1)
    if match := YEAR_IN_NAME.search(stem):
        return dt.date(int(match.group(1)), MODEL_YEAR_STARTS, 1)
    return None


# ---------------------------------------------------------------------------------------
# The plan


@dataclass
class GeographyChanges:
    new: list[str] = field(default_factory=list)  # "Cumberland (942)"
    renamed: list[str] = field(
        default_factory=list
    )  # "Bristol (801): “Bristol” → “Bristol, City of”"
    codes: list[str] = field(default_factory=list)  # "Barnsley (370): E08000038"


@dataclass
class Plan:
    """What importing a file would do. Built by `prepare`; written by `commit`."""

    file_name: str
    content: bytes
    kind: ReleaseKind
    publisher: str = ""
    label: str = ""
    published_on: dt.date | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    existing: Release | None = None  # these very bytes, imported before
    supersedes: Release | None = None  # the release in force of the same file
    mapped: list[Mapped] = field(default_factory=list)
    geographies: GeographyChanges = field(default_factory=GeographyChanges)
    neighbours: Neighbours | None = None
    model_name: str = ""
    in_force_from: dt.date | None = None
    extra: Any = None  # what another importer (Ofsted's outcomes) reads

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def changes_nothing(self) -> bool:
        """The file is imported already, as it is, for every mapping that names it."""
        if self.existing is None:
            return False
        return not any(item.differs for item in self.mapped)

    @property
    def summary(self) -> str:
        if self.kind == ReleaseKind.NEIGHBOURS and self.neighbours is not None:
            return f"{len(self.neighbours.rows)} authorities' statistical neighbours"
        if self.kind == ReleaseKind.INSPECTIONS and self.extra is not None:
            return str(self.extra.summary)
        parts = [
            f"{item.mapping.name}: {len(item.values)} values of {len(item.periods)} periods"
            for item in self.mapped
        ]
        return "; ".join(parts)[:300]


def prepare(
    name: str,
    content: bytes,
    *,
    mapping: str = "",
    label: str = "",
    published_on: dt.date | None = None,
    in_force_from: dt.date | None = None,
) -> Plan:
    """Read a published file and compare it with what is stored. Writes nothing."""
    name = PurePath(name).name
    plan = Plan(file_name=name, content=content, kind=ReleaseKind.STATISTICS, label=label)
    plan.published_on = published_on
    if len(content) > MAX_BYTES:
        plan.problems.append(
            Problem(f"it is {len(content) / 1024 / 1024:.0f} MB; the largest is 50 MB")
        )
        return plan
    suffix = PurePath(name).suffix.lower()
    if suffix == ".ods":
        from contracts import ofsted  # Ofsted's outcomes are contract and assurance matters

        plan.kind = ReleaseKind.INSPECTIONS
        ofsted.prepare(plan)
        _compare_release(plan)
        if plan.existing is not None:
            plan.notes.append("This very file is imported already: nothing changes.")
        return plan
    if suffix != ".csv":
        plan.problems.append(
            Problem(
                f"“{suffix or name}” files are not published statistics the portal reads: "
                "a CSV file from Explore Education Statistics, a statistical-neighbour CSV, "
                "or Ofsted's inspection outcomes (.ods)"
            )
        )
        return plan
    table = read_table(content)
    plan.problems += table.problems
    if table.problems:
        return plan
    plan.kind = kind_of(name, table.header)
    _compare_release(plan)
    if plan.kind == ReleaseKind.NEIGHBOURS:
        _prepare_neighbours(plan, table, in_force_from)
    else:
        plan.publisher = PUBLISHERS[ReleaseKind.STATISTICS]
        _prepare_statistics(plan, table, mapping)
    return plan


def _compare_release(plan: Plan) -> None:
    same_file = Release.objects.imported().filter(file_name__iexact=plan.file_name)
    plan.existing = same_file.filter(sha256=plan.sha256).order_by("-imported_at").first()
    if plan.existing is None:
        # Ofsted names each year's outcomes file anew: the outcomes are one series, and a
        # newer file supersedes the one in force whatever its name.
        series = (
            Release.objects.imported().filter(kind=ReleaseKind.INSPECTIONS)
            if plan.kind == ReleaseKind.INSPECTIONS
            else same_file
        )
        plan.supersedes = series.filter(superseded_by__isnull=True).defer("content").first()
        older = plan.supersedes
        if older is not None and older.kind != plan.kind:
            plan.problems.append(
                Problem(
                    f"a file of this name was imported as {older.get_kind_display().lower()}; "
                    f"this one reads as {plan.kind.label.lower()}"
                )
            )
        if (
            older is not None
            and older.published_on
            and plan.published_on
            and plan.published_on < older.published_on
        ):
            plan.problems.append(
                Problem(
                    f"this release is dated {plan.published_on:%-d %B %Y}, before the one in "
                    f"force ({older.published_on:%-d %B %Y}): an older release cannot "
                    "supersede a newer one"
                )
            )
    elif plan.existing.superseded_by_id is not None:
        when = timezone.localtime(plan.existing.imported_at or timezone.now())
        plan.problems.append(
            Problem(
                f"this very file was imported on {when:%-d %B %Y} and has since been "
                "superseded by a newer release; it cannot be brought back into force"
            )
        )


def _prepare_statistics(plan: Plan, table: Table, mapping_name: str) -> None:
    mappings = list(BenchmarkMapping.objects.select_related("kpi").order_by("name"))
    chosen = [m for m in mappings if m.file_name.casefold() == plan.file_name.casefold()]
    if mapping_name:
        named = [m for m in mappings if m.name.casefold() == mapping_name.casefold()]
        if not named:
            names = "; ".join(m.name for m in mappings) or "none yet"
            plan.problems.append(
                Problem(f"no benchmark mapping is named “{mapping_name}” (the mappings: {names})")
            )
            return
        chosen = named
    release = plan.existing or plan.supersedes
    needed = (
        set(PublishedValue.objects.filter(release=release).values_list("mapping_id", flat=True))
        if release
        else set()
    )
    for extra in mappings:
        if extra.pk in needed and extra not in chosen:
            chosen.append(extra)
            plan.notes.append(
                f"Also read with the mapping “{extra}”, which the release in force of this "
                "file serves: a newer release must serve it too."
            )
    if not chosen:
        plan.problems.append(
            Problem(
                f"no benchmark mapping names the file “{plan.file_name}”: add one in the admin "
                "(KPIs › Benchmark mappings) saying which filters, value column and time "
                "periods a KPI is compared with, or name the mapping to use"
            )
        )
        return
    for mapping in chosen:
        mapped, problems = read_mapping(table, mapping)
        mapped.required = mapping.pk in needed
        plan.problems += problems
        plan.mapped.append(mapped)
    if plan.problems:
        return
    _compare_values(plan)
    _refuse_clashes(plan)
    _compare_geographies(plan)


def _stored(release: Release | None, mapping: BenchmarkMapping) -> dict[tuple[str, str, str], str]:
    if release is None:
        return {}
    rows = PublishedValue.objects.filter(release=release, mapping=mapping).values_list(
        "geography__level", "geography__code", "time_period", "value", "symbol"
    )
    return {
        (level, code, period): symbol or format(value, "f")
        for level, code, period, value, symbol in rows
    }


def _same(old: str, new: str) -> bool:
    try:
        return Decimal(old) == Decimal(new)
    except InvalidOperation:
        return old == new


def _compare_values(plan: Plan) -> None:
    """Each mapping's values against the same release's (a mapping edited since, or new to
    the file), or against the release this one supersedes."""
    for item in plan.mapped:
        if plan.existing is not None:
            baseline = _stored(plan.existing, item.mapping)
            item.stored = len(baseline)
            if not baseline:
                item.added = len(item.values)
                continue
        else:
            baseline = _stored(plan.supersedes, item.mapping)
        read = {value.key: value for value in item.values}
        for key, value in read.items():
            old = baseline.get(key)
            if old is None:
                item.added += 1
                if baseline:
                    _note_change(item, value, "", value.shown)
            elif not _same(old, value.shown):
                item.changed += 1
                _note_change(item, value, old, value.shown)
        for key in sorted(baseline.keys() - read.keys()):
            item.dropped += 1
            if len(item.changes) < SHOWN_CHANGES:
                item.changes.append(Change(f"{key[1]}, {key[2]}", baseline[key], ""))
    if plan.existing is not None and plan.changes_nothing:
        when = timezone.localtime(plan.existing.imported_at or timezone.now())
        plan.notes.append(f"This very file was imported on {when:%-d %B %Y}: nothing changes.")


def _note_change(item: Mapped, value: ReadValue, old: str, new: str) -> None:
    if len(item.changes) < SHOWN_CHANGES:
        item.changes.append(Change(f"{value.name}, {value.time_period}", old, new))


def _refuse_clashes(plan: Plan) -> None:
    """A KPI month has values from one mapping only."""
    for item in plan.mapped:
        months = {value.month for value in item.values}
        others = (
            PublishedValue.objects.filter(
                mapping__kpi_id=item.mapping.kpi_id,
                month__in=months,
                release__imported_at__isnull=False,
                release__superseded_by__isnull=True,
            )
            .exclude(mapping=item.mapping)
            .values_list("mapping__name", "month")
            .distinct()
        )
        for other, month in others[:5]:
            plan.problems.append(
                Problem(
                    f"KPI {item.mapping.kpi.ref}, {periods.month_label(month)} is compared "
                    f"already with the mapping “{other}”: narrow the time periods of "
                    f"“{item.mapping}” or of “{other}”"
                )
            )


def _compare_geographies(plan: Plan) -> None:
    known = {(g.level, g.code): g for g in Geography.objects.all()}
    for level, code, name, ons_codes in _latest_geographies(plan):
        existing = known.get((level, code))
        label = f"{name} ({code})"
        if existing is None:
            plan.geographies.new.append(label)
            continue
        if existing.name != name:
            plan.geographies.renamed.append(f"{label}: “{existing.name}” → “{name}”")
        added = [c for c in ons_codes if c and c not in existing.ons_codes]
        if added:
            plan.geographies.codes.append(f"{label}: {', '.join(added)}")


def _latest_geographies(plan: Plan) -> list[tuple[str, str, str, list[str]]]:
    """Each geography in the file with its name in its latest period and every ONS code
    it has had there, the latest first."""
    by_key: dict[tuple[str, str], list[ReadValue]] = defaultdict(list)
    for item in plan.mapped:
        for value in item.values:
            by_key[(value.level, value.code)].append(value)
            if value.region_code:
                region = ReadValue(
                    GeographicLevel.REGIONAL,
                    value.region_code,
                    value.region_name,
                    "",
                    "",
                    "",
                    value.time_period,
                    value.month,
                    None,
                    "",
                    value.line,
                )
                by_key[(GeographicLevel.REGIONAL, value.region_code)].append(region)
    found = []
    for (level, code), values in by_key.items():
        ordered = sorted(values, key=lambda v: (v.month, v.line), reverse=True)
        codes = list(dict.fromkeys(v.ons_code for v in ordered if v.ons_code))
        found.append((level, code, ordered[0].name, codes))
    return found


def _prepare_neighbours(plan: Plan, table: Table, in_force_from: dt.date | None) -> None:
    plan.publisher = PUBLISHERS[ReleaseKind.STATISTICS]
    found, problems = read_neighbours(table)
    plan.problems += problems
    plan.neighbours = found
    plan.notes += found.skipped
    plan.in_force_from = periods.month_start(in_force_from) if in_force_from else None
    if plan.in_force_from is None:
        plan.in_force_from = in_force_from_name(plan.file_name)
        if plan.in_force_from is None:
            plan.problems.append(
                Problem(
                    "say from which month the model is in force (its file's name gives no year)"
                )
            )
        else:
            plan.notes.append(
                f"In force from {periods.month_name(plan.in_force_from)}, from the file's name "
                "(a year alone means its April); change it in the admin if DfE says otherwise."
            )
    when = plan.in_force_from.year if plan.in_force_from else ""
    plan.model_name = f"DfE statistical neighbours, {when}".rstrip(", ")
    if plan.existing is not None:
        plan.notes.append("This very file is imported already: nothing changes.")


# ---------------------------------------------------------------------------------------
# Writing


@transaction.atomic
def commit(plan: Plan, *, by: Any, staged: Release | None = None) -> Release:
    """Write a plan with no problems: every value, or none. Returns the release."""
    if plan.problems:
        raise ImportRefused(plan.problems)
    if plan.existing is not None and plan.changes_nothing:
        return plan.existing
    user = by if getattr(by, "pk", None) else None
    if plan.supersedes is not None:
        locked = Release.objects.select_for_update().get(pk=plan.supersedes.pk)
        if locked.superseded_by_id is not None:
            raise ImportRefused([Problem("another release of this file was imported meanwhile")])
    release = plan.existing or staged or Release(file_name=plan.file_name)
    if plan.existing is None:
        release.file_name = plan.file_name
        release.kind = plan.kind
        release.publisher = release.publisher or plan.publisher
        release.label = release.label or plan.label
        release.published_on = release.published_on or plan.published_on
        release.content = plan.content
        release.sha256 = plan.sha256
        release.size = len(plan.content)
        if release.pk is None:
            release.uploaded_by = user
        release.imported_by = user
        release.imported_at = timezone.now()
    release.summary = plan.summary
    release.save()
    if plan.kind == ReleaseKind.STATISTICS:
        _write_values(plan, release)
    elif plan.kind == ReleaseKind.NEIGHBOURS:
        _write_neighbours(plan, release)
    else:
        from contracts import ofsted

        ofsted.commit(plan, release)
    if plan.supersedes is not None:
        Release.objects.filter(pk=plan.supersedes.pk).update(superseded_by=release)
    return release


def _write_geographies(plan: Plan) -> dict[tuple[str, str], Geography]:
    known = {(g.level, g.code): g for g in Geography.objects.select_for_update()}
    latest = _latest_geographies(plan)
    regions_of: dict[str, str] = {}
    for item in plan.mapped:
        for value in sorted(item.values, key=lambda v: v.month):
            if value.level == GeographicLevel.LOCAL_AUTHORITY and value.region_code:
                regions_of[value.code] = value.region_code
    order: dict[str, int] = {GeographicLevel.NATIONAL: 0, GeographicLevel.REGIONAL: 1}
    for level, code, name, ons_codes in sorted(latest, key=lambda g: order.get(g[0], 2)):
        geography = known.get((level, code)) or Geography(level=level, code=code)
        geography.name = name
        if level == GeographicLevel.LOCAL_AUTHORITY:
            codes = list(dict.fromkeys([*ons_codes, *geography.ons_codes]))
            geography.ons_code = codes[0] if codes else ""
            geography.earlier_ons_codes = " ".join(codes[1:])
            region = known.get((GeographicLevel.REGIONAL, regions_of.get(code, "")))
            geography.region = region or geography.region
        else:
            geography.ons_code = code if level == GeographicLevel.REGIONAL else ees.ENGLAND_CODE
        geography.save()
        known[(level, code)] = geography
    return known


def _write_values(plan: Plan, release: Release) -> None:
    known = _write_geographies(plan)
    for item in plan.mapped:
        if plan.existing is not None and not item.differs:
            continue
        PublishedValue.objects.filter(release=release, mapping=item.mapping).delete()
        PublishedValue.objects.bulk_create(
            PublishedValue(
                release=release,
                mapping=item.mapping,
                geography=known[(value.level, value.code)],
                time_period=value.time_period,
                month=value.month,
                value=value.value,
                symbol=value.symbol,
                line=value.line,
            )
            for value in item.values
        )


def _write_neighbours(plan: Plan, release: Release) -> None:
    assert plan.neighbours is not None
    assert plan.in_force_from is not None
    model = NeighbourModel.objects.create(
        release=release, name=plan.model_name, in_force_from=plan.in_force_from
    )
    names = plan.neighbours.names()
    Neighbour.objects.bulk_create(
        Neighbour(
            model=model,
            authority_code=row.authority_code,
            authority_name=row.authority_name,
            rank=rank,
            neighbour_code=code,
            neighbour_name=names.get(code, ""),
            closeness=near,
        )
        for row in plan.neighbours.rows
        for rank, (code, near) in enumerate(row.neighbours, 1)
    )
