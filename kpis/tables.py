"""The overview's KPI table (django-tables2): sortable, and the same rows as CSV and Excel."""

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cached_property
from html import escape
from operator import attrgetter
from typing import Any

import django_tables2 as tables
from django.conf import settings
from django.utils.safestring import SafeString
from django_tables2.data import TableListData
from django_tables2.utils import OrderBy

from sct_portal import periods, spreadsheets
from sct_portal.periods import month_label

from . import benchmarking, spc
from .dashboard import detail_urls
from .models import Kpi
from .period import Position, assured_against
from .polarity import Direction
from .rag import Rag
from .templatetags.dashboard import (
    assurance_icon,
    direction_tag,
    rag_tag,
    sparkline,
    stated_tag,
    symbol_tag,
    variation_icon,
)

RAG_ORDER = {
    Rag.RED: 0,
    Rag.AMBER: 1,
    Rag.GREEN: 2,
    Rag.NO_BENCHMARK: 3,
    Rag.NO_BASELINE: 3,
    Rag.NO_DATA: 4,
    Rag.NO_TARGET: 5,
}
DIRECTION_ORDER = {
    Direction.WORSE: 0,
    Direction.SAME: 1,
    Direction.BETTER: 2,
    Direction.NOT_JUDGED: 3,
    Direction.NO_DATA: 4,
}
VARIATION_ORDER = {"concern": 0, "neutral": 1, "improvement": 2, "common-cause": 3}


def _direction_rank(comparison: Any) -> int:
    return DIRECTION_ORDER[comparison.direction] if comparison is not None else 5


def revised_tag(published: Any) -> str:
    """A figure changed after a report published it: say so, and what was published."""
    return (
        '<strong class="govuk-tag govuk-tag--yellow sct-tag-small sct-revised-tag">'
        f'Revised since published<span class="govuk-visually-hidden">: {escape(published.report)} '
        f"report showed {escape(published.shown)}</span></strong>"
    )


class OverviewRow:
    """A Position as the table sorts it: by meaning, not by the words' spelling."""

    def __init__(self, position: Position, standing: benchmarking.Position | None = None) -> None:
        self.position = position
        self.standing = standing  # among England's authorities, where the KPI is mapped

    def __getattr__(self, name: str) -> Any:
        return getattr(self.position, name)

    @property
    def report_order(self) -> tuple[int, str]:
        return self.position.kpi.order, self.position.kpi.ref

    @property
    def value_key(self) -> tuple[bool, Decimal]:
        return self.position.value is None, self.position.value or Decimal(0)

    @property
    def previous_key(self) -> tuple[bool, Decimal]:
        previous = self.position.previous
        value = previous.value if previous else None
        return value is None, value or Decimal(0)

    @property
    def vs_previous_key(self) -> int:
        return _direction_rank(self.position.previous)

    @property
    def vs_year_key(self) -> int:
        return _direction_rank(self.position.year_ago)

    @property
    def rag_key(self) -> int:
        return RAG_ORDER.get(self.position.rag, 6)

    @property
    def benchmark_key(self) -> tuple[bool, str]:
        band = self.standing.band if self.standing is not None else ""
        return not band, band

    @property
    def variation_key(self) -> int:
        return VARIATION_ORDER.get(self.position.analysis.variation.kind, 4)


class OverviewRows(TableListData):  # type: ignore[misc]
    """The rows, sorted by plain attribute look-ups: django-tables2's general accessors
    cost more than the rest of the page at hundreds of rows."""

    def order_by(self, aliases: Any) -> None:
        keys = []
        for alias in aliases:
            column = self.table.columns[OrderBy(alias).bare]
            accessors = (
                column.order_by.opposite
                if alias[0] != column.order_by_alias[0]
                else column.order_by
            )
            keys.extend(accessors)
        # Least significant first: Python's sort is stable.
        for key in reversed(keys):
            getter = attrgetter(OrderBy(key).bare.replace("__", "."))
            self.data.sort(key=getter, reverse=OrderBy(key).is_descending)


