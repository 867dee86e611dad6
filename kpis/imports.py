"""Importing figures from spreadsheets: .xlsx, .csv and .tsv (or tab-separated .txt).

Two layouts are read:

- the report's *wide* layout: one row per KPI (reference, description), one column per
  month, found by its header row of month labels ("Apr-21", "Apr - 22", "May – 22",
  "June - 22", or dates); prose above, below and between the rows is skipped;
- a *long* layout: a header row naming the columns ref, month and value, and optionally
  numerator, denominator and note; one row per figure.

Either layout may carry the organisation's own stated status ("status", "stated status":
"Green", "Amber: potential concern", "good performance") with who states it and why
("stated reason", "status reason"); in the wide layout they belong to the row's latest
figure, like the note. A long row may give a stated status with no value.

Three steps, each usable on its own:

- `read(name, content)` turns a file's bytes into figures and problems, without the database;
- `plan(reading, by=…)` compares them with what is stored: new, changed (old → new),
  unchanged, and problems, each with its place ("Sheet1!F7", "line 31, Jun-22");
- `commit(plan=…, by=…)` writes a plan that has no problems, all figures or none, each
  recorded in the figure's history with the file's name as the reason.

Nothing in a file is ever evaluated: a formula or a text starting with "=" is a problem.
"""

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from openpyxl.utils import get_column_letter

from sct_portal import periods
from sct_portal.models import control_characters

from . import figures, symbols, units, xlsx
from .models import ClosedMonth, Frequency, Kpi
from .rag import Stated
from .units import DecimalSeparatorError, Unit, parse_number

MAX_BYTES = 5 * 1024 * 1024  # a year of KPI figures is a few kilobytes
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # what an .xlsx (a zip file) may unpack to
# Limits checked as a file streams in, so that no file holds a worker for long: a year of
# 200 KPIs' figures is a few thousand cells, 24,000 figures one per row about 150,000.
MAX_CELLS = 250_000  # cells (and texts) read from a whole file, blank ones included
MAX_ROWS = 100_000  # rows holding something, in one sheet
MAX_COLUMNS = 1_000  # columns holding something, in one sheet (a column per month)
MOST_CONTROL_CELLS = 10  # cells holding control characters named one by one
HEADER_SEARCH_ROWS = 500  # how many rows holding something the header row is looked for in
LARGEST = units.LARGEST  # what the database keeps
MOST_PLACES = units.MOST_PLACES

TEXT_DELIMITERS = {".csv": ",", ".tsv": "\t", ".txt": "\t"}
EXCEL_SUFFIXES = {".xlsx"}
ACCEPTED = ".xlsx, .csv, .tsv"

REF_NAMES = {
    "ref",
    "reference",
    "kpi ref",
    "kpi reference",
    "pl.no",
    "pl. no",
    "pl no",
    "no",
    "no.",
}
DESCRIPTION_NAMES = {"description", "description of kpi", "kpi description", "kpi", "measure"}
LONG_COLUMNS = {
    "month": {"month", "period", "quarter", "date", "as at", "period ending", "month ending"},
    "value": {"value", "figure"},
    "numerator": {"numerator"},
    "denominator": {"denominator"},
    "note": {"note", "notes", "comment", "comments"},
    "stated": {
        "status",
        "stated status",
        "stated",
        "stated rag",
        "council status",
        "rag (stated)",
        "stated rag status",
    },
    "stated_reason": {
        "stated reason",
        "status reason",
        "reason for status",
        "why stated",
        "stated by",
        "status: who and why",
        "who and why",
    },
}
# Columns beside the months in the wide layout: they belong to the row's latest figure.
ROW_COLUMNS = ("note", "stated", "stated_reason")
STATED_RAGS = {
    "green": "green",
    "g": "green",
    "amber": "amber",
    "a": "amber",
    "red": "red",
    "r": "red",
}


class Layout(StrEnum):
    WIDE = "wide"
    LONG = "long"


