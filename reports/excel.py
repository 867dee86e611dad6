"""The quarterly report as an Excel workbook a council officer can open, print and forward,
and its figures as a CSV.

Renders a `ReportContent` (never the database) through `sct_portal.spreadsheets`, the one
writer of every workbook: a summary sheet (headline figures and the narrative, footnotes
kept as footnotes), the KPI table laid out like the report, RAG by month, a native line
chart per KPI (headline measures included) beside the figures it draws, benchmarks,
finance, contract matters and a long-format data sheet as an Excel table.
"""

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from typing import Any

from kpis import symbols
from kpis.units import Unit
from sct_portal import spreadsheets
from sct_portal.spreadsheets import (
    BOLD,
    GRID,
    GRID_WRAPPED,
    HEADER,
    HEADING,
    TITLE,
    WRAPPED,
    Book,
    Figure,
    Measure,
    Month,
    PrintSetup,
    Sheet,
    Style,
)

from .content import Cell, KpiGroup, Line, Published, ReportContent, Table

SMALL = Style(points=9)
NOTE = Style(wrap=True, points=9)


@dataclass(frozen=True)
class Series:
    """One KPI's figures over the report's months: a row of the KPI table, or a headline
    measure that the table does not hold (children in care and their rate)."""

    ref: str
    description: str
    measure: Measure
    cells: tuple[Cell, ...]  # one per column of its group (a month, a quarter…), in order
    labels: tuple[str, ...]  # each cell's column: "Apr-21", "Q1 2022/23"
    frequency: str = "monthly"

    def figure(self, cell: Cell) -> Figure:
        return figure(self.measure, cell)

    @property
    def periods(self) -> str:
        """What its chart's categories are, in words: "month", "quarter"."""
        return PERIOD_WORDS.get(self.frequency, "period")


def figure(measure: Measure, cell: Cell) -> Figure:
    return Figure(measure, cell.value, cell.symbol)


def every_kpi(report: ReportContent) -> tuple[Series, ...]:
    """Every KPI the report shows: the KPI table's rows, then the headline measures not in it."""
    table = report.kpi_table
    found = [
        Series(
            row.ref,
            row.description,
            Measure(row.unit, row.decimals),
            row.cells,
            group.labels,
            group.frequency,
        )
        for group in table.groups
        for row in group.rows
    ]
    in_table = {row.ref for row in table.rows}
    for headline in report.headlines:
        if headline.ref in in_table:
            continue
        by_month = {cell.month: cell for cell in headline.series}
        cells = tuple(
            by_month.get(month, Cell(month, None, spreadsheets.NO_DATA, ""))
            for month in table.months
        )
        found.append(
            Series(
                headline.ref,
                headline.label,
                Measure(headline.unit, headline.decimals),
                cells,
                table.month_labels,
            )
        )
    return tuple(found)


def render(report: ReportContent) -> bytes:
    with Book(
        title=report.title,
        author=report.organisation,
        subject=f"{report.organisation}: {report.period}",
        keywords=f"performance report; KPIs; {report.year}; {report.quarter}",
        comments=_status_line(report),
        category="Performance report",
        created=report.published_at,
    ) as book:
        document = f"{report.organisation}: {report.period}"
        if not report.published_at:
            document = f"DRAFT (not published: figures may change). {document}"
        kpis = every_kpi(report)
        _summary(book.sheet("Summary"), report, document)
        for group in report.kpi_table.groups:
            _kpi_table(book.sheet(kpi_sheet_name(group)), report, group, document)
        for group in report.kpi_table.groups:
            _rag_by_period(book.sheet(rag_sheet_name(group)), group, document)
        _charts(book, book.sheet("Charts"), report, kpis, document)
        _benchmarks(book.sheet("Benchmarks"), report, document)
        if report.standings:
            _neighbours(book.sheet("Statistical neighbours"), report, document)
        if report.holds("finance"):  # a reports.models.Block: only where a section holds it
            _lines_and_tables(
                book.sheet("Finance"),
                "Finances",
                report.finance_lines,
                report.finance_tables,
                document,
            )
        if report.holds("contract"):
            _lines_and_tables(
                book.sheet("Contract"),
                "Contractual matters",
                report.contract_lines,
                report.contract_tables,
                document,
            )
        _data(book.sheet("Data"), kpis, document)
        return book.close()


