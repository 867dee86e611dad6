"""The quarterly report as an Excel workbook a council officer can open, print and forward.

Renders a `ReportContent` (never the database): a summary sheet, the KPI table laid out like
the report, RAG by month, a native line chart per KPI, benchmarks, finance, contract matters
and a long-format data sheet. Numbers are written as numbers with per-KPI number formats;
text is always text (never a formula).
"""

import datetime as dt
import html
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import LineChart, Reference
from openpyxl.drawing.text import CharacterProperties, ParagraphProperties
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from kpis.units import Unit

from .content import KpiRow, ReportContent, Table

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=16)
HEADING = Font(bold=True, size=13)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
TOP = Alignment(vertical="top")
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
THIN = Side(style="thin", color="8E9BA8")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

# RAG fills repeat the word written in the cell; they never carry meaning alone.
RAG_FILLS = {
    "green": PatternFill("solid", fgColor="CCE2D8"),
    "amber": PatternFill("solid", fgColor="FFE5B4"),
    "red": PatternFill("solid", fgColor="F6D7D2"),
}
RAG_WORDS = {
    "green": "Green",
    "amber": "Amber",
    "red": "Red",
    "no-target": "No target",
    "not-judged": "Not judged",
    "no-data": "No data",
    "no-benchmark": "Not judged: no benchmark",
    "no-baseline": "Not judged: no starting figure",
}


def number_format(unit: str, decimals: int) -> str:
    """Excel's format for a KPI: percentages as true percentages (0.749 shown as 74.9%)."""
    digits = "0" if decimals == 0 else "0." + "0" * decimals
    if unit == Unit.PERCENT:
        return digits + "%"
    if unit == Unit.MONEY:
        return "£#,##" + digits
    if unit == Unit.COUNT:
        return "#,##" + digits
    return digits


def excel_number(value: Decimal, unit: str) -> Decimal:
    """The number Excel holds: a percentage as its fraction (74.9 → 0.749)."""
    return value / 100 if unit == Unit.PERCENT else value


def write_text(cell: Cell, value: str) -> Cell:
    """Text exactly as typed: never evaluated, even when it starts with '='."""
    cell.value = value
    cell.data_type = "s"
    if value[:1] in ("=", "+", "-", "@"):
        cell.style = "Normal"
        cell.quotePrefix = True
    return cell