class OverviewTable(tables.Table):  # type: ignore[misc]
    ref = tables.Column("Ref", accessor="kpi__ref", order_by=("report_order",))
    description = tables.Column("KPI", accessor="kpi__description", order_by=("kpi__description",))
    value = tables.Column("Latest figure", order_by=("value_key",))
    previous = tables.Column("Previous figure", order_by=("previous_key",))
    vs_previous = tables.Column(
        "Against the previous figure", accessor="previous", order_by=("vs_previous_key",)
    )
    vs_year = tables.Column("Against a year before", accessor="year_ago", order_by=("vs_year_key",))
    target = tables.Column("Target", accessor="target_text", orderable=False)
    rag = tables.Column("RAG", order_by=("rag_key",))
    variation = tables.Column(
        "SPC variation", accessor="analysis__variation", order_by=("variation_key",)
    )
    trend = tables.Column("Recent figures", accessor="sparkline", orderable=False)
    benchmark = tables.Column(
        "Among England's authorities", accessor="standing", order_by=("benchmark_key",)
    )

    def __init__(self, rows: list["OverviewRow"], **kwargs: Any) -> None:
        super().__init__(OverviewRows(rows), **kwargs)

    row_header = "description"  # the template makes this column's cells <th scope="row">
    numeric = ("value", "previous", "target")

    class Meta:
        template_name = "includes/sortable_table.html"
        order_by = ("ref",)
        # sct-stack: one block per KPI on a phone, its sort links kept as a line above.
        attrs = {
            "class": "govuk-table sct-overview-table sct-stack sct-stack--sortable",
            "id": "kpi-table",
        }

    def body_rows(self) -> list[SafeString]:
        """The table's rows, in its order, rendered here rather than cell by cell through
        templates: the same render_* methods, a fraction of the time for hundreds of rows."""
        columns = [
            (column.name, escape(str(column.header)), getattr(self, f"render_{column.name}"))
            for column in self.columns
        ]
        numeric = set(self.numeric)
        rows = []
        page = getattr(self, "page", None)  # paginated: this page's rows only
        for row in page.object_list if page is not None else self.rows:
            record = row.record
            cells = []
            # data-label: the column's header, which a narrow screen shows beside each cell.
            for name, label, render in columns:
                html = render(record)
                if name == self.row_header:
                    cells.append(
                        f'<th scope="row" class="govuk-table__header sct-row-header">{html}</th>'
                    )
                elif name in numeric:
                    cells.append(
                        f'<td class="govuk-table__cell govuk-table__cell--numeric" '
                        f'data-label="{label}">{html}</td>'
                    )
                else:
                    cells.append(f'<td class="govuk-table__cell" data-label="{label}">{html}</td>')
            rows.append(SafeString('<tr class="govuk-table__row">' + "".join(cells) + "</tr>"))
        return rows

    # Rendering: always the words, with colour or symbol as well.

    def render_ref(self, record: OverviewRow) -> SafeString:
        return SafeString(escape(record.kpi.ref))

    def render_description(self, record: OverviewRow) -> SafeString:
        kpi = record.kpi
        href = self.detail_url(kpi)
        return SafeString(
            f'<a class="govuk-link" href="{escape(href)}">{escape(kpi.description)}</a>'
        )

    @cached_property
    def detail_url(self) -> Callable[[Kpi], str]:
        return detail_urls()

    def render_value(self, record: OverviewRow) -> SafeString:
        shown = escape(record.formatted)
        if record.symbol:
            shown = symbol_tag(record.symbol)
        html = f'<span class="sct-value" data-kpi="{escape(record.kpi.ref)}">{shown}</span>'
        if record.month is not None:
            label = escape(record.period_label)
            html += f' <span class="sct-muted sct-month-label">{label}</span>'
        if record.is_long_overdue:
            html += (
                '<strong class="govuk-tag govuk-tag--grey sct-tag-small">'
                f"{escape(record.age_text[:1].upper() + record.age_text[1:])}</strong>"
            )
        elif record.is_out_of_date:
            html += (
                '<strong class="govuk-tag govuk-tag--grey sct-tag-small">'
                f"No {month_label(record.chosen)} figure</strong>"
            )
        if record.published is not None:
            html += revised_tag(record.published)
        return SafeString(html)

    def render_previous(self, record: OverviewRow) -> SafeString:
        comparison = record.previous
        if comparison is None or comparison.figure is None:
            return SafeString("–")
        shown = (
            symbol_tag(comparison.symbol)
            if comparison.symbol
            else escape(record.kpi.format_figure(comparison.figure.figure))
        )
        return SafeString(
            f'<span class="sct-value">{shown}</span> <span class="sct-muted sct-month-label">'
            f"{escape(record.kpi.period_label(comparison.month))}</span>"
        )

    def render_vs_previous(self, record: OverviewRow) -> SafeString:
        return direction_tag(record.previous)

    def render_vs_year(self, record: OverviewRow) -> SafeString:
        return direction_tag(record.year_ago)

    def render_target(self, record: OverviewRow) -> SafeString:
        if record.target is None:
            return SafeString('<span class="sct-muted">No target</span>')
        return SafeString(f'<span class="sct-value sct-target">{record.target_text}</span>')

    def render_rag(self, record: OverviewRow) -> SafeString:
        html = rag_tag(record.rag)
        if record.stated is not None:
            html = SafeString(html + stated_tag(record.stated))
        return html

    def render_variation(self, record: OverviewRow) -> SafeString:
        if record.kpi.cumulative:
            return SafeString('<span class="sct-muted">Not analysed: year to date</span>')
        analysis = record.analysis
        html = (
            f'<span class="sct-spc">{variation_icon(analysis.variation)}'
            f"{analysis.variation.label}</span>"
        )
        if analysis.assurance in JUDGED:
            html += (
                f'<span class="sct-spc">{assurance_icon(analysis.assurance)}'
                f"{analysis.assurance.label}</span>"
            )
        return SafeString(html)

    def render_trend(self, record: OverviewRow) -> SafeString:
        return sparkline(record.sparkline)

    def render_benchmark(self, record: OverviewRow) -> SafeString:
        """The quartile band in words (never colour alone), the rank and the period."""
        found = record.standing
        if found is None:
            return SafeString('<span class="sct-muted">No published benchmark</span>')
        if found.standing is None:
            own = found.own
            why = f"{own.symbol}: {own.meaning}" if own and own.symbol else "no figure"
            return SafeString(
                f'<span class="sct-muted">Not ranked ({escape(why)}), '
                f"{escape(found.time_period)}</span>"
            )
        standing = found.standing
        joint = "joint " if standing.joint else ""
        place = f"{joint}{benchmarking.ordinal(standing.rank)} {standing.counts_from}"
        return SafeString(
            f'<span class="sct-band" data-band="{escape(standing.band)}">Quartile '
            f"{escape(standing.band)}</span>, {escape(standing.band_words)}; "
            f'<span class="sct-muted">{escape(place)} of {standing.of} '
            f"with a figure, {escape(found.time_period)}</span>"
        )