def _status_line(report: ReportContent) -> str:
    if report.published_at:
        when = spreadsheets.long_date(spreadsheets.uk_date(report.published_at))
        by = f" by {report.published_by}" if report.published_by else ""
        return f"Status: {report.status_label}, {when}{by}"
    return f"Status: {report.status_label} (not published: figures may change)"


# ---------------------------------------------------------------------------------------
# Summary: headline figures and the narrative


def _summary(ws: Sheet, report: ReportContent, document: str) -> None:
    ws.column_widths({1: 36, 2: 12, 3: 10, 4: 22, 5: 46})
    ws.text(1, 1, report.title, TITLE)
    ws.text(2, 1, report.organisation)
    ws.text(3, 1, report.period)
    ws.text(4, 1, _status_line(report))
    row = 6
    ws.text(row, 1, "Headline figures", HEADING)
    row += 1
    for column, heading in enumerate(["Measure", "Month", "Value", "Compared with", "Position"], 1):
        ws.text(row, column, heading, HEADER)
    for headline in report.headlines:
        row += 1
        ws.text(row, 1, headline.label, GRID_WRAPPED)
        if headline.month:
            ws.month(row, 2, headline.month, GRID_WRAPPED, long=True)
        else:
            ws.blank(row, 2, GRID)
        ws.figure(row, 3, Figure(Measure(headline.unit, headline.decimals), headline.value), GRID)
        ws.text(row, 4, headline.compared_with, GRID_WRAPPED)
        ws.text(row, 5, headline.sentence, GRID_WRAPPED)
    row += 2
    for narrative in report.narrative:
        ws.text(row, 1, narrative.heading, HEADING)
        row += 1
        for paragraph in paragraphs(narrative.html):
            ws.merged_text(row, 1, 5, paragraph, WRAPPED)
            row += 1
        row += 1
    ws.print_setup(PrintSetup(), document=document)


# ---------------------------------------------------------------------------------------
# The KPI table, and RAG by month

FIRST_MONTH_COLUMN = 3
KPI_HEADER_ROW = 3
MONTH_WIDTH = 7.5  # "100.0%" at 10 pt, with room
PERIOD_WIDTH = 11.0  # "Q1 2022/23" at 10 pt
RAG_WIDTH = 9.0  # "Not judged" at 10 pt
NOTE_MONTHS = 9  # the note over the months stays within the first printed page


# Each frequency's table on its own sheet, so that every printed page repeats its own
# header rows: "KPIs" holds the monthly KPIs, "Quarterly KPIs" the quarterly ones.
KPI_SHEETS = {"monthly": "KPIs"}
RAG_SHEETS = {
    "monthly": "RAG by month",
    "quarterly": "RAG by quarter",
    "annual": "RAG by year",
    "termly": "RAG by term",
    "academic-year": "RAG by school year",
}
PERIOD_WORDS = {
    "monthly": "month",
    "quarterly": "quarter",
    "annual": "year",
    "termly": "term",
    "academic-year": "school year",
}


def kpi_sheet_name(group: KpiGroup) -> str:
    return KPI_SHEETS.get(group.frequency, group.heading)


def rag_sheet_name(group: KpiGroup) -> str:
    return RAG_SHEETS.get(group.frequency, f"RAG, {group.heading}")


def _kpi_header(
    ws: Sheet,
    group: KpiGroup,
    title: str,
    extra: Sequence[tuple[str, float]],
    *,
    month_width: float = MONTH_WIDTH,
) -> int:
    """Title row, financial-year row, column headings; returns the first data row."""
    columns = len(group.labels)
    widths = {1: 6.0, 2: 36.0}
    column_width = month_width if group.frequency == "monthly" else max(month_width, PERIOD_WIDTH)
    widths |= {FIRST_MONTH_COLUMN + i: column_width for i in range(columns)}
    widths |= {FIRST_MONTH_COLUMN + columns + i: width for i, (_, width) in enumerate(extra)}
    ws.column_widths(widths)
    # Across the Ref and description columns, which every printed page repeats.
    ws.merged_text(1, 1, 2, title, HEADING.but(wrap=True))
    column = FIRST_MONTH_COLUMN
    for span in group.years:
        if span.months > 1:
            ws.merged_text(2, column, column + span.months - 1, span.label, HEADER)
        else:
            ws.text(2, column, span.label, HEADER)
        column += span.months
    headings = ["Ref", "Description of KPI", *group.labels, *(name for name, _ in extra)]
    for column, heading in enumerate(headings, 1):
        ws.text(KPI_HEADER_ROW, column, heading, HEADER)
    ws.freeze(KPI_HEADER_ROW + 1, FIRST_MONTH_COLUMN)
    return KPI_HEADER_ROW + 1