def put(ws: Worksheet, row: int, column: int, value: Any, **style: Any) -> Cell:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        write_text(cell, value)
    else:
        cell.value = value
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def render(report: ReportContent) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    _summary(summary, report)
    kpi_sheet = workbook.create_sheet("KPIs")
    _kpi_table(kpi_sheet, report)
    _rag_by_month(workbook.create_sheet("RAG by month"), report)
    _charts(workbook.create_sheet("Charts"), kpi_sheet, report)
    _benchmarks(workbook.create_sheet("Benchmarks"), report)
    if report.holds("finance"):  # a reports.models.Block: only where a section holds it
        _lines_and_tables(
            workbook.create_sheet("Finance"),
            "Finances",
            report.finance_lines,
            report.finance_tables,
        )
    if report.holds("contract"):
        _lines_and_tables(
            workbook.create_sheet("Contract"),
            "Contractual matters",
            report.contract_lines,
            report.contract_tables,
        )
    _data(workbook.create_sheet("Data"), report)
    _properties(workbook, report)
    for sheet in workbook.worksheets:
        _fit_rows(sheet)
        _print_setup(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _properties(workbook: Workbook, report: ReportContent) -> None:
    props = workbook.properties
    props.title = report.title
    props.subject = f"{report.organisation}: {report.period}"
    props.creator = report.organisation
    props.keywords = f"performance report; KPIs; {report.year}; {report.quarter}"
    props.description = f"Status: {report.status_label}"
    props.language = "en-GB"
    props.category = "Performance report"


def _fit_rows(ws: Worksheet) -> None:
    """Give rows with wrapped text the height their text needs (spreadsheets do not grow a
    row for wrapped text on their own when the file does not say so)."""
    widths: dict[str, float] = {}

    def width(letter: str) -> float:
        if letter not in widths:
            widths[letter] = ws.column_dimensions[letter].width or 8.43
        return widths[letter]

    merged = {}
    for cells in ws.merged_cells.ranges:
        merged[(cells.min_row, cells.min_col)] = sum(
            width(get_column_letter(c)) for c in range(cells.min_col, cells.max_col + 1)
        )
    for row in ws.iter_rows():
        lines = 1
        for cell in row:
            if not isinstance(cell.value, str) or not (cell.alignment and cell.alignment.wrap_text):
                continue
            room = merged.get((cell.row, cell.column)) or width(cell.column_letter)
            per_line = max(int(room * 1.1), 1)
            needed = sum(max(1, -(-len(part) // per_line)) for part in cell.value.split("\n"))
            lines = max(lines, needed)
        if lines > 1:
            ws.row_dimensions[row[0].row].height = 15 * lines


def _print_setup(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "&A – page &P of &N"


def _status_line(report: ReportContent) -> str:
    if report.published_at:
        when = report.published_at.astimezone(dt.UTC).strftime("%-d %B %Y")
        by = f" by {report.published_by}" if report.published_by else ""
        return f"Status: {report.status_label}, {when}{by}"
    return f"Status: {report.status_label} (not published: figures may change)"


def _summary(ws: Worksheet, report: ReportContent) -> None:
    ws.title = "Summary"
    ws.column_dimensions["A"].width = 46
    for letter in "BCD":
        ws.column_dimensions[letter].width = 18
    ws.column_dimensions["E"].width = 60
    put(ws, 1, 1, report.title, font=TITLE)
    put(ws, 2, 1, report.organisation)
    put(ws, 3, 1, report.period)
    put(ws, 4, 1, _status_line(report))
    row = 6
    put(ws, row, 1, "Headline figures", font=HEADING)
    row += 1
    for column, heading in enumerate(["Measure", "Month", "Value", "Compared with", "Position"], 1):
        put(ws, row, column, heading, font=BOLD, fill=HEADER_FILL, border=BOX, alignment=WRAP)
    ws.freeze_panes = None
    for headline in report.headlines:
        row += 1
        put(ws, row, 1, headline.label, alignment=WRAP, border=BOX)
        if headline.month:
            put(ws, row, 2, headline.month, number_format="mmmm yyyy", border=BOX, alignment=WRAP)
        if headline.value is not None:
            put(
                ws,
                row,
                3,
                excel_number(headline.value, headline.unit),
                number_format=number_format(headline.unit, headline.decimals),
                border=BOX,
                alignment=WRAP,
            )
        else:
            put(ws, row, 3, "no data", border=BOX)
        put(ws, row, 4, headline.compared_with, alignment=WRAP, border=BOX)
        put(ws, row, 5, headline.sentence, alignment=WRAP, border=BOX)
    row += 2
    for narrative in report.narrative:
        put(ws, row, 1, narrative.heading, font=HEADING)
        row += 1
        for paragraph in paragraphs(narrative.html):
            put(ws, row, 1, paragraph, alignment=WRAP)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
            row += 1
        row += 1


def _kpi_header(ws: Worksheet, report: ReportContent, title: str, extra: Sequence[str]) -> int:
    """Title row, financial-year row, column headings; returns the first data row."""
    table = report.kpi_table
    put(ws, 1, 1, title, font=HEADING)
    column = 3
    for span in table.years:
        put(ws, 2, column, span.label, font=BOLD, fill=HEADER_FILL, alignment=CENTRE, border=BOX)
        if span.months > 1:
            ws.merge_cells(
                start_row=2, start_column=column, end_row=2, end_column=column + span.months - 1
            )
        column += span.months
    headings = ["Ref", "Description of KPI", *table.month_labels, *extra]
    for column, heading in enumerate(headings, 1):
        put(ws, 3, column, heading, font=BOLD, fill=HEADER_FILL, alignment=CENTRE, border=BOX)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 52
    for index in range(3, len(headings) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 9
    for index in range(3 + len(table.months), len(headings) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 14
    ws.freeze_panes = "C4"
    ws.print_title_rows = "2:3"
    ws.print_title_cols = "A:B"
    return 4


def _kpi_table(ws: Worksheet, report: ReportContent) -> None:
    table = report.kpi_table
    last, before = table.month_labels[-1], table.month_labels[-2] if len(table.months) > 1 else ""
    year_before = table.month_labels[-13] if len(table.months) > 12 else "a year before"
    extra = ["Target", "Target source", f"RAG ({last})", f"Direction vs {before}",
             f"Direction vs {year_before}"]  # fmt: skip
    row = _kpi_header(
        ws, report, f"Key performance indicators, {table.month_labels[0]} to {last}", extra
    )
    for kpi in table.rows:
        fmt = number_format(kpi.unit, kpi.decimals)
        put(ws, row, 1, kpi.ref, border=BOX, alignment=WRAP)
        put(ws, row, 2, kpi.description, border=BOX, alignment=WRAP)
        for offset, cell in enumerate(kpi.cells):
            if cell.value is None:
                put(ws, row, 3 + offset, "no data", border=BOX)
            else:
                put(
                    ws,
                    row,
                    3 + offset,
                    excel_number(cell.value, kpi.unit),
                    number_format=fmt,
                    border=BOX,
                )
        column = 3 + len(kpi.cells)
        if kpi.target is not None:
            put(ws, row, column, excel_number(kpi.target, kpi.unit), number_format=fmt, border=BOX)
        else:
            put(ws, row, column, kpi.target_shown, border=BOX)
        put(ws, row, column + 1, kpi.target_source, border=BOX)
        rag = put(ws, row, column + 2, kpi.rag_label, border=BOX, font=BOLD)
        if kpi.rag in RAG_FILLS:
            rag.fill = RAG_FILLS[kpi.rag]
        put(ws, row, column + 3, kpi.direction_label, border=BOX)
        put(ws, row, column + 4, kpi.direction_year_label, border=BOX)
        row += 1
    put(ws, row + 1, 1, "RAG and direction are judged in each KPI's polarity (higher or lower is "
        "better); context measures are not judged. Targets marked illustrative are not "
        f"{report.organisation}'s own.", alignment=WRAP)  # fmt: skip
    ws.merge_cells(
        start_row=row + 1, start_column=1, end_row=row + 1, end_column=2 + len(table.months)
    )


def _rag_by_month(ws: Worksheet, report: ReportContent) -> None:
    table = report.kpi_table
    row = _kpi_header(
        ws, report, "RAG against target, by month (the word is the RAG; the fill repeats it)", []
    )
    for kpi in table.rows:
        put(ws, row, 1, kpi.ref, border=BOX)
        put(ws, row, 2, kpi.description, border=BOX, alignment=WRAP)
        for offset, cell in enumerate(kpi.cells):
            written = put(ws, row, 3 + offset, RAG_WORDS.get(cell.rag, cell.rag), border=BOX)
            if cell.rag in RAG_FILLS:
                written.fill = RAG_FILLS[cell.rag]
        row += 1


def _charts(ws: Worksheet, kpi_sheet: Worksheet, report: ReportContent) -> None:
    table = report.kpi_table
    put(
        ws,
        1,
        1,
        "A line chart for each KPI, drawn from the KPIs sheet (the same figures as a table).",
        font=BOLD,
    )
    months = len(table.months)
    categories = Reference(kpi_sheet, min_col=3, max_col=2 + months, min_row=3, max_row=3)
    for index, kpi in enumerate(table.rows):
        data_row = 4 + index
        chart = LineChart()
        chart.title = f"KPI {kpi.ref}: {_shorten(kpi.description, 60)}"
        _small_title(chart)
        chart.style = 2
        chart.height = 7.5
        chart.width = 16
        chart.legend = None
        chart.y_axis.title = _axis_title(kpi)
        chart.y_axis.number_format = number_format(kpi.unit, kpi.decimals)
        chart.y_axis.majorGridlines = None
        chart.x_axis.number_format = "@"
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        data = Reference(
            kpi_sheet, min_col=2, max_col=2 + months, min_row=data_row, max_row=data_row
        )
        chart.add_data(data, from_rows=True, titles_from_data=True)
        chart.set_categories(categories)
        for series in chart.series:
            series.smooth = False
            series.marker.symbol = "circle"
            series.marker.size = 5
        anchor_row = 3 + (index // 2) * CHART_ROWS
        anchor_column = "A" if index % 2 == 0 else "K"
        ws.add_chart(chart, f"{anchor_column}{anchor_row}")
        if index % 4 == 3:  # two rows of two charts to a printed page
            ws.row_breaks.append(Break(id=anchor_row + CHART_ROWS - 1))


CHART_ROWS = 16


def _small_title(chart: LineChart) -> None:
    """A chart title in 11 point bold: the default is too large for a page of charts."""
    title = chart.title
    if title is not None and title.tx is not None and title.tx.rich is not None:
        for paragraph in title.tx.rich.p:
            paragraph.pPr = ParagraphProperties(defRPr=CharacterProperties(sz=1100, b=True))


def _axis_title(kpi: KpiRow) -> str:
    return {
        Unit.PERCENT: "Percentage",
        Unit.RATE: "Rate per 10,000",
        Unit.COUNT: "Number",
        Unit.AVERAGE: "Average",
        Unit.MONEY: "£",
        Unit.DAYS: "Days",
    }.get(Unit(kpi.unit), "")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _benchmarks(ws: Worksheet, report: ReportContent) -> None:
    ws.column_dimensions["A"].width = 50
    ws.column_dimensions["B"].width = 16
    put(ws, 1, 1, "Comparison with statistical neighbours", font=HEADING)
    benchmark = report.benchmark
    if benchmark is None:
        put(ws, 3, 1, "No benchmark is recorded for this report's headline measures.")
        return
    put(ws, 3, 1, "", fill=HEADER_FILL, border=BOX)
    put(ws, 3, 2, benchmark.month_heading, font=BOLD, fill=HEADER_FILL, border=BOX)
    row = 4
    for label, _, value in benchmark.rows:
        put(ws, row, 1, label, border=BOX)
        put(ws, row, 2, value, number_format="0.0", border=BOX)
        row += 1
    put(ws, row + 1, 1, f"Source: {benchmark.source}", alignment=WRAP)
    ws.print_title_rows = "3:3"


def _lines_and_tables(
    ws: Worksheet, heading: str, lines: Iterable[Any], tables: Iterable[Table]
) -> None:
    ws.column_dimensions["A"].width = 44
    for letter in "BCDEFG":
        ws.column_dimensions[letter].width = 22
    put(ws, 1, 1, heading, font=HEADING)
    row = 3
    for line in lines:
        put(ws, row, 1, line.label, font=BOLD, alignment=WRAP)
        if line.value is not None:
            put(ws, row, 2, line.value, number_format="£#,##0", alignment=TOP)
        else:
            put(ws, row, 2, line.shown, alignment=WRAP)
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        if line.note:
            put(ws, row, 5, line.note, alignment=WRAP)
            ws.merge_cells(start_row=row, start_column=5, end_row=row, end_column=6)
        row += 1
    for table in tables:
        row += 1
        put(ws, row, 1, table.caption, font=BOLD)
        row += 1
        for column, header in enumerate(table.headers, 1):
            put(ws, row, column, header, font=BOLD, fill=HEADER_FILL, border=BOX, alignment=WRAP)
        for index, cells in enumerate(table.rows):
            row += 1
            values = table.values[index] if index < len(table.values) else ()
            for column, shown in enumerate(cells, 1):
                number = values[column - 1] if column - 1 < len(values) else None
                if column - 1 in table.numeric and number is not None:
                    put(ws, row, column, number, number_format="£#,##0;-£#,##0", border=BOX)
                else:
                    put(ws, row, column, shown, border=BOX, alignment=WRAP)
        row += 1


def _data(ws: Worksheet, report: ReportContent) -> None:
    headings = ["Ref", "KPI", "Month", "Value", "Unit", "Shown as", "RAG"]
    for column, heading in enumerate(headings, 1):
        put(ws, 1, column, heading, font=BOLD)
    row = 1
    for kpi in report.kpi_table.rows:
        fmt = number_format(kpi.unit, kpi.decimals)
        for cell in kpi.cells:
            if cell.value is None:
                continue
            row += 1
            put(ws, row, 1, kpi.ref)
            put(ws, row, 2, kpi.description)
            put(ws, row, 3, cell.month, number_format="mmm-yy")
            put(ws, row, 4, excel_number(cell.value, kpi.unit), number_format=fmt)
            put(ws, row, 5, Unit(kpi.unit).label)
            put(ws, row, 6, cell.shown)
            put(ws, row, 7, RAG_WORDS.get(cell.rag, cell.rag))
    widths = [6, 60, 10, 10, 24, 10, 12]
    for column, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(column)].width = width
    if row > 1:
        table = ExcelTable(displayName="KpiData", ref=f"A1:G{row}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        ws.add_table(table)
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"


class _Text(HTMLParser):
    """Paragraph text from sanitised narrative HTML."""

    BLOCKS = {"p", "li", "h2", "h3", "h4", "blockquote", "tr"}

    def __init__(self) -> None:
        super().__init__()
        self.paragraphs: list[str] = []
        self.current: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "li":
            self.current.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        self.current.append(data)

    def flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.current).replace("\u21a9", "")).strip()
        if text:
            self.paragraphs.append(html.unescape(text))
        self.current = []


def paragraphs(sanitised_html: str) -> list[str]:
    parser = _Text()
    parser.feed(sanitised_html)
    parser.flush()
    return parser.paragraphs
