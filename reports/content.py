"""The report object: everything a quarterly report shows, as frozen plain values.

`reports.assemble` builds it from the database; the HTML page, the Excel workbook and the
charts render it; publishing stores it (reports.snapshot) so that what was published is
what is shown from then on.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from kpis import symbols


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
    cells: tuple[Cell, ...]  # one per column of its group: a month, a quarter, a year
    # The target in force at the group's last column: its value where that alone says it
    # ("at least" or "at most" a fixed value), else None; as written in `target_shown`.
    target: Decimal | None
    target_shown: str  # "at least 85.0% (amber from 80.0%)", "fewer than 85" or "no target"
    tolerance: Decimal | None  # the amber band as a distance, where it is given as one
    target_source: str  # "illustrative", "contract", "local plan" or ""
    rag: str  # at the last column
    rag_label: str
    direction: str  # kpis.polarity.Direction value, the last column against the one before
    direction_label: str
    direction_year: str  # against the same period a year before
    direction_year_label: str
    # The KPI the row was built from, so that a renamed reference still finds it (None in
    # snapshots frozen before it was kept: those are found by their reference).
    kpi_id: int | None = None
    # The status the organisation states itself for the latest period, with who and why
    # ("Green: good performance — performance board, 5 July"); never a derived RAG.
    stated: str = ""

    @property
    def latest(self) -> Cell:
        return self.cells[-1]


@dataclass(frozen=True)
class YearSpan:
    """A financial-year header over its columns: 2021/22 over Apr-21 … Mar-22."""

    label: str
    months: int  # how many columns it spans


@dataclass(frozen=True)
class KpiGroup:
    """The KPIs of one frequency in that frequency's columns, as kpis.period.TrendGroup
    lays them out: monthly KPIs in month columns, quarterly ones in quarter columns
    ("Q1 2022/23", each held at its quarter's last month), annual ones in year columns."""

    frequency: str  # sct_portal.periods: monthly, quarterly, annual, termly, academic-year
    heading: str  # "Monthly KPIs", "Quarterly KPIs"
    months: tuple[dt.date, ...]  # each column's month
    labels: tuple[str, ...]  # each column's heading: "Apr-21", "Q1 2022/23"
    years: tuple[YearSpan, ...]
    rows: tuple[KpiRow, ...]
    against: str  # what the direction compares with: "the month before", "the previous quarter"
    against_year: str  # "the same month last year", "the same quarter last year"

    @property
    def first_label(self) -> str:
        return self.labels[0] if self.labels else ""

    @property
    def last_label(self) -> str:
        return self.labels[-1] if self.labels else ""

    @property
    def key(self) -> str:
        """The group's name in the page's ids: "monthly"."""
        return self.frequency


@dataclass(frozen=True)
class KpiTable:
    months: tuple[dt.date, ...]  # the report's months, first to last (the table's span)
    month_labels: tuple[str, ...]
    groups: tuple[KpiGroup, ...]  # one per frequency, monthly first

    @property
    def rows(self) -> tuple[KpiRow, ...]:
        """Every KPI of the table, group by group."""
        return tuple(row for group in self.groups for row in group.rows)

    @property
    def has_unjudged_cells(self) -> bool:
        """Whether a relative target lacked its benchmark or starting figure somewhere."""
        return any(
            cell.rag in ("no-benchmark", "no-baseline") for row in self.rows for cell in row.cells
        )

    @property
    def has_illustrative_targets(self) -> bool:
        return any(row.target_source == "Illustrative" for row in self.rows)

    @property
    def symbols_shown(self) -> list[tuple[str, str]]:
        """The key to the symbols the table shows: ("c", "suppressed to protect …")."""
        return symbols.key({cell.symbol for row in self.rows for cell in row.cells if cell.symbol})


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
    kpi_id: int | None = None  # as KpiRow.kpi_id


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
class Published:
    """A value from the published statistics, or a figure the portal computed from them: a
    number, or a symbol with its meaning (c: suppressed…), or nothing ("no figure")."""

    shown: str  # "99", "14.2%", "c", "no figure"
    value: Decimal | None = None
    decimals: int = 0  # as shown
    symbol: str = ""
    meaning: str = ""  # the symbol's, or why there is no figure


@dataclass(frozen=True)
class NeighbourValue:
    """One statistical neighbour's published value for the period."""

    name: str
    code: str
    closeness: str  # DfE's closeness band, where the model gives one
    figure: Published


@dataclass(frozen=True)
class StandingRow:
    """A mapped KPI's position among England's authorities, from the published statistics:
    a row of the report's comparison table, and its neighbours for the benchmark sheet."""

    ref: str
    description: str
    unit: str
    period: str  # as the file writes it, and the month compared: "2022 (Mar-22)"
    when: str  # "at 31 March 2022"
    authority: str  # "Sandwell"
    own: Published
    median: Published  # the statistical neighbours', computed by the portal
    mean: Published
    counted: int  # neighbours with a number
    neighbours_total: int
    left_out: str  # "Wolverhampton (c: suppressed to protect confidentiality)" or ""
    neighbour_model: str  # "DfE statistical neighbours, 2021"
    region_name: str
    region: Published
    england: Published
    rank: int | None
    of: int | None  # authorities with a figure
    rank_words: str  # "joint 33rd highest of 151 authorities with a figure"
    band: str  # A … D, "" when not ranked
    band_words: str  # "the highest quarter"
    sentence: str
    source: str  # publisher, publication, file and release
    definition_note: str  # how the published measure differs from the KPI
    neighbours: tuple[NeighbourValue, ...] = ()
    source_file: str = ""  # the publisher and file, for each row of the benchmark sheet

    @property
    def quartile(self) -> str:
        """ "A (the highest quarter)", or "not ranked"."""
        return f"{self.band} ({self.band_words})" if self.band else "not ranked"

    @property
    def rank_shown(self) -> str:
        """ "33rd of 151", "joint 33rd of 151" is in `rank_words`; "–" when not ranked."""
        return self.rank_words or "not ranked"


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


# The words beside the chart notes: what holds for every KPI they do not list.
CHART_NOTES_OTHERWISE = (
    "The SPC limits of every other KPI come from its first figures (its baseline), and no "
    "event is dated on its chart in these months."
)


@dataclass(frozen=True)
class ChartNote:
    """Which SPC limits judge a KPI, where a person changed them, and the events dated on
    its chart within the report's months."""

    ref: str
    description: str
    baseline: str  # "limits from April 2023 (new definition from April 2023)"
    events: tuple[str, ...] = ()  # "12 May 2022: Ofsted visit"


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
    chart_notes: tuple[ChartNote, ...] = field(default=())  # KPIs whose SPC reads otherwise

    @property
    def chart_notes_otherwise(self) -> str:
        """What holds for the KPIs not listed ("every other KPI"; "every KPI" when none is)."""
        if self.chart_notes:
            return CHART_NOTES_OTHERWISE
        return CHART_NOTES_OTHERWISE.replace("every other KPI", "every KPI")

    # Each mapped KPI's position among England's authorities (reports published before the
    # portal held the published statistics have none).
    standings: tuple[StandingRow, ...] = field(default=())

    def section(self, key: str) -> Narrative | None:
        return next((n for n in self.narrative if n.key == key), None)

    def holds(self, block: str) -> bool:
        """Whether any section of the report holds the table or chart."""
        return any(n.holds(block) for n in self.narrative)