def _wide_print() -> PrintSetup:
    """The KPI table prints at its own size across pages, Ref and description repeated."""
    return PrintSetup(title_rows=(2, KPI_HEADER_ROW), title_columns=(1, 2), fit_width=False)


def _kpi_table(ws: Sheet, report: ReportContent, group: KpiGroup, document: str) -> None:
    labels = group.labels
    last = group.last_label
    extra = [("Target", 8), ("Target source", 11), (f"RAG ({last})", 9),
             (f"Against {group.against}", 11), (f"Against {group.against_year}", 11)]  # fmt: skip
    title = f"{group.heading}, {group.first_label} to {last}"
    row = _kpi_header(ws, group, title, extra)
    for kpi in group.rows:
        measure = Measure(kpi.unit, kpi.decimals)
        ws.text(row, 1, kpi.ref, GRID_WRAPPED)
        ws.text(row, 2, kpi.description, GRID_WRAPPED)
        for offset, cell in enumerate(kpi.cells):
            ws.figure(row, FIRST_MONTH_COLUMN + offset, figure(measure, cell), GRID)
        column = FIRST_MONTH_COLUMN + len(kpi.cells)
        if kpi.target is not None:
            ws.figure(row, column, Figure(measure, kpi.target), GRID)
        else:
            ws.text(row, column, kpi.target_shown, GRID)
        ws.text(row, column + 1, kpi.target_source, GRID)
        ws.rag(row, column + 2, kpi.rag, replace(GRID, bold=True))
        ws.text(row, column + 3, kpi.direction_label, GRID)
        ws.text(row, column + 4, kpi.direction_year_label, GRID)
        row += 1
    # Beside the title, over the first columns: on the first printed page, not one of its own.
    ws.merged_text(
        1,
        FIRST_MONTH_COLUMN,
        FIRST_MONTH_COLUMN + max(min(len(labels), NOTE_MONTHS), 1) - 1,
        "RAG and direction are judged in each KPI's polarity (higher or lower is better); "
        "context measures are not judged. Targets marked illustrative are not "
        f"{report.organisation}'s own.",
        NOTE,
    )
    row = ws.symbol_key(row + 1, last_column=2)
    if group is report.kpi_table.groups[0]:
        _chart_notes(ws, report, row + 1)
    ws.print_setup(_wide_print(), document=document)


def _chart_notes(ws: Sheet, report: ReportContent, row: int) -> None:
    """Below the KPI table: which SPC limits apply where a person changed them, and the
    events dated on the KPIs' charts (the report page's "SPC baselines and events")."""
    last = FIRST_MONTH_COLUMN + NOTE_MONTHS - 1  # within the first printed page
    ws.text(row, 1, "SPC baselines and events", BOLD)
    for note in report.chart_notes:
        row += 1
        events = "".join(f" Event: {event}." for event in note.events)
        ws.text(row, 1, note.ref)
        ws.merged_text(row, 2, last, f"{note.baseline}.{events}", WRAPPED)
    ws.merged_text(row + 1, 2, last, report.chart_notes_otherwise, WRAPPED)


def _rag_by_period(ws: Sheet, group: KpiGroup, document: str) -> None:
    word = PERIOD_WORDS.get(group.frequency, "period")
    row = _kpi_header(
        ws,
        group,
        f"{group.heading}: RAG against target, by {word} (the word is the RAG; the fill "
        "repeats it)",
        [],
        month_width=RAG_WIDTH,
    )
    for kpi in group.rows:
        ws.text(row, 1, kpi.ref, GRID)
        ws.text(row, 2, kpi.description, GRID_WRAPPED)
        for offset, cell in enumerate(kpi.cells):
            ws.rag(row, FIRST_MONTH_COLUMN + offset, cell.rag, GRID)
        row += 1
    ws.print_setup(_wide_print(), document=document)


# ---------------------------------------------------------------------------------------
# Charts: one per KPI, each beside the table of the figures it draws

