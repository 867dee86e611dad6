"""The report object: everything a quarterly report shows, as frozen plain values.

`reports.assemble` builds it from the database; the HTML page, the Excel workbook and the
charts render it; publishing stores it (reports.snapshot) so that what was published is
what is shown from then on.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Cell:
    """One KPI's figure for one month of the table."""

    month: dt.date
    value: Decimal | None
    shown: str  # as printed: "74.9%", "258", "no data"
    rag: str  # a kpis.rag.Rag value: green, amber, red, no-target, not-judged, no-data
    # A value that is not a number (kpis.symbols: "c", "x", "<5"…), when `value` is None.
    symbol: str = ""


@dataclass(frozen=True)
class KpiRow:
    ref: str
    description: str
    section: str
    unit: str
    decimals: int
    polarity: str
    cells: tuple[Cell, ...]
    # The target in force at the table's last month: its value where that alone says it
    # ("at least" or "at most" a fixed value), else None; as written in `target_shown`.
    target: Decimal | None
    target_shown: str  # "at least 85.0% (amber from 80.0%)", "fewer than 85" or "no target"
    tolerance: Decimal | None  # the amber band as a distance, where it is given as one
    target_source: str  # "illustrative", "contract", "local plan" or ""
    rag: str  # at the last month
    rag_label: str
    direction: str  # kpis.polarity.Direction value, last month against the month before
    direction_label: str
    direction_year: str  # against the same month a year before
    direction_year_label: str
    # The status the organisation states itself for the latest period, with who and why
    # ("Green: good performance — performance board, 5 July"); never a derived RAG.
    stated: str = ""

    @property
    def latest(self) -> Cell:
        return self.cells[-1]


@dataclass(frozen=True)
class YearSpan:
    """A financial-year header over its months: 2021/22 over Apr-21 … Mar-22."""

    label: str
    months: int


@dataclass(frozen=True)
class KpiTable:
    months: tuple[dt.date, ...]
    month_labels: tuple[str, ...]
    years: tuple[YearSpan, ...]
    rows: tuple[KpiRow, ...]

    @property
    def has_unjudged_cells(self) -> bool:
        """Whether a relative target lacked its benchmark or starting figure somewhere."""
        return any(
            cell.rag in ("no-benchmark", "no-baseline") for row in self.rows for cell in row.cells
        )

    @property
    def has_illustrative_targets(self) -> bool:
        return any(row.target_source == "Illustrative" for row in self.rows)


@dataclass(frozen=True)
class Headline:
    """A headline measure with what it is judged against."""

    ref: str
    label: str
    unit: str
    decimals: int
    month: dt.date | None
    value: Decimal | None
    shown: str
    compared_with: str  # "Target for March 2023: 796" or "Statistical neighbour average …"
    sentence: str
    series: tuple[Cell, ...] = ()


@dataclass(frozen=True)
class BenchmarkTable:
    """The statistical-neighbour table: the area's own figure and its comparators at a month."""

    ref: str
    month: dt.date
    month_heading: str  # "March 2022"
    own_label: str  # "Sandwell rate per 10,000"
    own: Decimal | None
    own_shown: str
    comparators: tuple[tuple[str, str, Decimal], ...]  # (label, shown, value)
    source: str

    @property
    def rows(self) -> tuple[tuple[str, str, Decimal], ...]:
        if self.own is None:
            return self.comparators
        return ((self.own_label, self.own_shown, self.own), *self.comparators)


@dataclass(frozen=True)
class Line:
    """A labelled value in a finance or contract table, already formatted."""

    label: str
    shown: str
    value: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class Table:
    """A small generic table (finance monitoring, risks, milestones, inspections)."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Columns that hold money or numbers (right-aligned; written as numbers in Excel).
    numeric: tuple[int, ...] = ()
    values: tuple[tuple[Decimal | None, ...], ...] = ()


@dataclass(frozen=True)
class Narrative:
    """One section of the report: its narrative and the tables and charts it holds."""

    key: str
    heading: str
    markdown: str
    html: str  # sanitised
    blocks: tuple[str, ...] = ()  # reports.models.Block values, in the order they print

    def holds(self, block: str) -> bool:
        return block in self.blocks


@dataclass(frozen=True)
class Drafted:
    """A sentence drafted from the data, offered in the section that holds its table."""

    block: str  # a reports.models.Block value
    topic: str
    ref: str
    text: str


@dataclass(frozen=True)
class ReportContent:
    title: str
    organisation: str
    year: str  # "2022/23"
    quarter: str  # "Q1"
    period: str  # "Quarter 1 2022/23 (April to June 2022)"
    status: str
    status_label: str
    as_at: dt.date  # the quarter's last month
    published_at: dt.datetime | None
    published_by: str
    headlines: tuple[Headline, ...]
    benchmark: BenchmarkTable | None
    kpi_table: KpiTable
    finance_lines: tuple[Line, ...]
    finance_tables: tuple[Table, ...]
    contract_lines: tuple[Line, ...]
    contract_tables: tuple[Table, ...]
    narrative: tuple[Narrative, ...]
    drafts: tuple[Drafted, ...] = field(default=())

    def section(self, key: str) -> Narrative | None:
        return next((n for n in self.narrative if n.key == key), None)

    def holds(self, block: str) -> bool:
        """Whether any section of the report holds the table or chart."""
        return any(n.holds(block) for n in self.narrative)
