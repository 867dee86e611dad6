"""Every spreadsheet the portal writes, workbook or CSV, written one way.

The overview download, the admin export and the report workbook all write through this
module, so the same figure is the same cell wherever it appears:

- **Figures** are numbers in their KPI's own format: a percentage as an Excel percentage
  (74.9 is written 0.749 and formatted `0.0%`), a count `#,##0`, money `"£"#,##0`, a rate
  or an average with its decimals (`0.0`, `0.00`), days `0" days"`.
- **Symbols** (values that are not numbers, `kpis.symbols`: c, k, low, u, x, z, n/a, <5)
  are written as text, never as zero or blank, and each sheet that shows one gets a key
  saying what it means. A month without a figure says "no data" (or stays blank where a
  blank means "leave it as it is", as in the export made for importing back).
- **RAG** is the word (Green, Amber, Red, No target…) with a fill repeating it: colour is
  never alone.
- **Text** is always text: never a formula, whatever it starts with (and a cell starting
  with = + - @ is marked so that editing it keeps it text); characters no workbook can hold
  (control characters other than tab, newline and carriage return, DEL, lone surrogates)
  are removed, so no stored text can break a download.
- **Dates and times** are UK local time: a report published at 00:30 BST on 1 July says
  1 July.
- **Print set-up**: landscape A4, a footer with the sheet's name and "page N of M",
  repeated header rows (and columns where a table is wider than a page); a wide table is
  split across pages at its own size rather than shrunk.
- **CSV** is the table as the report prints it, with the unit in its own column: the figure
  with its KPI's decimals (74.9, 258, 19.61), no unit symbol or thousands separator; a
  symbol as its code, with its meaning in the last column; months as 2022-06; text guarded
  against being run as a formula (a leading ').

XlsxWriter writes the workbooks: measured against openpyxl in `bench/workbook.py`, it
writes the same formatted cells and native charts several times faster. openpyxl stays for
reading imports.
"""

import csv
import datetime as dt
import gc
import io
import math
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal
from zoneinfo import ZoneInfo

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from kpis import symbols
from kpis.rag import Rag
from kpis.units import Unit

UK = ZoneInfo("Europe/London")

# What XML 1.0, and so an .xlsx, cannot hold: the C0 control characters but tab, newline and
# carriage return; and what Excel rejects besides: DEL, lone surrogates, U+FFFE and U+FFFF.
# (XML 1.0 §2.2 "Char"; ECMA-376 stores cell text as XML.)
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# Excel's limit on a cell's text ("Excel specifications and limits": 32,767 characters).
MOST_CHARACTERS = 32_767
# What a spreadsheet may run as a formula when a cell starts with it (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

BODY_POINTS = 10  # printed at 100%, the KPI table is 10 pt: legible, and above the 8 pt floor
# Characters of column width (the default font's) that landscape A4 holds at 100% within
# PrintSetup's margins: measured by printing sheets through LibreOffice with Calibri's metrics.
PAGE_CHARACTERS = 128
SMALLEST_PRINTED_POINTS = 8  # issue 16: nothing prints smaller
LINE_POINTS = 12.75  # a line of 10 pt Calibri: Excel's own row height for that font

NO_DATA = "no data"
ABSENT_CSV = ""  # a month without a figure, in a CSV

# Fills that repeat the RAG word written in the cell (GOV.UK tag colours, lightened).
RAG_FILLS = {Rag.GREEN: "#CCE2D8", Rag.AMBER: "#FFE5B4", Rag.RED: "#F6D7D2"}
HEADER_FILL = "#DDE3EA"
BORDER_COLOUR = "#8E9BA8"

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


# ---------------------------------------------------------------------------------------
# Text, dates and figures: the values, before any file


def clean(text: str) -> str:
    """Text as a workbook can hold it: forbidden characters removed, within Excel's limit."""
    text = FORBIDDEN.sub("", str(text))
    if len(text) > MOST_CHARACTERS:
        text = text[: MOST_CHARACTERS - 1] + "…"
    return text


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_text(text: str) -> str:
    """Text for a CSV cell: cleaned, and never run as a formula by the program opening it."""
    text = clean(text)
    return "'" + text if looks_like_formula(text) else text