JUDGED = {spc.Assurance.PASSES, spc.Assurance.FAILS, spc.Assurance.HIT_AND_MISS}


# ---------------------------------------------------------------------------------------
# Downloads: the same rows, numbers as numbers (sct_portal.spreadsheets' convention)


HEADERS = [
    "Ref",
    "KPI",
    "Section",
    "Unit",
    "Month",
    "Latest value",
    "Previous month",
    "Previous value",
    "Against previous figure",
    "Year-before month",
    "Year-before value",
    "Against a year before",
    "Target",
    "Target as written",
    "RAG",
    "SPC variation",
    "SPC assurance",
]
WIDTHS = [6, 50, 20, 18, 9, 10, 9, 10, 12, 9, 10, 14, 10, 24, 10, 20, 20]


def _row(item: Position) -> list[spreadsheets.CsvCell]:
    """One KPI's row, each cell typed: text, a month or a figure in the KPI's measure."""
    kpi = item.kpi
    measure = spreadsheets.Measure(kpi.unit, kpi.decimals)
    previous, year_ago = item.previous, item.year_ago

    def month(value: dt.date | None) -> spreadsheets.Month | None:
        return spreadsheets.Month(value) if value else None

    def figure(value: Decimal | None, symbol: str = "") -> spreadsheets.Figure:
        return spreadsheets.Figure(measure, Decimal(value) if value is not None else None, symbol)

    return [
        kpi.ref,
        kpi.description,
        kpi.section.name,
        measure.unit_label,
        month(item.month),
        figure(item.value, item.symbol),
        month(previous.month if previous else None),
        figure(previous.value, previous.symbol) if previous else figure(None),
        previous.direction.label if previous else "",
        month(year_ago.month if year_ago else None),
        figure(year_ago.value, year_ago.symbol) if year_ago else figure(None),
        year_ago.direction.label if year_ago else "",
        figure(assured_against(kpi, item.target, item.reference)),  # the target's edge
        item.target_text,
        item.rag.label,
        item.analysis.variation.label,
        item.analysis.assurance.label,
    ]


def as_csv(rows: Iterable[Position]) -> str:
    return spreadsheets.csv_document(HEADERS, [_row(item) for item in rows])


def as_xlsx(
    rows: Iterable[Position], *, month: dt.date, creator: str = settings.PORTAL_NAME
) -> bytes:
    title = f"KPI overview, {periods.month_name(month)}"
    with spreadsheets.Book(title=title, author=creator) as book:
        sheet = book.sheet("KPIs")
        sheet.column_widths(dict(enumerate(WIDTHS, 1)))
        for column, heading in enumerate(HEADERS, 1):
            sheet.text(1, column, heading, spreadsheets.HEADER)
        line = 1
        for item in rows:
            line += 1
            cells = _row(item)
            sheet.cells(line, 1, cells[:1])
            sheet.text(line, 2, item.kpi.description, spreadsheets.WRAPPED)
            sheet.cells(line, 3, cells[2:])
        sheet.freeze(2, 3)
        sheet.autofilter(1, line, len(HEADERS))
        sheet.symbol_key(line + 2, last_column=2)
        sheet.print_setup(
            spreadsheets.PrintSetup(title_rows=(1, 1), title_columns=(1, 2), fit_width=False),
            document=title,
        )
        return book.close()