class Status(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Place:
    """Where in a file something is: a cell of a workbook, or a line (and month column)."""

    sheet: str | None
    row: int
    column: int
    month: dt.date | None = None

    def __str__(self) -> str:
        if self.sheet is not None:
            return f"{_sheet_reference(self.sheet)}!{get_column_letter(self.column)}{self.row}"
        where = f"line {self.row}"
        return f"{where}, {periods.month_label(self.month)}" if self.month else where


@dataclass(frozen=True)
class Problem:
    """Something that stops the import, in words, with its place when it has one."""

    message: str
    place: Place | None = None
    ref: str = ""
    month: dt.date | None = None

    def __str__(self) -> str:
        return f"{self.place or 'The file'}: {self.message}"

    @property
    def context(self) -> str:
        """KPI 3, Jun-22"""
        parts = [f"KPI {self.ref}"] if self.ref else []
        if self.month:
            parts.append(periods.month_label(self.month))
        return ", ".join(parts)


@dataclass(frozen=True)
class Figure:
    """One value read from a file, not yet compared with the database."""

    ref: str
    month: dt.date
    # A number, a symbol's code (kpis.symbols): "c", "x", "<5"; None: no value in the file
    # (a row with only a stated status), the stored figure stays.
    value: Decimal | str | None
    place: Place
    percent: bool = False  # written as a percentage: "85.2%" or a cell formatted as one
    numerator: int | None = None
    denominator: int | None = None
    note: str | None = None  # None: the file says nothing, the stored note stays
    quarter: periods.Quarter | None = None  # the file names a quarter ("Q1 2022/23")
    stated: Stated | None = None  # None: the file states nothing, the stored status stays

    @property
    def period_label(self) -> str:
        return str(self.quarter) if self.quarter else periods.month_label(self.month)


@dataclass(frozen=True)
class ReadOptions:
    """How a file is to be read, as the analyst declares it."""

    decimal_comma: bool = False  # numbers are written 19,61 (1.234,5), not 19.61
    hidden_sheets: bool = False  # read hidden and very hidden sheets too


@dataclass
class Reading:
    """What a file holds: its figures and its problems."""

    name: str
    options: ReadOptions = field(default_factory=ReadOptions)
    layout: Layout | None = None
    figures: list[Figure] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth knowing, not a problem
    descriptions: dict[str, str] = field(default_factory=dict)  # ref → as the file has it


@dataclass(frozen=True, slots=True)
class Cell:
    row: int
    column: int
    value: object  # str, int, float, bool, datetime, date, time or timedelta
    formula: bool = False
    error: bool = False  # an Excel error value such as #N/A
    percent_format: bool = False


@dataclass
class Sheet:
    name: str | None  # the worksheet's name; None for a text file
    rows: list[list[Cell]]  # the rows holding something, each with its non-blank cells


class CellProblem(Exception):
    """A cell that cannot be read as what its column holds."""


# Reading ------------------------------------------------------------------------------


def read(name: str, content: bytes, *, options: ReadOptions | None = None) -> Reading:
    """Read a file's figures. Never raises for what is in the file: problems are listed."""
    reading = Reading(name=name, options=options or ReadOptions())
    suffix = PurePath(name).suffix.lower()
    if len(content) > MAX_BYTES:
        reading.problems.append(
            Problem(
                f"it is {len(content) / 1024 / 1024:.1f} MB; the largest file imported is "
                f"{MAX_BYTES // 1024 // 1024} MB"
            )
        )
        return reading
    if not content.strip():
        reading.problems.append(Problem("it is empty"))
        return reading
    if suffix in EXCEL_SUFFIXES:
        sheets = _excel_sheets(content, reading)
    elif suffix in TEXT_DELIMITERS:
        sheet = _text_sheet(content, TEXT_DELIMITERS[suffix], suffix == ".csv", reading)
        sheets = [sheet] if sheet else []
    else:
        reading.problems.append(
            Problem(
                f'"{suffix or name}" files cannot be imported; save it as one of {ACCEPTED} '
                "(an older .xls workbook can be saved as .xlsx)"
            )
        )
        return reading
    if reading.problems:
        return reading  # a file that cannot be read whole is not read in part
    found = False
    for sheet in sheets:
        found = _read_sheet(sheet, reading) or found
    if sheets and not found and not reading.problems:
        reading.problems.append(
            Problem(
                "no table of figures found: it needs a header row of months (Apr-22, "
                "May-22, …) or quarters (Q1 2022/23) with one row per KPI below, or columns "
                "headed ref, month and value"
            )
        )
    _refuse_duplicates(reading)
    return reading


def parse_figure(text: str, *, decimal_comma: bool = False) -> Decimal:
    """A figure as typed ("85.2%", "85.20", "1,234", "41.0"), within what can be stored;
    with `decimal_comma`, "85,2%" and "1.234,5" (kpis.units.parse_number has the rule).

    Raises ValueError in words when it is not a number, is too large or too precise, or
    has the other decimal separator ("19,61 — use a point: 19.61").
    Text starting with "=" is never calculated.
    """
    shown = _shown(text)
    if text.strip().startswith("="):
        raise ValueError(f'"{shown}" starts with "=": formulas are not calculated; type the value')
    try:
        value = parse_number(text, decimal_comma=decimal_comma)
    except DecimalSeparatorError:
        raise
    except ValueError:
        raise ValueError(f'"{shown}" is not a number') from None
    return _bounded(value, shown)


def parse_value(text: str, *, decimal_comma: bool = False) -> Decimal | str:
    """What is typed for a figure: a number (see parse_figure) or a symbol's code
    (kpis.symbols: "c", "n/a", "<5"). Raises ValueError in words."""
    if (code := symbols.parse(text)) is not None:
        return code
    try:
        return parse_figure(text, decimal_comma=decimal_comma)
    except DecimalSeparatorError:
        raise
    except ValueError as error:
        words = str(error)
        if words.endswith("is not a number"):
            words = words.removesuffix("is not a number")
            words += f"is neither a number nor a symbol ({symbols.accepted()})"
        raise ValueError(words) from None


def _bounded(value: Decimal, shown: str) -> Decimal:
    if not value.is_finite():
        raise ValueError(f'"{shown}" is not a number')
    if abs(value) >= LARGEST:
        raise ValueError(f'"{shown}" is too large to be a KPI figure')
    if units.decimal_places(value) > MOST_PLACES:
        raise ValueError(f'"{shown}" has more than {MOST_PLACES} decimal places')
    return value


def _shown(text: str, limit: int = 40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sheet_reference(name: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name):
        return name
    return "'" + name.replace("'", "''") + "'"


def _decode(content: bytes) -> str | None:
    """Text in the encodings spreadsheets save: UTF-8 (with or without BOM), UTF-16 with a
    BOM (Excel's "Unicode text"), else Windows-1252 (Excel's "CSV" on Windows)."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "cp1252"]
    for encoding in encodings:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


class _Stream:
    """The limits of what a file may hold, counted as its rows stream in."""

    def __init__(self) -> None:
        self.cells = 0  # in the whole file

    def sheet(self, label: str) -> "_SheetStream":
        return _SheetStream(self, label)


class _SheetStream:
    def __init__(self, stream: _Stream, label: str) -> None:
        self.stream = stream
        self.label = label  # 'sheet "Figures"', or "the file"
        self.rows = 0
        self.columns: set[int] = set()

    def passed(self, width: int, kept: Sequence[Cell], where: str) -> Problem | None:
        """Count a row of `width` cells read, `kept` of them holding something; a problem
        once a limit is passed (`where`: "row 7", "line 7")."""
        self.stream.cells += width
        if self.stream.cells > MAX_CELLS:
            return Problem(
                f"it holds more than {MAX_CELLS:,} cells (passed at {self.label}, {where}), "
                "too many to be a table of KPI figures; import the table on its own"
            )
        if kept:
            self.rows += 1
            self.columns.update(cell.column for cell in kept)
        if self.rows > MAX_ROWS:
            return Problem(
                f"{self.label} has something in more than {MAX_ROWS:,} rows (passed at "
                f"{where}); import the table on its own"
            )
        if len(self.columns) > MAX_COLUMNS:
            return Problem(
                f"{self.label} has something in more than {MAX_COLUMNS:,} columns (passed at "
                f"{where}); a table of KPIs has a column per month"
            )
        return None


CONTROL_NAMES = {0: "NUL", 8: "backspace", 11: "vertical tab", 12: "form feed", 27: "escape"}


def _control_problem(cell: Cell, place: Place, reading: Reading) -> None:
    """Refuse a cell holding control characters (other than tab and line breaks): a NUL or
    a vertical tab pasted from Word is never part of a figure, reference or note."""
    if not isinstance(cell.value, str) or not (found := control_characters(cell.value)):
        return
    count = sum(1 for p in reading.problems if p.message.startswith(CONTROL_WORDS))
    if count > MOST_CONTROL_CELLS:
        return
    if count == MOST_CONTROL_CELLS:
        reading.problems.append(
            Problem(f"{CONTROL_WORDS} in more cells after these; remove them all")
        )
        return
    names = ", ".join(
        f"{code} {CONTROL_NAMES[int(code[2:], 16)]}" if int(code[2:], 16) in CONTROL_NAMES else code
        for code in found
    )
    column = f"column {place.column}: " if place.sheet is None else ""
    reading.problems.append(
        Problem(
            f"{CONTROL_WORDS} ({column}{names}), which no figure, reference or note may hold; "
            "remove them",
            replace(place, month=None),
        )
    )


CONTROL_WORDS = "the cell holds control characters"
DECIMAL_COMMA_HINT = " (if the whole file writes decimals with commas, say so when importing it)"


def _text_sheet(content: bytes, delimiter: str, quoted: bool, reading: Reading) -> Sheet | None:
    text = _decode(content)
    if text is None:
        reading.problems.append(
            Problem('it is not text in a known encoding; save it as "CSV UTF-8" or tab-separated')
        )
        return None
    # Tab-separated text is read as it stands (prose may hold stray quotes); CSV needs
    # quoting for commas within cells, and is read strictly: a stray quote is a problem
    # named by its line, never a cell that swallows the rows after it.
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE,
        strict=quoted,
    )
    stream = _Stream().sheet("the file")
    rows: list[list[Cell]] = []
    start = 1
    widest = 0
    try:
        for record in reader:
            end = reader.line_num
            swallowed = quoted and end > start
            if swallowed and (
                problem := _swallowed_rows(record, lines, start, end, delimiter, widest)
            ):
                reading.problems.append(problem)
                return None
            row = [Cell(start, i, value) for i, value in enumerate(record, 1) if value.strip()]
            if problem := stream.passed(len(record), row, f"line {start}"):
                reading.problems.append(problem)
                return None
            for cell in row:
                _control_problem(cell, Place(None, cell.row, cell.column), reading)
            if row:
                rows.append(row)
            widest = max(widest, len(record))
            start = end + 1
    except csv.Error as error:
        reading.problems.append(_quote_problem(lines, start, delimiter, error))
        return None
    return Sheet(None, rows)


def _quote_problem(lines: list[str], start: int, delimiter: str, error: csv.Error) -> Problem:
    """Where a CSV's quoting goes wrong, from the line its record starts on."""
    found = _scan_quotes("".join(lines[start - 1 :]), delimiter)
    if found is None:
        return Problem(f"line {start} cannot be read: {error}", Place(None, start, 1))
    kind, line, column, text = found
    if kind == "unclosed":
        return Problem(
            f'the quote (") that opens the cell in column {column} is never closed, so every '
            "line after it would be read into that one cell; remove the stray quote, or add "
            "the closing one",
            Place(None, start + line, column),
        )
    return Problem(
        f'in column {column} a quote (") closes the cell but text follows it ("{_shown(text)}"); '
        'put the whole cell in quotes and double each quote inside it ("")',
        Place(None, start + line, column),
    )


def _scan_quotes(text: str, delimiter: str) -> tuple[str, int, int, str] | None:
    """The first quoting fault of a CSV record starting `text`: ("unclosed" or "text after",
    lines after the first, column, text) — or None when the record is well quoted."""
    column, line, index = 1, 0, 0
    at_start, opened_at = True, (0, 1)
    quoted = False
    while index < len(text):
        char = text[index]
        if quoted:
            if char == '"':
                if text.startswith('""', index):
                    index += 2
                    continue
                quoted = False
                following = text[index + 1 : index + 2]
                if following and following not in (delimiter, "\r", "\n"):
                    rest = text[index + 1 :].splitlines()[0].split(delimiter)[0]
                    return "text after", line, column, rest
            elif char == "\n":
                line += 1
        elif char == '"' and at_start:
            quoted, opened_at = True, (line, column)
        elif char == delimiter:
            column += 1
            at_start = True
            index += 1
            continue
        elif char in "\r\n":
            return None  # the record ends well quoted
        at_start = False
        index += 1
    if quoted:
        return "unclosed", opened_at[0], opened_at[1], ""
    return None


def _swallowed_rows(
    record: list[str], lines: list[str], start: int, end: int, delimiter: str, widest: int
) -> Problem | None:
    """A quoted cell running over several lines is a note with line breaks, unless a line
    in it looks like a row of the table (as many cells as the rows so far, at least 3):
    then a quote is stray, and the rows after it would be lost into one cell."""
    least = max(3, widest)
    for column, value in enumerate(record, 1):
        for inner in value.splitlines()[1:]:
            if len(inner.split(delimiter)) >= least:
                offset = next(
                    (i for i, text in enumerate(lines[start - 1 : end]) if inner in text), 0
                )
                return Problem(
                    f"the quoted cell in column {column} runs on to line {end} and takes in "
                    f"what look like rows of the table (line {start + offset}: "
                    f'"{_shown(inner)}"); a quote (") is stray or missing: remove it, or close '
                    "the quote where the cell ends",
                    Place(None, start, column),
                )
    return None


OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: .xls, or encrypted
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")  # ECMA-376 encryption's stream


def _excel_sheets(content: bytes, reading: Reading) -> list[Sheet]:
    if content.startswith(OLE_SIGNATURE):
        if ENCRYPTED_STREAM in content:
            reading.problems.append(
                Problem(
                    "it is protected with a password (encrypted), so it cannot be read; open "
                    "it in Excel, remove the password (File › Info › Protect Workbook › "
                    "Encrypt with Password, then clear it), save it and upload it again"
                )
            )
        else:
            reading.problems.append(
                Problem(
                    "it is an older Excel workbook (.xls) or another Office file, not .xlsx; "
                    "open it in Excel and save it as Excel Workbook (.xlsx)"
                )
            )
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        reading.problems.append(
            Problem(
                "it is not an Excel workbook (.xlsx); an older .xls or another format can be "
                "saved as .xlsx"
            )
        )
        return []
    if unpacked > MAX_UNPACKED_BYTES:
        reading.problems.append(Problem("it unpacks to too much data to be a table of KPIs"))
        return []
    # openpyxl raises many kinds of error for a damaged workbook; whichever it is, the
    # file cannot be read, and that is what the analyst needs to know.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = xlsx.Workbook(content, most_texts=MAX_CELLS)
    except xlsx.TooManyTexts:
        reading.problems.append(
            Problem(
                f"it holds more than {MAX_CELLS:,} texts, too many to be a table of KPI "
                "figures; import the table on its own"
            )
        )
        return []
    except Exception as error:
        reading.problems.append(
            Problem(f"it cannot be opened as an Excel workbook ({type(error).__name__})")
        )
        return []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _stream_sheets(workbook, reading)
    except Exception as error:
        reading.problems.append(
            Problem(f"it cannot be opened as an Excel workbook ({type(error).__name__})")
        )
        return []
    finally:
        workbook.close()


def _stream_sheets(workbook: xlsx.Workbook, reading: Reading) -> list[Sheet]:
    """Each sheet's rows, streamed (kpis.xlsx) with the limits counted as they come: a
    sheet's stated size is not trusted, and a stray cell far off costs one cell."""
    stream = _Stream()
    sheets: list[Sheet] = []
    for entry in workbook.sheets:
        title, state = entry.title, entry.state
        if state != "visible":
            kind = "very hidden (only a macro can show it)" if state == "veryHidden" else "hidden"
            if not reading.options.hidden_sheets:
                reading.notes.append(
                    f'Sheet "{title}" is {kind}, so it was not read. To import its figures, '
                    'upload the file again with "Read hidden sheets" chosen.'
                )
                continue
            reading.notes.append(f'Sheet "{title}" is {kind}; it was read, as chosen.')
        limits = stream.sheet(f'sheet "{title}"')
        rows: list[list[Cell]] = []
        for number, cells in workbook.rows(entry):
            kept = [_excel_cell(cell, workbook) for cell in cells if not _blank(cell.value)]
            # An empty row costs a cell too: a million of them are work to parse.
            if problem := limits.passed(max(1, len(cells)), kept, f"row {number}"):
                reading.problems.append(problem)
                return []
            for cell in kept:
                _control_problem(cell, Place(title, cell.row, cell.column), reading)
            if kept:
                rows.append(kept)
        sheets.append(Sheet(title, rows))
    return sheets


# How a workbook writes a control character in text (ECMA-376 Part 1, 22.9.2.19 ST_Xstring:
# "_x000B_" for U+000B); openpyxl leaves the escape as it is, so it is read here.
ESCAPED_CONTROL = re.compile(r"_x00([01][0-9A-Fa-f]|7[Ff])_")


def _excel_cell(cell: xlsx.RawCell, workbook: xlsx.Workbook) -> Cell:
    value = cell.value
    formula = cell.data_type == "f"
    if formula and not isinstance(value, str):
        value = str(getattr(value, "text", None) or "=…")
    percent = False
    if isinstance(value, str):
        if "_x00" in value:
            value = ESCAPED_CONTROL.sub(lambda match: chr(int(match[1], 16)), value)
    elif isinstance(value, (int, float)) and cell.style_id:
        percent = _is_percent_format(workbook.number_format(cell.style_id))
    return Cell(
        row=int(cell.row),
        column=int(cell.column),
        value=value,
        formula=formula,
        error=cell.data_type == "e",
        percent_format=percent,
    )


def _is_percent_format(number_format: str) -> bool:
    """Whether Excel shows a cell's number × 100 with "%" ("0.0%"; not '0.0"%"')."""
    unquoted = re.sub(r'"[^"]*"|\\.', "", number_format)
    return "%" in unquoted


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_name(value: object) -> str:
    if not isinstance(value, str):
        return ""
    return " ".join(value.lower().split()).rstrip(":")


def _as_period(cell: Cell) -> periods.Period | None:
    """The month, quarter or date a cell names (see periods.parse_period), or None."""
    if cell.formula or cell.error:
        return None
    value = cell.value
    if isinstance(value, dt.datetime):
        return periods.Period(periods.month_start(value.date()))
    if isinstance(value, dt.date):
        return periods.Period(periods.month_start(value))
    if isinstance(value, str) and len(value) <= 30:
        try:
            return periods.parse_period(value)
        except ValueError:
            return None
    return None


def _period_refusal(cell: Cell) -> str:
    """Why a cell is not a period, saying what would be accepted."""
    if isinstance(cell.value, str) and len(cell.value) <= 30 and not cell.formula:
        try:
            periods.parse_period(cell.value)
        except ValueError as error:
            words = str(error)
            if not words.endswith(periods.ACCEPTED_PERIODS):
                return words
    return (
        f'"{_shown(str(cell.value))}" is not a month, quarter or date (expected e.g. Jun-22, '
        "Q1 2022/23, Apr–Jun 2022 or 30/06/2022)"
    )


def _read_sheet(sheet: Sheet, reading: Reading) -> bool:
    """Read the sheet's table into `reading`; False when it has none."""
    if (long := _long_header(sheet)) is not None:
        index, columns = long
        reading.layout = reading.layout or Layout.LONG
        _read_long(sheet, index, columns, reading)
        return True
    if (wide := _wide_header(sheet)) is not None:
        index, months = wide
        reading.layout = reading.layout or Layout.WIDE
        _read_wide(sheet, index, months, reading)
        return True
    return False


def _long_header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for cell in row:
            name = _header_name(cell.value)
            if name in REF_NAMES:
                columns.setdefault("ref", cell.column)
            for key, names in LONG_COLUMNS.items():
                if name in names:
                    columns.setdefault(key, cell.column)
        if {"ref", "month", "value"} <= columns.keys():
            return index, columns
    return None


def _wide_header(sheet: Sheet) -> tuple[int, list[tuple[Cell, periods.Period]]] | None:
    """The row with the most period labels (the first of equals), and its period cells."""
    best: tuple[int, list[tuple[Cell, periods.Period]]] | None = None
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        months = [(cell, period) for cell in row if (period := _as_period(cell)) is not None]
        if months and (best is None or len(months) > len(best[1])):
            best = index, months
    return best


def _read_wide(
    sheet: Sheet, index: int, header: list[tuple[Cell, periods.Period]], reading: Reading
) -> None:
    header_row = sheet.rows[index]
    first_month_column = min(cell.column for cell, _ in header)
    month_of: dict[int, periods.Period] = {}
    seen: dict[periods.Period, Cell] = {}
    for cell, period in header:
        if period in seen:
            reading.problems.append(
                Problem(
                    f"{period.label} has two columns (the other is "
                    f"{_place(sheet, seen[period])}); keep one",
                    _place(sheet, cell),
                    month=period.month,
                )
            )
            continue
        seen[period] = cell
        month_of[cell.column] = period
    labelled = {cell.column: cell for cell in header_row}
    row_columns: dict[str, int] = {}
    for column, cell in sorted(labelled.items()):
        for key in ROW_COLUMNS:
            if column not in month_of and _header_name(cell.value) in LONG_COLUMNS[key]:
                row_columns.setdefault(key, column)
    note_column = row_columns.get("note")
    as_what = {
        "note": "the note",
        "stated": "the stated status",
        "stated_reason": "who states the status and why",
    }
    for column, cell in sorted(labelled.items()):
        kind = next((key for key, found in row_columns.items() if found == column), None)
        if kind is not None:
            reading.notes.append(
                f'Column {_column_name(sheet, column)} ("{_shown(str(cell.value))}") is imported '
                f"as {as_what[kind]} of each row's latest figure."
            )
        elif column > first_month_column and column not in month_of and not cell.formula:
            reading.notes.append(
                f'Column {_column_name(sheet, column)} ("{_shown(str(cell.value))}") is not a '
                "month, so it is not imported."
            )
    body = sheet.rows[index + 1 :]
    ref_column, description_column = _key_columns(header_row, body, first_month_column)
    unlabelled_reported: set[int] = set()
    for row in body:
        cells = {cell.column: cell for cell in row}
        values = [cell for column, cell in cells.items() if column in month_of]
        for column, cell in cells.items():
            heading = labelled.get(column)
            if (
                column not in row_columns.values()
                and column > first_month_column
                and column not in month_of
                and (heading is None or heading.formula or _names_a_period(heading))
                and column not in unlabelled_reported
            ):
                unlabelled_reported.add(column)
                why = (
                    f": {_period_refusal(heading)}"
                    if heading is not None and _names_a_period(heading)
                    else " (Apr-22, Q1 2022/23, …)"
                )
                reading.problems.append(
                    Problem(
                        f"column {_column_name(sheet, column)} has figures but its heading is "
                        f"not a month or quarter{why}, so it is not clear which period they "
                        "are for",
                        _place(sheet, cell),
                    )
                )
        if not values:
            continue  # prose, a blank line or a sub-heading: no figures in it
        ref_cell = cells.get(ref_column) if ref_column else None
        try:
            ref = _ref(ref_cell)
        except CellProblem as problem:
            place = _place(sheet, ref_cell) if ref_cell else _place(sheet, row[0], column=1)
            reading.problems.append(Problem(str(problem), place))
            continue
        described = cells.get(description_column) if description_column else None
        if described and isinstance(described.value, str) and not described.formula:
            reading.descriptions.setdefault(ref, described.value.strip())
        note_cell = cells.get(note_column) if note_column else None
        latest = max(month_of[cell.column].month for cell in values)
        for cell in values:
            period = month_of[cell.column]
            month = period.month
            place = _place(sheet, cell, month=month)
            try:
                value, percent = _number(cell, reading.options)
                note = _note(note_cell) if month == latest else None
                stated = (
                    _stated(
                        cells.get(row_columns.get("stated", 0)),
                        cells.get(row_columns.get("stated_reason", 0)),
                    )
                    if month == latest
                    else None
                )
            except CellProblem as problem:
                reading.problems.append(Problem(str(problem), place, ref, month))
                continue
            reading.figures.append(
                Figure(
                    ref,
                    month,
                    value,
                    place,
                    percent=percent,
                    note=note,
                    quarter=period.quarter,
                    stated=stated,
                )
            )


def _key_columns(
    header_row: list[Cell], body: list[list[Cell]], first_month_column: int
) -> tuple[int | None, int | None]:
    """The columns of the KPI reference and description, left of the months: named by the
    header, or else the leftmost column with anything in it, and the one after it."""
    ref_column = description_column = None
    for cell in header_row:
        name = _header_name(cell.value)
        if cell.column < first_month_column:
            if name in REF_NAMES and ref_column is None:
                ref_column = cell.column
            elif name in DESCRIPTION_NAMES and description_column is None:
                description_column = cell.column
    if ref_column is None:
        used = {cell.column for row in body for cell in row if cell.column < first_month_column} - {
            description_column
        }
        ref_column = min(used, default=None)
    if description_column is None and ref_column is not None:
        following = ref_column + 1
        description_column = following if following < first_month_column else None
    return ref_column, description_column


def _read_long(sheet: Sheet, index: int, columns: dict[str, int], reading: Reading) -> None:
    for row in sheet.rows[index + 1 :]:
        cells = {cell.column: cell for cell in row}
        wanted = {key: cells.get(column) for key, column in columns.items()}
        if not any(wanted.values()):
            continue
        first = next(cell for cell in wanted.values() if cell)
        row_place = _place(sheet, first, column=columns["ref"])
        try:
            ref = _ref(wanted["ref"])
        except CellProblem as problem:
            reading.problems.append(Problem(str(problem), row_place))
            continue
        month_cell = wanted["month"]
        if month_cell is None:
            reading.problems.append(
                Problem("the month is missing", _place(sheet, first, column=columns["month"]), ref)
            )
            continue
        period = _as_period(month_cell)
        if period is None:
            reading.problems.append(
                Problem(_period_refusal(month_cell), _place(sheet, month_cell), ref)
            )
            continue
        month = period.month
        value_cell = wanted["value"]
        stated_cell = wanted.get("stated")
        if value_cell is None and (stated_cell is None or _blank(stated_cell.value)):
            reading.problems.append(
                Problem(
                    "the value is missing (a row may leave it blank only when it gives a "
                    "stated status)",
                    _place(sheet, first, column=columns["value"], month=month),
                    ref,
                    month,
                )
            )
            continue
        place = _place(sheet, value_cell or stated_cell or first, month=month)
        try:
            value, percent = _number(value_cell, reading.options) if value_cell else (None, False)
            numerator = _whole(wanted.get("numerator"), "numerator", reading.options)
            denominator = _whole(wanted.get("denominator"), "denominator", reading.options)
            note = _note(wanted.get("note"))
            stated = _stated(stated_cell, wanted.get("stated_reason"))
        except CellProblem as problem:
            reading.problems.append(Problem(str(problem), place, ref, month))
            continue
        reading.figures.append(
            Figure(
                ref,
                month,
                value,
                place,
                percent,
                numerator,
                denominator,
                note,
                period.quarter,
                stated,
            )
        )


def _place(
    sheet: Sheet, cell: Cell, *, column: int | None = None, month: dt.date | None = None
) -> Place:
    if sheet.name is not None:
        return Place(sheet.name, cell.row, column or cell.column)
    return Place(None, cell.row, column or cell.column, month)


def _column_name(sheet: Sheet, column: int) -> str:
    return get_column_letter(column) if sheet.name is not None else str(column)


def _ref(cell: Cell | None) -> str:
    if cell is None:
        raise CellProblem("this row has figures but no KPI reference")
    if cell.formula:
        raise CellProblem(f'the KPI reference "{_shown(str(cell.value))}" is a formula')
    value = cell.value
    if isinstance(value, bool) or cell.error:
        raise CellProblem(f'"{_shown(str(value))}" is not a KPI reference')
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, str):
        return " ".join(value.split())
    raise CellProblem(f'"{_shown(str(value))}" is not a KPI reference')


def _names_a_period(cell: Cell) -> bool:
    """Whether a heading is meant as a period though it is not one ("Q1 2022", "May–Jul")."""
    value = cell.value
    return isinstance(value, str) and bool(
        re.search(r"\b(q|qtr|quarter)\s*\d|\d{1,2}/\d{1,2}/\d{2,4}", value.lower())
        or len(re.findall(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", value.lower()))
        >= 2
    )


def _number(cell: Cell, options: ReadOptions | None = None) -> tuple[Decimal | str, bool]:
    """The cell's number (or symbol, kpis.symbols), and whether it was a percentage."""
    value = cell.value
    shown = _shown(str(value))
    if cell.formula:
        raise CellProblem(f'"{shown}" is a formula; formulas are not calculated, type the value')
    if cell.error:
        raise CellProblem(f'"{shown}" is an error value, not a number')
    if isinstance(value, bool):
        raise CellProblem(f"{str(value).upper()} is not a number")
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        raise CellProblem(f'"{shown}" is a date or time, not a number')
    if isinstance(value, (int, float)):
        try:
            number = _bounded(_excel_decimal(value), shown)
        except ValueError as error:
            raise CellProblem(str(error)) from None
        if cell.percent_format:
            return number * 100, True
        return number, False
    if isinstance(value, str):
        comma = options is not None and options.decimal_comma
        try:
            return parse_value(value, decimal_comma=comma), value.strip().endswith("%")
        except DecimalSeparatorError as error:
            hint = "" if comma else DECIMAL_COMMA_HINT
            raise CellProblem(f"{error}{hint}") from None
        except ValueError as error:
            raise CellProblem(str(error)) from None
    raise CellProblem(f'"{shown}" is not a number')


def _excel_decimal(value: int | float) -> Decimal:
    """A workbook's number as Excel shows it at full precision (15 significant digits), so
    that 0.7490000000000001, an artefact of binary arithmetic, reads as 0.749."""
    if isinstance(value, float):
        return Decimal(format(value, ".15g"))
    return Decimal(value)


def _whole(cell: Cell | None, what: str, options: ReadOptions | None = None) -> int | None:
    if cell is None:
        return None
    try:
        number, percent = _number(cell, options)
    except CellProblem as problem:
        raise CellProblem(f"the {what}: {problem}") from None
    if isinstance(number, str) or percent or number != number.to_integral_value() or number < 0:
        raise CellProblem(f'the {what} must be a whole number, not "{_shown(str(cell.value))}"')
    return int(number)


def _note(cell: Cell | None) -> str | None:
    if cell is None:
        return None
    if cell.formula:
        raise CellProblem("the note is a formula; type the text")
    return str(cell.value).strip()


STATED_PATTERN = re.compile(r"^(green|amber|red)\b[\s:,\-–—]*(.*)$", re.IGNORECASE)


def parse_stated(text: str, reason: str = "") -> Stated:
    """A stated status as a council writes it: "Green", "Amber: potential concern", "R",
    "good performance" (words only). The RAG, if any, is the first word."""
    typed = " ".join(text.split())
    if typed.lower() in STATED_RAGS:
        return Stated(rag=STATED_RAGS[typed.lower()], reason=" ".join(reason.split()))
    rag, words = "", typed
    if match := STATED_PATTERN.match(typed):
        rag, words = STATED_RAGS[match.group(1).lower()], match.group(2).strip()
    return Stated(rag=rag, words=words, reason=" ".join(reason.split()))


def _stated(cell: Cell | None, reason_cell: Cell | None) -> Stated | None:
    """The stated status of a row; None when the file gives none."""
    reason = _note(reason_cell) or ""
    text = "" if cell is None else str(cell.value).strip()
    if cell is not None and cell.formula:
        raise CellProblem("the stated status is a formula; type the words")
    if not text:
        if reason:
            raise CellProblem(
                "who states the status and why is given, but no stated status (a RAG such as "
                "Green, or words such as “good performance”)"
            )
        return None
    return parse_stated(text, reason)


def _refuse_duplicates(reading: Reading) -> None:
    first: dict[tuple[str, dt.date], Figure] = {}
    kept = []
    for figure in reading.figures:
        key = (figure.ref.casefold(), figure.month)
        if key in first:
            reading.problems.append(
                Problem(
                    f"a second value for KPI {figure.ref}, {periods.month_label(figure.month)} "
                    f"(the first is at {first[key].place}); give one value per KPI and month",
                    figure.place,
                    figure.ref,
                    figure.month,
                )
            )
            continue
        first[key] = figure
        kept.append(figure)
    reading.figures = kept


# Planning -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """What importing one figure would do: the write path's change, with its place."""

    change: figures.Change
    place: Place

    @property
    def status(self) -> Status:
        return {
            figures.Action.CREATED: Status.NEW,
            figures.Action.CHANGED: Status.CHANGED,
        }.get(self.change.action, Status.UNCHANGED)

    @property
    def kpi(self) -> Kpi:
        return self.change.kpi

    @property
    def month(self) -> dt.date:
        return self.change.month

    @property
    def version(self) -> int:
        """The stored figure's version the change is based on; 0 when there is none."""
        return self.change.version

    @property
    def old(self) -> figures.State | None:
        return self.change.old

    @property
    def new(self) -> figures.State | None:
        return self.change.new

    @property
    def value(self) -> Decimal | str | None:
        return self.new.figure if self.new else None

    @property
    def numerator(self) -> int | None:
        return self.new.numerator if self.new else None

    @property
    def denominator(self) -> int | None:
        return self.new.denominator if self.new else None

    @property
    def note(self) -> str:
        return self.new.note if self.new else ""

    @property
    def fraction(self) -> str:
        if self.numerator is None or self.denominator is None:
            return ""
        return f"{self.numerator:,} of {self.denominator:,}"

    @property
    def fraction_changed(self) -> bool:
        old = self.old
        return bool(self.fraction) and (
            old is None or (old.numerator, old.denominator) != (self.numerator, self.denominator)
        )

    @property
    def note_changed(self) -> bool:
        return bool(self.note) and (self.old is None or self.old.note != self.note)

    @property
    def stated(self) -> str:
        """The stated status as it would stand: "Amber: potential concern — Director, 5 July"."""
        stated = self.new.stated if self.new else None
        if stated is None:
            return ""
        return f"{stated.text} — {stated.reason}" if stated.reason else stated.text

    @property
    def stated_changed(self) -> bool:
        old = self.old.stated if self.old else None
        return bool(self.stated) and old != (self.new.stated if self.new else None)

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.change.warnings

    @property
    def old_formatted(self) -> str:
        return self.change.old_formatted

    @property
    def formatted(self) -> str:
        return self.change.formatted

    @property
    def month_label(self) -> str:
        return periods.month_label(self.month)


@dataclass
class Plan:
    reading: Reading
    changes: list[Change] = field(default_factory=list)  # the figures without problems
    problems: list[Problem] = field(default_factory=list)  # in file order
    closed: dict[dt.date, ClosedMonth] = field(default_factory=dict)  # months it would change

    @property
    def name(self) -> str:
        return self.reading.name

    @property
    def new(self) -> list[Change]:
        return [c for c in self.changes if c.status == Status.NEW]

    @property
    def changed(self) -> list[Change]:
        return [c for c in self.changes if c.status == Status.CHANGED]

    @property
    def unchanged(self) -> list[Change]:
        return [c for c in self.changes if c.status == Status.UNCHANGED]

    @property
    def to_write(self) -> list[Change]:
        """The new and changed figures."""
        return [c for c in self.changes if c.status != Status.UNCHANGED]

    @property
    def warnings(self) -> list[Change]:
        """Figures that deserve a second look (the return's checks): confirmed before import."""
        return [c for c in self.changes if c.warnings]

    @property
    def summary(self) -> str:
        text = f"{len(self.new)} new, {len(self.changed)} changed, {len(self.unchanged)} unchanged"
        if self.warnings:
            text += f", {len(self.warnings)} to check"
        if self.problems:
            text += f", {len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        return text

    def fingerprint(self) -> str:
        """Changes if anything the preview showed would be different at commit."""
        lines = sorted(
            f"{c.status}|{c.kpi.pk}|{c.month}|{c.version}|{c.new}|{c.warnings}"
            for c in self.changes
        ) + sorted(str(p) for p in self.problems)
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def plan(reading: Reading, *, by: Any, today: dt.date | None = None) -> Plan:
    """Compare what a file holds with the stored figures, and check every figure as the
    write path checks it (kpis.figures: units, decimals, due months, fractions, closed
    months, plausibility). A note or fraction the file does not give stays as stored."""
    result = Plan(reading=reading)
    problems = list(reading.problems)
    kpis = _kpis_by_ref()
    found = {ref: kpi for ref in {f.ref for f in reading.figures} if (kpi := _find(kpis, ref))}
    unknown: set[tuple[str, int]] = set()
    entries: list[tuple[Figure, figures.Entry]] = []
    for figure in reading.figures:
        kpi = found.get(figure.ref)
        if kpi is None:
            if (figure.ref, figure.place.row) not in unknown:
                unknown.add((figure.ref, figure.place.row))
                problems.append(
                    Problem(
                        f'no KPI has the reference "{_shown(figure.ref)}"', figure.place, figure.ref
                    )
                )
            continue
        if figure.percent and kpi.unit != Unit.PERCENT:
            problems.append(
                Problem(
                    f"this is a percentage, but KPI {kpi.ref} is measured as "
                    f"{kpi.get_unit_display().lower()}",
                    figure.place,
                    kpi.ref,
                    figure.month,
                )
            )
            continue
        if figure.quarter is not None and kpi.frequency != Frequency.QUARTERLY:
            problems.append(
                Problem(_quarter_refusal(figure.quarter, kpi), figure.place, kpi.ref, figure.month)
            )
            continue
        entries.append((figure, _entry(figure, kpi)))
    # The closed-month rule is said once per month below, not once per figure.
    checked = figures.check(
        [e for _, e in entries], by=by, reason="(checked at import)", today=today
    )
    result.closed = checked.closed
    for (figure, _), change in zip(entries, checked.changes, strict=True):
        own = [p for p in checked.problems_of(change.index) if p.code == figures.Code.INVALID]
        prefix = f"{change.entry.where}: "
        for problem in own:
            problems.append(
                Problem(
                    problem.message.removeprefix(prefix).rstrip("."),
                    figure.place,
                    change.kpi.ref,
                    change.month,
                )
            )
        if not own:
            result.changes.append(Change(change, figure.place))
    if not ClosedMonth.may_amend(by):
        for month, closure in sorted(result.closed.items()):
            count = sum(1 for c in result.to_write if c.month == month)
            if count:
                problems.append(
                    Problem(
                        f"{periods.month_label(month)} is closed ({closure.reason}): this file "
                        f"would change {count} of its figures, and that needs the permission to "
                        "amend closed periods",
                        month=month,
                    )
                )
    result.problems = _in_file_order(problems)
    return result


def _quarter_refusal(quarter: periods.Quarter, kpi: Kpi) -> str:
    """Why a figure for a quarter cannot be a monthly or annual KPI's, and what would be."""
    if kpi.frequency == Frequency.ANNUAL:
        march = periods.month_label(quarter.year.months()[-1])
        return (
            f"{quarter} is a quarter, but KPI {kpi.ref} is annual: give its figure for the "
            f"year, at March ({march})"
        )
    labels = [periods.month_label(month) for month in quarter.months()]
    return (
        f"{quarter} is a quarter, but KPI {kpi.ref} is monthly: give its figures by month "
        f"({', '.join(labels[:-1])} and {labels[-1]})"
    )


def _entry(figure: Figure, kpi: Kpi) -> figures.Entry:
    """What the file asks for one figure: what it does not give stays as stored."""
    return figures.Entry(
        kpi=kpi,
        month=figure.month,
        value=figure.value if figure.value is not None else figures.UNCHANGED,
        numerator=figure.numerator if figure.numerator is not None else figures.UNCHANGED,
        denominator=figure.denominator if figure.denominator is not None else figures.UNCHANGED,
        note=figure.note if figure.note is not None else figures.UNCHANGED,
        stated=figure.stated if figure.stated is not None else figures.UNCHANGED,
        place=str(figure.place),
    )


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """Problems about the whole file first, then by sheet (in the order met), row and column."""
    sheets: dict[str | None, int] = {}
    for problem in problems:
        if problem.place is not None:
            sheets.setdefault(problem.place.sheet, len(sheets))

    def key(problem: Problem) -> tuple[int, int, int, int]:
        if problem.place is None:
            return (0, 0, 0, 0)
        place = problem.place
        return (1, sheets[place.sheet], place.row, place.column)

    return sorted(problems, key=key)


def _kpis_by_ref() -> dict[str, list[Kpi]]:
    kpis: dict[str, list[Kpi]] = {}
    for kpi in Kpi.objects.all():
        kpis.setdefault(kpi.ref.casefold(), []).append(kpi)
    return kpis


def _find(kpis: dict[str, list[Kpi]], ref: str) -> Kpi | None:
    """The KPI with this reference: exactly, or ignoring case when that is unambiguous."""
    candidates = kpis.get(ref.casefold(), [])
    exact = [kpi for kpi in candidates if kpi.ref == ref]
    if exact:
        return exact[0]
    return candidates[0] if len(candidates) == 1 else None


# The preview, as kept --------------------------------------------------------------------

PREVIEW_ROWS = 2_000  # rows of each kind kept for the preview page (the counts are all)


def preview(plan: Plan) -> dict[str, Any]:
    """What the preview page shows, as JSON kept with the uploaded file: the counts, the
    problems and notes, and the first PREVIEW_ROWS figures of each kind. Built once, by
    the background worker; the commit checks the file again against the stored figures."""
    return {
        "layout": plan.reading.layout or "",
        "summary": plan.summary,
        "counts": {
            "new": len(plan.new),
            "changed": len(plan.changed),
            "unchanged": len(plan.unchanged),
            "to_check": len(plan.warnings),
            "problems": len(plan.problems),
            "to_write": len(plan.to_write),
        },
        "problems": [
            {"place": str(p.place or "The file"), "context": p.context, "message": p.message}
            for p in plan.problems[:PREVIEW_ROWS]
        ],
        "notes": list(plan.reading.notes),
        "warnings": [_preview_row(c, plan) for c in plan.warnings[:PREVIEW_ROWS]],
        "changed": [_preview_row(c, plan) for c in plan.changed[:PREVIEW_ROWS]],
        "new": [_preview_row(c, plan) for c in plan.new[:PREVIEW_ROWS]],
        "unchanged": [_preview_row(c, plan) for c in plan.unchanged[:PREVIEW_ROWS]],
        "closed": [month.isoformat() for month in sorted(plan.closed)],
        "fingerprint": plan.fingerprint(),
    }


def _preview_row(change: Change, plan: Plan) -> dict[str, Any]:
    return {
        "ref": change.kpi.ref,
        "description": change.kpi.description,
        "month": change.month_label,
        "closed": change.month in plan.closed,
        "old": change.old_formatted,
        "new": change.formatted,
        "fraction": change.fraction,
        "fraction_changed": change.fraction_changed,
        "note": change.note,
        "note_changed": change.note_changed,
        "stated": change.stated,
        "stated_changed": change.stated_changed,
        "place": str(change.place),
        "warnings": list(change.warnings),
    }


# Committing ---------------------------------------------------------------------------


class ImportRefused(Exception):
    """Nothing was written, for these reasons."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)


def history_reason(name: str, reason: str = "") -> str:
    """What each imported figure's history gives as the reason."""
    base = f"Imported from {name}"
    return f"{base}: {reason.strip()}" if reason.strip() else base


def commit(
    *,
    plan: Plan,
    by: Any,
    reason: str = "",
    source: figures.Source = figures.Source.IMPORT,
    confirmed: bool = False,
) -> list[Change]:
    """Write the plan's new and changed figures, all or none, and return them.

    Refused (ImportRefused, nothing written) when the plan has problems, when it has
    figures to check that are not `confirmed`, when it changes a closed month and no reason
    is given, or when a figure changed since the plan was made.
    """
    if plan.problems:
        raise ImportRefused(plan.problems)
    to_write = plan.to_write
    if plan.warnings and not confirmed:
        raise ImportRefused(
            [
                Problem(
                    f"check this figure first: {'; '.join(c.warnings)}", c.place, c.kpi.ref, c.month
                )
                for c in plan.warnings
            ]
        )
    closed = sorted({c.month for c in to_write if c.month in plan.closed})
    if closed and not reason.strip():
        labels = ", ".join(periods.month_label(m) for m in closed)
        raise ImportRefused(
            [Problem(f"the file changes figures in closed months ({labels}); give a reason")]
        )
    entries = [replace(c.change.entry, version=c.version, confirmed=confirmed) for c in to_write]
    try:
        figures.record_figures(
            entries=entries, by=by, source=source, reason=history_reason(plan.name, reason)
        )
    except figures.Refused as refused:
        places = {id(entry): c.place for entry, c in zip(entries, to_write, strict=True)}
        found = []
        for problem in refused.checked.problems:
            message = problem.message.removeprefix(f"{problem.entry.where}: ").rstrip(".")
            if problem.code == figures.Code.CONFLICT:
                message = (
                    f"this figure changed since the preview ({message}); preview the file again"
                )
            found.append(
                Problem(
                    message,
                    places.get(id(problem.entry)),
                    problem.entry.kpi.ref,
                    problem.entry.month,
                )
            )
        raise ImportRefused(found) from refused
    return to_write


@dataclass
class Outcome:
    plan: Plan
    written: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def import_file(
    *,
    name: str,
    content: bytes,
    by: Any,
    reason: str = "",
    dry_run: bool = False,
    confirmed: bool = False,
    source: figures.Source = figures.Source.IMPORT,
    today: dt.date | None = None,
    options: ReadOptions | None = None,
) -> Outcome:
    """Read, check and (unless a dry run) write a file's figures: all of them or none."""
    result = plan(read(name, content, options=options), by=by, today=today)
    outcome = Outcome(plan=result, problems=list(result.problems))
    if outcome.problems or dry_run:
        return outcome
    try:
        outcome.written = commit(
            plan=result, by=by, reason=reason, source=source, confirmed=confirmed
        )
    except ImportRefused as refused:
        outcome.problems = refused.problems
    return outcome