CHART_COLUMNS = 5  # columns under a chart
CHART_COLUMN_WIDTH = 8.0
TWIN_WIDTHS = (7.0, 9.0)  # month, figure
GAP_WIDTH = 2.0
BLOCK_COLUMNS = CHART_COLUMNS + len(TWIN_WIDTHS) + 1  # with the gap after it
ROW_POINTS = 13.5
ROWS_PER_PAGE = 36  # landscape A4 with the margins of PrintSetup, rows of ROW_POINTS
FIRST_BLOCK_ROW = 3


def _charts(
    book: Book, ws: Sheet, report: ReportContent, kpis: Sequence[Series], document: str
) -> None:
    widths: dict[int, float] = {}
    for side in (0, 1):
        first = 1 + side * BLOCK_COLUMNS
        widths |= {first + i: CHART_COLUMN_WIDTH for i in range(CHART_COLUMNS)}
        widths |= {first + CHART_COLUMNS + i: w for i, w in enumerate(TWIN_WIDTHS)}
        widths[first + BLOCK_COLUMNS - 1] = GAP_WIDTH
    ws.column_widths(widths)
    ws.worksheet.set_default_row(ROW_POINTS)
    ws.text(1, 1, "A line chart for each KPI, beside the figures it draws.", BOLD)
    ws.text(
        2,
        1,
        "Months without a figure, and figures that are not numbers (symbols), are gaps in the "
        "line and are listed under the chart.",
    )
    # heading, one row a period, what is not plotted: as tall as the longest series
    block_rows = max((len(kpi.labels) for kpi in kpis), default=0) + 2
    per_page = 2 if 2 * block_rows + FIRST_BLOCK_ROW - 1 <= ROWS_PER_PAGE else 1
    breaks = []
    for index, kpi in enumerate(kpis):
        line, side = divmod(index, 2)
        top = FIRST_BLOCK_ROW + line * block_rows
        if side == 0 and line and line % per_page == 0:
            breaks.append(top)
        _chart_block(book, ws, top, 1 + side * BLOCK_COLUMNS, kpi)
    ws.print_setup(PrintSetup(fit_width=False, page_breaks=tuple(breaks)), document=document)


def _chart_block(book: Book, ws: Sheet, top: int, left: int, kpi: Series) -> None:
    months = kpi.labels
    month_column, figure_column = left + CHART_COLUMNS, left + CHART_COLUMNS + 1
    ws.text(top, month_column, kpi.periods.capitalize(), HEADER)
    ws.text(top, figure_column, f"KPI {kpi.ref}", HEADER)
    for offset, (label, cell) in enumerate(zip(months, kpi.cells, strict=True), 1):
        ws.text(top + offset, month_column, label, GRID)
        if cell.value is not None:
            ws.figure(top + offset, figure_column, kpi.figure(cell), GRID)
        else:
            ws.blank(top + offset, figure_column, GRID)  # a gap in the line
    last = top + len(months)
    chart = book.chart("line")
    chart.add_series(
        {
            "name": f"KPI {kpi.ref}",
            "categories": ws.reference(top + 1, month_column, last, month_column),
            "values": ws.reference(top + 1, figure_column, last, figure_column),
            "marker": {"type": "circle", "size": 5},
            "line": {"width": 2},
            "smooth": False,
        }
    )
    chart.set_title(
        {
            "name": f"KPI {kpi.ref}: {_shorten(kpi.description, 60)}",
            "name_font": {"size": 10, "bold": True},
        }
    )
    chart.set_legend({"none": True})
    chart.show_blanks_as("gap")
    chart.set_x_axis({"num_font": {"size": 8, "rotation": -45}})
    chart.set_y_axis(_value_axis(kpi.measure))
    size = (int(sum(CHART_COLUMN_WIDTH for _ in range(CHART_COLUMNS)) * 7 + 5 * CHART_COLUMNS),
            int((len(months) + 1) * ROW_POINTS * 4 / 3))  # fmt: skip
    ws.chart(top, left, chart, description=chart_description(kpi, months), size=size)
    if missing := not_plotted(kpi, months):
        ws.merged_text(last + 1, left, figure_column, missing, NOTE)