def uk_date(moment: dt.datetime) -> dt.date:
    """The day a moment falls on in the UK (00:30 BST on 1 July is 1 July, not 30 June)."""
    return moment.astimezone(UK).date()


def uk_time(moment: dt.datetime) -> dt.datetime:
    """A moment as a UK clock shows it, without a zone (Excel's dates have none)."""
    return moment.astimezone(UK).replace(tzinfo=None)


def long_date(day: dt.date) -> str:
    """1 July 2022"""
    return f"{day.day} {day:%B %Y}"


def month_text(month: dt.date) -> str:
    """A month in a CSV: 2022-06 (read back as that month by every spreadsheet)."""
    return f"{month:%Y-%m}"


@dataclass(frozen=True)
class Measure:
    """How a KPI's figures are written: its unit and the decimals it is shown with."""

    unit: str
    decimals: int

    @cached_property
    def number_format(self) -> str:
        """Excel's format: 0.0% (the cell holds 0.749 for 74.9%), #,##0, "£"#,##0, 0.00."""
        places = "0" + ("." + "0" * self.decimals if self.decimals else "")
        if self.unit == Unit.PERCENT:
            return f"{places}%"
        if self.unit == Unit.COUNT:
            return f"#,##{places}"
        if self.unit == Unit.MONEY:
            return f'"£"#,##{places};-"£"#,##{places}'
        if self.unit == Unit.DAYS:
            return f'{places}" days"'
        return places

    @property
    def unit_label(self) -> str:
        """The unit column of a CSV: Percentage, Count, Rate per 10,000 children, £…"""
        try:
            return str(Unit(self.unit).label)
        except ValueError:
            return self.unit

    def cell_number(self, value: Decimal) -> int | float:
        """The number a workbook holds: a percentage as its fraction (74.9 → 0.749), a whole
        number as an integer. The float's shortest form reads back as the same decimal."""
        exact = value / 100 if self.unit == Unit.PERCENT else value
        if exact == exact.to_integral_value():
            return int(exact)
        return float(exact)

    def printed(self, value: Decimal) -> str:
        """The figure as the report prints it, without unit symbol or separators: 74.9,
        258, 19.61, 1900000."""
        return f"{value.quantize(Decimal(1).scaleb(-self.decimals)):f}"


MONEY = Measure(Unit.MONEY, 0)


@dataclass(frozen=True)
class Figure:
    """A figure as every writer takes it: a number, a symbol (kpis.symbols), or nothing."""

    measure: Measure
    value: Decimal | None = None
    symbol: str = ""

    def __post_init__(self) -> None:
        if self.symbol and not symbols.is_symbol(self.symbol):
            raise ValueError(f"{self.symbol!r} is not a symbol")
        if self.symbol and self.value is not None:
            raise ValueError("a figure is a number or a symbol, not both")

    @property
    def is_number(self) -> bool:
        return self.value is not None

    def csv(self) -> str:
        if self.value is not None:
            return self.measure.printed(self.value)
        return self.symbol or ABSENT_CSV


@dataclass(frozen=True)
class Month:
    """A month in a row of cells: a date formatted mmm-yy in a workbook, 2022-06 in a CSV."""

    first_day: dt.date


def symbol_key(codes: Iterable[str]) -> str:
    """c = suppressed to protect confidentiality; x = not available"""
    return "; ".join(f"{code} = {meaning}" for code, meaning in symbols.key(set(codes)))


def rag_word(rag: str) -> str:
    """The word for a kpis.rag.Rag value ("" when a figure is not judged at all)."""
    return str(Rag(rag).label) if rag else ""


# ---------------------------------------------------------------------------------------
# CSV


CsvCell = str | Figure | Month | dt.date | Decimal | int | None
SYMBOLS_HEADING = "Symbols"