def not_plotted(kpi: Series, months: Sequence[str]) -> str:
    """The months a chart has no point for, and why, in runs: "Not plotted: Apr-21 to
    Feb-22 (no data); Mar-22 (c, suppressed to protect confidentiality)."."""
    runs: list[tuple[str, str, str]] = []  # first month, last month, why
    for label, cell in zip(months, kpi.cells, strict=True):
        if cell.value is not None:
            runs.append(("", "", ""))
            continue
        why = f"{cell.symbol}, {symbols.meaning(cell.symbol)}" if cell.symbol else "no data"
        if runs and runs[-1][2] == why:
            runs[-1] = (runs[-1][0], label, why)
        else:
            runs.append((label, label, why))
    parts = [
        (first if first == last else f"{first} to {last}") + f" ({why})"
        for first, last, why in runs
        if why
    ]
    return "Not plotted: " + "; ".join(parts) + "." if parts else ""


def _value_axis(measure: Measure) -> dict[str, Any]:
    axis: dict[str, Any] = {
        "name": AXIS_TITLES.get(measure.unit, ""),
        "name_font": {"size": 9, "bold": False},
        "num_font": {"size": 8},
        "num_format": measure.number_format,
        "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}},
    }
    if measure.unit == Unit.PERCENT:
        # A percentage's axis is 0–100%, never beyond (the cells hold fractions of one).
        axis |= {"min": 0, "max": 1, "major_unit": 0.2, "num_format": "0%"}
    return axis


AXIS_TITLES: dict[str, str] = {
    Unit.PERCENT: "Percentage",
    Unit.RATE: "Rate per 10,000",
    Unit.COUNT: "Number",
    Unit.AVERAGE: "Average",
    Unit.MONEY: "£",
    Unit.DAYS: "Days",
}


def chart_description(kpi: Series, months: Sequence[str]) -> str:
    """The chart's alternative text: what it shows and where its figures are."""
    points = [
        (label, cell)
        for label, cell in zip(months, kpi.cells, strict=True)
        if cell.value is not None
    ]
    text = f"Line chart of KPI {kpi.ref}, {kpi.description}, {months[0]} to {months[-1]}."
    if points:
        first, last = points[0], points[-1]
        high = max(points, key=lambda point: point[1].value or 0)
        low = min(points, key=lambda point: point[1].value or 0)
        text += (
            f" From {first[1].shown} in {first[0]} to {last[1].shown} in {last[0]}; "
            f"highest {high[1].shown} ({high[0]}), lowest {low[1].shown} ({low[0]})."
        )
    else:
        text += " No figures to plot."
    return text + " Its figures are in the table beside it."


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------
# Benchmarks, finance and contract matters


def _benchmarks(ws: Sheet, report: ReportContent, document: str) -> None:
    """The headline comparison with statistical neighbours, then each mapped KPI among
    England's authorities from the published statistics (every neighbour's value is on the
    sheet beside this one)."""
    ws.column_widths(dict(enumerate(STANDING_WIDTHS, 1)))
    ws.text(1, 1, "Comparison with statistical neighbours", HEADING)
    benchmark = report.benchmark
    row = 3
    if benchmark is None:
        ws.text(row, 1, "No benchmark is recorded for this report's headline measures.")
        row += 2
    else:
        headline = next((h for h in report.headlines if h.ref == benchmark.ref), None)
        measure = Measure(headline.unit, headline.decimals) if headline else Measure(Unit.RATE, 1)
        ws.blank(row, 1, HEADER)
        ws.text(row, 2, benchmark.month_heading, HEADER)
        row += 1
        for label, _, value in benchmark.rows:
            ws.text(row, 1, label, GRID)
            ws.figure(row, 2, Figure(measure, value), GRID)
            row += 1
        ws.merged_text(row + 1, 1, 4, f"Source: {benchmark.source}")
        row += 3
    if report.standings:
        row = _standings(ws, report, row)
    ws.symbol_key(row + 1, last_column=4)
    ws.print_setup(PrintSetup(), document=document)


STANDING_HEADINGS = ("KPI", "Period", "", "Neighbours' median", "Neighbours' mean", "Region",
                     "England", "Rank", "Quartile band")  # fmt: skip
STANDING_WIDTHS = (40, 13, 11, 12, 12, 12, 11, 28, 20)  # 159: fitted to a page, 8 pt or more


def published_figure(unit: str, value: Published) -> Figure:
    """A published value as a cell: a number in its unit and places, or its symbol."""
    return Figure(Measure(unit, value.decimals), value.value, value.symbol)


def _standings(ws: Sheet, report: ReportContent, row: int) -> int:
    ws.merged_text(row, 1, len(STANDING_HEADINGS),
                   "Compared with every authority in England, from the published statistics",
                   HEADING)  # fmt: skip
    row += 1
    authority = report.standings[0].authority
    for column, heading in enumerate(STANDING_HEADINGS, 1):
        ws.text(row, column, heading or authority, HEADER)
    for standing in report.standings:
        row += 1
        ws.text(row, 1, f"KPI {standing.ref}: {standing.description}", GRID_WRAPPED)
        ws.text(row, 2, standing.period, GRID_WRAPPED)
        values = (standing.own, standing.median, standing.mean, standing.region, standing.england)
        for column, value in enumerate(values, 3):
            ws.figure(row, column, published_figure(standing.unit, value), GRID,
                      absent=value.shown)  # fmt: skip
        ws.text(row, 8, standing.rank_shown, GRID_WRAPPED)
        ws.text(row, 9, standing.quartile, GRID_WRAPPED)
    row += 1
    for standing in report.standings:
        row += 1
        left_out = f"; left out: {standing.left_out}" if standing.left_out else ""
        ws.merged_text(
            row,
            1,
            len(STANDING_HEADINGS),
            f"KPI {standing.ref}, {standing.period}: {standing.sentence} The neighbours are "
            f"{standing.neighbour_model} ({standing.region_name} is the region); median and mean "
            f"computed from {standing.counted} of the {standing.neighbours_total}{left_out}. "
            f"{standing.definition_note} Source: {standing.source}",
            NOTE,
        )
    row += 1
    ws.merged_text(
        row + 1,
        1,
        len(STANDING_HEADINGS),
        "Rank 1 is the best by the KPI's polarity (for a context measure, the highest); band A "
        "is the best quarter of England's authorities (for a context measure, the highest), D "
        "the worst. Contains public sector information licensed under the Open Government "
        "Licence v3.0.",
        NOTE,
    )
    return row + 2


NEIGHBOUR_HEADINGS = ("Ref", "KPI", "Period", "Authority", "Code", "Closeness", "Value",
                      "Meaning", "Source")  # fmt: skip
NEIGHBOUR_WIDTHS = (6, 30, 14, 24, 6, 11, 9, 22, 36)  # 158: fitted to a page, 8 pt or more


def _neighbours(ws: Sheet, report: ReportContent, document: str) -> None:
    """Every statistical neighbour's published value for each mapped KPI: a number, or its
    symbol with the symbol's meaning (left out of the median and mean), or no figure."""
    ws.column_widths(dict(enumerate(NEIGHBOUR_WIDTHS, 1)))
    row = 1
    for column, heading in enumerate(NEIGHBOUR_HEADINGS, 1):
        ws.text(row, column, heading, HEADER)
    for standing in report.standings:
        for neighbour in standing.neighbours:
            row += 1
            figure = neighbour.figure
            ws.text(row, 1, standing.ref, GRID)
            ws.text(row, 2, standing.description, GRID_WRAPPED)
            ws.text(row, 3, standing.period, GRID)
            ws.text(row, 4, neighbour.name, GRID_WRAPPED)
            ws.text(row, 5, neighbour.code, GRID)
            ws.text(row, 6, neighbour.closeness, GRID)
            ws.figure(row, 7, published_figure(standing.unit, figure), GRID, absent=figure.shown)
            ws.text(row, 8, figure.meaning, GRID_WRAPPED)
            ws.text(row, 9, standing.source_file or standing.source, GRID_WRAPPED)
    if row > 1:
        ws.table(1, row, NEIGHBOUR_HEADINGS, name="Neighbours")
    else:
        ws.text(2, 1, "No KPI of the report has a benchmark mapping.")
    ws.symbol_key(row + 2, last_column=4)
    ws.freeze(2, 1)
    ws.print_setup(PrintSetup(title_rows=(1, 1)), document=document)


def _lines_and_tables(
    ws: Sheet,
    heading: str,
    lines: Iterable[Line],
    tables: Iterable[Table],
    document: str,
) -> None:
    ws.column_widths({1: 40, **dict.fromkeys(range(2, 5), 16), 5: 38})
    ws.text(1, 1, heading, HEADING)
    row = 3
    for line in lines:
        ws.text(row, 1, line.label, Style(bold=True, wrap=True))
        if line.value is not None:
            ws.money(row, 2, line.value)
        else:
            ws.merged_text(row, 2, 4, line.shown)
        if line.note:
            ws.text(row, 5, line.note, WRAPPED)
        row += 1
    for table in tables:
        row += 1
        ws.text(row, 1, table.caption, BOLD)
        row += 1
        for column, header in enumerate(table.headers, 1):
            ws.text(row, column, header, HEADER)
        for index, cells in enumerate(table.rows):
            row += 1
            values = table.values[index] if index < len(table.values) else ()
            for column, shown in enumerate(cells, 1):
                number = values[column - 1] if column - 1 < len(values) else None
                if column - 1 in table.numeric and number is not None:
                    ws.money(row, column, number, GRID)
                else:
                    ws.text(row, column, str(shown), GRID_WRAPPED)
        row += 1
    ws.print_setup(PrintSetup(), document=document)