def csv_document(headers: Sequence[str], rows: Iterable[Sequence[CsvCell]]) -> str:
    """A CSV of the rows, with a last column giving the meaning of any symbol in the row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_text(heading) for heading in [*headers, SYMBOLS_HEADING]])
    for row in rows:
        codes = {cell.symbol for cell in row if isinstance(cell, Figure) and cell.symbol}
        writer.writerow([_csv_cell(cell) for cell in row] + [symbol_key(codes)])
    return out.getvalue()


def _csv_cell(cell: CsvCell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Figure):
        return cell.csv()
    if isinstance(cell, Month):
        return month_text(cell.first_day)
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, Decimal | int):
        return str(cell)
    return csv_text(cell)


# ---------------------------------------------------------------------------------------
# Workbooks


@dataclass(frozen=True)
class Style:
    """How a cell looks; each distinct style becomes one Excel format."""

    bold: bool = False
    points: float = BODY_POINTS
    fill: str = ""
    border: bool = False
    wrap: bool = False
    align: Literal["", "left", "center", "right"] = ""
    number_format: str = ""
    quote_prefix: bool = False

    def but(self, **changes: Any) -> "Style":
        """This style with some settings changed (each variant made once: styles are
        looked up for every cell written)."""
        key = (self, tuple(changes.items()))
        found = _VARIANTS.get(key)
        if found is None:
            found = _VARIANTS[key] = replace(self, **changes)
        return found

    def __hash__(self) -> int:
        return self._hash

    @cached_property
    def _hash(self) -> int:
        return hash(astuple(self))


_VARIANTS: dict[tuple[Style, tuple[tuple[str, Any], ...]], Style] = {}

BODY = Style()
BOLD = Style(bold=True)
TITLE = Style(bold=True, points=16)
HEADING = Style(bold=True, points=13)
HEADER = Style(bold=True, fill=HEADER_FILL, border=True, wrap=True, align="center")
GRID = Style(border=True)
WRAPPED = Style(wrap=True)
GRID_WRAPPED = Style(border=True, wrap=True)
MONTH_FORMAT = "mmm-yy"
DAY_FORMAT = "d mmmm yyyy"
LONG_MONTH_FORMAT = "mmmm yyyy"
MOMENT_FORMAT = "d mmmm yyyy hh:mm"


@dataclass(frozen=True)
class PrintSetup:
    """How a sheet prints: always landscape A4 with page numbers in the footer.

    `fit_width` shrinks a sheet to one page wide (for sheets that are a little too wide);
    a wide table instead prints at 100% across pages with `title_columns` repeated, so its
    text stays BODY_POINTS large."""

    title_rows: tuple[int, int] | None = None  # first and last, 1-based
    title_columns: tuple[int, int] | None = None
    fit_width: bool = True
    page_breaks: tuple[int, ...] = ()  # rows that start a new page, 1-based


class Book:
    """One workbook being written: `sheet()` for each sheet in order, then `close()`.

    Used as a context manager, it pauses Python's cyclic garbage collector while it writes:
    a workbook keeps tens of thousands of small objects alive until it is closed, none of
    them garbage, and rescanning them costs a fifth of the writing time (bench/workbook.py).
    """

    def __init__(
        self,
        *,
        title: str,
        author: str,
        subject: str = "",
        keywords: str = "",
        comments: str = "",
        category: str = "",
        created: dt.datetime | None = None,
    ) -> None:
        self.buffer = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(
            self.buffer,
            {
                "in_memory": True,
                # Strings are never turned into formulas, numbers or links behind our back.
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self.title = clean(title)
        properties: dict[str, Any] = {
            "title": self.title,
            "subject": clean(subject),
            "author": clean(author),
            "company": clean(author),
            "keywords": clean(keywords),
            "comments": clean(comments),
            "category": clean(category),
        }
        if created is not None:
            # XlsxWriter writes the time as UTC.
            properties["created"] = created.astimezone(dt.UTC).replace(tzinfo=None)
        self.workbook.set_properties(properties)
        self.workbook.set_custom_property("Language", "en-GB")
        self.formats: dict[Style, Format] = {}
        self.texts: dict[str, tuple[str, bool]] = {}
        self.lines: dict[tuple[str, int], int] = {}
        self.figure_formats: dict[tuple[Style, Measure], Format] = {}
        self.sheets: list[Sheet] = []
        self.collecting = gc.isenabled()

    def __enter__(self) -> "Book":
        self.collecting = gc.isenabled()
        gc.disable()
        return self

    def __exit__(self, *exception: object) -> None:
        if self.collecting:
            gc.enable()

    def sheet(self, name: str) -> "Sheet":
        sheet = Sheet(self, self.workbook.add_worksheet(clean(name)[:31]))
        self.sheets.append(sheet)
        return sheet

    def cleaned(self, text: str) -> tuple[str, bool]:
        """`clean(text)`, and whether it starts like a formula (remembered: the same texts,
        descriptions and month labels, are written again and again)."""
        found = self.texts.get(text)
        if found is None:
            tidy = clean(text)
            found = self.texts[text] = (tidy, looks_like_formula(tidy))
        return found

    def wrapped_lines(self, text: str, per_line: int) -> int:
        """The lines `text` takes wrapped at word breaks, `per_line` characters a line."""
        key = (text, per_line)
        found = self.lines.get(key)
        if found is None:
            found = self.lines[key] = sum(
                max(1, len(textwrap.wrap(part, per_line))) for part in text.split("\n")
            )
        return found

    def format(self, style: Style) -> Format:
        if style not in self.formats:
            properties: dict[str, Any] = {
                "font_name": "Calibri",
                "font_size": style.points,
                "valign": "top",
            }
            if style.bold:
                properties["bold"] = True
            if style.fill:
                properties["bg_color"] = style.fill
                properties["pattern"] = 1
            if style.border:
                properties["border"] = 1
                properties["border_color"] = BORDER_COLOUR
            if style.wrap:
                properties["text_wrap"] = True
            if style.align:
                properties["align"] = style.align
            if style.number_format:
                properties["num_format"] = style.number_format
            if style.quote_prefix:
                properties["quote_prefix"] = True
            self.formats[style] = self.workbook.add_format(properties)
        return self.formats[style]

    def chart(self, kind: str = "line") -> Any:
        return self.workbook.add_chart({"type": kind})

    def close(self) -> bytes:
        for sheet in self.sheets:
            sheet.finish()
        self.workbook.close()
        return self.buffer.getvalue()


@dataclass
class Sheet:
    """A worksheet with the portal's convention. Rows and columns count from 1, as Excel
    numbers them (row 1, column 1 is A1)."""

    book: Book
    worksheet: Worksheet
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, int] = field(default_factory=dict)  # row → lines of wrapped text
    symbols_shown: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return str(self.worksheet.name)

    # Layout -----------------------------------------------------------------------

    def column_widths(self, widths: dict[int, float]) -> None:
        """Widths in characters; set them before writing wrapped text (rows grow to fit)."""
        for column, width in widths.items():
            self.widths[column] = width
            self.worksheet.set_column(column - 1, column - 1, width)

    def freeze(self, row: int, column: int) -> None:
        """Keep the rows above `row` and the columns left of `column` in view."""
        self.worksheet.freeze_panes(row - 1, column - 1)

    def print_setup(self, setup: PrintSetup, *, document: str) -> None:
        sheet = self.worksheet
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        sheet.hide_gridlines(2)
        sheet.set_header(f"&L{_header_text(document)}", {"margin": 0.25})
        sheet.set_footer("&C&A – page &P of &N", {"margin": 0.25})
        if setup.title_rows:
            sheet.repeat_rows(setup.title_rows[0] - 1, setup.title_rows[1] - 1)
        if setup.title_columns:
            sheet.repeat_columns(setup.title_columns[0] - 1, setup.title_columns[1] - 1)
            sheet.print_across()  # a row's pages follow each other: left half, then right
        if setup.fit_width:
            width = sum(self.widths.values())
            if width * SMALLEST_PRINTED_POINTS > PAGE_CHARACTERS * BODY_POINTS:
                raise ValueError(
                    f"sheet {self.name!r} is {width:g} characters wide: fitted to a page it "
                    f"would print smaller than {SMALLEST_PRINTED_POINTS} pt; print it across "
                    "pages with title_columns instead"
                )
            sheet.fit_to_pages(1, 0)
        else:
            sheet.set_print_scale(100)
        if setup.page_breaks:
            sheet.set_h_pagebreaks([row - 1 for row in setup.page_breaks])

    # Cells ------------------------------------------------------------------------

    def text(self, row: int, column: int, text: str, style: Style = BODY) -> None:
        """Text as typed, never a formula."""
        text, formula = self.book.cleaned(text)
        if formula:
            style = style.but(quote_prefix=True)
        if style.wrap:
            self._grow(row, column, text, style)
        self.worksheet.write_string(row - 1, column - 1, text, self.book.format(style))

    def merged_text(
        self, row: int, first: int, last: int, text: str, style: Style = WRAPPED
    ) -> None:
        """Text across columns `first` to `last` of one row."""
        text = clean(text)
        if looks_like_formula(text):
            style = style.but(quote_prefix=True)
        self._grow(row, first, text, style, width=self._width(first, last))
        self.worksheet.merge_range(
            row - 1, first - 1, row - 1, last - 1, text, self.book.format(style)
        )

    def number(self, row: int, column: int, value: Decimal | int | float, style: Style) -> None:
        number = float(value) if isinstance(value, Decimal) else value
        if isinstance(number, float) and not math.isfinite(number):
            raise ValueError(f"{value} is not a number a workbook can hold")
        if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
            number = int(number)
        self.worksheet.write_number(row - 1, column - 1, number, self.book.format(style))

    def figure(
        self,
        row: int,
        column: int,
        figure: Figure,
        style: Style = BODY,
        *,
        absent: str = NO_DATA,
    ) -> None:
        """A KPI's figure: a number in its format, a symbol as text (noted for the key), or
        `absent` ("no data"; "" leaves a formatted blank, for typing into)."""
        if figure.value is not None:
            key = (style, figure.measure)
            fmt = self.book.figure_formats.get(key)
            if fmt is None:
                number_style = style.but(number_format=figure.measure.number_format)
                fmt = self.book.figure_formats[key] = self.book.format(number_style)
            number = figure.measure.cell_number(figure.value)
            self.worksheet.write_number(row - 1, column - 1, number, fmt)
        elif figure.symbol:
            self.symbols_shown.add(figure.symbol)
            self.text(row, column, figure.symbol, style.but(align="right"))
        elif absent:
            self.text(row, column, absent, style.but(align="right"))
        else:
            self.blank(row, column, style.but(number_format=figure.measure.number_format))

    def money(self, row: int, column: int, value: Decimal, style: Style = BODY) -> None:
        self.figure(row, column, Figure(MONEY, value), style)

    def day(self, row: int, column: int, day: dt.date, style: Style = BODY) -> None:
        self._date(row, column, day, style.but(number_format=DAY_FORMAT))

    def month(
        self, row: int, column: int, month: dt.date, style: Style = BODY, *, long: bool = False
    ) -> None:
        fmt = LONG_MONTH_FORMAT if long else MONTH_FORMAT
        self._date(row, column, month, style.but(number_format=fmt))

    def moment(self, row: int, column: int, moment: dt.datetime, style: Style = BODY) -> None:
        """A date and time as the UK clock showed it."""
        self._date(row, column, uk_time(moment), style.but(number_format=MOMENT_FORMAT))

    def rag(self, row: int, column: int, rag: str, style: Style = GRID) -> None:
        """The RAG word, with a fill that repeats it."""
        fill = RAG_FILLS.get(Rag(rag), "") if rag else ""
        self.text(row, column, rag_word(rag), style.but(fill=fill or style.fill))

    def blank(self, row: int, column: int, style: Style) -> None:
        self.worksheet.write_blank(row - 1, column - 1, None, self.book.format(style))

    def cells(self, row: int, column: int, values: Sequence[CsvCell], style: Style = BODY) -> None:
        """A row of plain values: text, figures, months, days and whole numbers."""
        for offset, value in enumerate(values):
            at = column + offset
            if value is None:
                continue
            if isinstance(value, Figure):
                self.figure(row, at, value, style)
            elif isinstance(value, Month):
                self.month(row, at, value.first_day, style)
            elif isinstance(value, dt.date):
                self.day(row, at, value, style)
            elif isinstance(value, Decimal | int):
                self.number(row, at, value, style)
            else:
                self.text(row, at, value, style)

    def note(self, row: int, column: int, text: str, *, author: str = "") -> None:
        """A comment on a cell (an analyst's note on a figure)."""
        options = {"author": clean(author)} if author else {}
        self.worksheet.write_comment(row - 1, column - 1, clean(text), options)

    def table(self, first_row: int, last_row: int, headers: Sequence[str], *, name: str) -> None:
        """Mark written rows as an Excel table with a header row (filter and sort)."""
        self.worksheet.add_table(
            first_row - 1,
            0,
            last_row - 1,
            len(headers) - 1,
            {
                "name": name,
                "style": "Table Style Light 9",
                "columns": [{"header": clean(heading)} for heading in headers],
            },
        )

    def autofilter(self, first_row: int, last_row: int, columns: int) -> None:
        self.worksheet.autofilter(first_row - 1, 0, last_row - 1, columns - 1)

    def chart(
        self, row: int, column: int, chart: Any, *, description: str, size: tuple[int, int]
    ) -> None:
        """A native chart, with its alternative text."""
        chart.set_size({"width": size[0], "height": size[1]})
        self.worksheet.insert_chart(
            row - 1, column - 1, chart, {"description": clean(description), "object_position": 1}
        )

    def symbol_key(self, row: int, column: int = 1, *, last_column: int | None = None) -> int:
        """The meaning of each symbol shown on the sheet so far; the row after it."""
        if not self.symbols_shown:
            return row
        self.text(row, column, "Symbols", BOLD)
        row += 1
        for code, meaning in symbols.key(self.symbols_shown):
            text = f"{code}: {meaning}"
            if last_column:
                self.merged_text(row, column, last_column, text, BODY)
            else:
                self.text(row, column, text)
            row += 1
        return row

    def reference(self, first_row: int, column: int, last_row: int, last_column: int) -> list[Any]:
        """A range of this sheet, as a chart's series takes it."""
        return [self.name, first_row - 1, column - 1, last_row - 1, last_column - 1]

    # Wrapped text: rows as tall as their text -------------------------------------

    def _width(self, first: int, last: int) -> float:
        return sum(self.widths.get(column, 8.43) for column in range(first, last + 1))

    def _grow(
        self, row: int, column: int, text: str, style: Style, *, width: float | None = None
    ) -> None:
        if not style.wrap:
            return
        room = width if width is not None else self.widths.get(column, 8.43)
        # Characters a line holds: the width counts the 11 pt default font's widest digits,
        # and text averages narrower (measured in LibreOffice with Calibri's metrics).
        per_line = max(int(room * 11 / style.points * 1.2), 1)
        lines = self.book.wrapped_lines(text, per_line)
        if lines > self.heights.get(row, 1):
            self.heights[row] = lines

    def _date(self, row: int, column: int, day: dt.date, style: Style) -> None:
        moment = day if isinstance(day, dt.datetime) else dt.datetime(day.year, day.month, day.day)
        self.worksheet.write_datetime(row - 1, column - 1, moment, self.book.format(style))

    def finish(self) -> None:
        for row, lines in self.heights.items():
            if lines > 1:
                self.worksheet.set_row(row - 1, math.ceil(LINE_POINTS * lines + 2))


def _header_text(text: str) -> str:
    """Text for a header or footer: & starts a code there, so it is doubled."""
    return clean(text).replace("&", "&&")[:100]