# ---------------------------------------------------------------------------------------
# Data: every figure, one row each, as an Excel table (and as CSV)

# "Month" is the month a figure is kept at (a quarter's last month); "Period" what it is for.
DATA_HEADINGS = ("Ref", "KPI", "Month", "Value", "Unit", "Shown as", "RAG", "Period")


def data_rows(kpis: Sequence[Series]) -> list[tuple[str, str, Month, Figure, str, str, str, str]]:
    """Each figure of each KPI (numbers and symbols; periods without a figure left out)."""
    return [
        (
            kpi.ref,
            kpi.description,
            Month(cell.month),
            kpi.figure(cell),
            kpi.measure.unit_label,
            cell.shown,
            spreadsheets.rag_word(cell.rag),
            label,
        )
        for kpi in kpis
        for label, cell in zip(kpi.labels, kpi.cells, strict=True)
        if cell.value is not None or cell.symbol
    ]


def _data(ws: Sheet, kpis: Sequence[Series], document: str) -> None:
    ws.column_widths({1: 6, 2: 56, 3: 9, 4: 10, 5: 22, 6: 10, 7: 11, 8: 11})
    rows = data_rows(kpis)
    for row, values in enumerate(rows, 2):
        ws.cells(row, 1, values)
    last = len(rows) + 1
    ws.table(1, last, DATA_HEADINGS, name="KpiData")
    ws.symbol_key(last + 2, last_column=2)
    ws.freeze(2, 1)
    ws.print_setup(PrintSetup(title_rows=(1, 1)), document=document)


def as_csv(report: ReportContent) -> str:
    """The report's figures as CSV: the data sheet's rows, the unit in its own column."""
    return spreadsheets.csv_document(DATA_HEADINGS, data_rows(every_kpi(report)))


# ---------------------------------------------------------------------------------------
# Narrative HTML to paragraphs of text, footnotes kept as footnotes


class _Text(HTMLParser):
    """Paragraph text from sanitised narrative HTML: a footnote's marker becomes "[1]" in
    the text, and the footnote itself a paragraph starting "[1]"."""

    BLOCKS = {"p", "li", "h2", "h3", "h4", "blockquote", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.in_marker = False
        self.in_footnotes = 0  # depth of <div class="footnote">
        self.in_backlink = False
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "div":
            self.depth += 1
            if "footnote" in (found.get("class") or "").split() and not self.in_footnotes:
                self.in_footnotes = self.depth
        if tag == "sup" and "fnref" in (found.get("id") or ""):
            self.in_marker = True
            self.current.append("[")
        elif tag == "a" and self.in_footnotes and "fnref" in (found.get("href") or ""):
            self.in_backlink = True
        elif tag == "li":
            if self.in_footnotes and (number := _footnote_number(found.get("id") or "")):
                self.current.append(f"[{number}] ")
            else:
                self.current.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "sup" and self.in_marker:
            self.in_marker = False
            self.current.append("]")
        elif tag == "a" and self.in_backlink:
            self.in_backlink = False
        elif tag == "div":
            if self.depth == self.in_footnotes:
                self.in_footnotes = 0
            self.depth -= 1
        if tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.in_backlink:
            self.current.append(data)

    def flush(self) -> None:
        text = re.sub(r"\s+", " ", spreadsheets.clean("".join(self.current))).strip()
        if text and text not in {"•", "[", "]"}:
            self.paragraphs.append(html.unescape(text))
        self.current = []


def _footnote_number(identifier: str) -> str:
    match = re.search(r"fn-(\d+)$", identifier)
    return match.group(1) if match else ""


def paragraphs(sanitised_html: str) -> list[str]:
    parser = _Text()
    parser.feed(sanitised_html)
    parser.close()
    parser.flush()
    return parser.paragraphs
