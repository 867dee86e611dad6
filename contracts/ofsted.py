"""Ofsted's inspection outcomes of every local authority, from the OpenDocument spreadsheet
Ofsted publishes ("LA_Inspection_Outcomes_as_at_31_March_2025.ods"): the ILACS inspection
history since 2018 and the year's in-year visits, each with its dates and judgements.

The spreadsheet is read with odfpy (pyproject.toml says why); cells are taken by the
headings of each table (found in its first rows: the tables start at row 3), never by
position, so a reordered column still reads. Part of the published-statistics import
(kpis/published.py): `prepare` fills a plan, `commit` writes its outcomes to the release.
"""

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.parsers.expat import ExpatError

from defusedxml import DefusedXmlException
from odf import teletype
from odf.opendocument import load
from odf.table import Table, TableRow
from odf.text import P

from kpis.ees import folded
from kpis.published import Plan, Problem

from .models import Judgement, PublishedInspection

PUBLISHER = "Ofsted"
MAX_COLUMNS = 40  # a table's columns read; the sheets repeat an empty cell 16,000 times
MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 10
HEADING_OF_CODES = "local authority area code"  # the cell that marks a table's header row

# The sheets read, by a word of their name, with the kind of record each row is.
HISTORY = "history"  # ILACS_inspection_history: short and standard inspections since 2018
IN_YEAR = "in-year"  # In-year_inspections: the year's inspections and visits
SHEETS = (HISTORY, IN_YEAR)

# Columns by their heading (compared ignoring case and spacing); the first that is there.
COLUMNS: dict[str, tuple[str, ...]] = {
    "ons_code": ("local authority area code",),
    "la_name": ("local authority name",),
    "la_status": ("local authority status",),
    "region": ("ofsted region", "region"),
    "inspected_on": ("inspection date", "inspection/visit date"),
    "published_on": ("publication date",),
    "kind": ("inspection type", "inspection/visit type"),
    "overall": ("overall effectiveness",),
    "leadership": ("the impact of leaders on social work practice with children and families",),
    "help_and_protection": (
        "the experiences and progress of children who need help and protection",
    ),
    "in_care": (
        "the experiences and progress of children in care",
        "the experiences and progress of children in care and care leavers",
    ),
    "care_leavers": ("the experiences and progress of care leavers",),
    "theme": ("visit theme",),
}
REQUIRED = ("ons_code", "la_name", "inspected_on", "kind")
JUDGEMENTS = {folded(label): value for value, label in Judgement.choices}
JUDGEMENTS[folded("Requires improvement")] = Judgement.REQUIRES_IMPROVEMENT


@dataclass(frozen=True)
class Cell:
    text: str
    date: dt.date | None = None


@dataclass(frozen=True)
class Outcome:
    ons_code: str
    la_name: str
    la_status: str
    region: str
    kind: str
    inspected_on: dt.date
    published_on: dt.date | None
    overall: str
    leadership: str
    help_and_protection: str
    in_care: str
    care_leavers: str
    theme: str
    place: str

    @property
    def key(self) -> tuple[str, dt.date, str]:
        return (self.ons_code, self.inspected_on, self.kind)


@dataclass
class Outcomes:
    """What the file holds, for the preview and the commit."""

    outcomes: list[Outcome] = field(default_factory=list)
    sheets: dict[str, int] = field(default_factory=dict)  # sheet → rows read

    @property
    def summary(self) -> str:
        authorities = len({outcome.ons_code for outcome in self.outcomes})
        return f"{len(self.outcomes)} inspections and visits of {authorities} local authorities"

    @property
    def judged(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.overall)


def read_sheets(content: bytes) -> dict[str, list[list[Cell]]]:
    """Every sheet's rows of cells (text, and the date of a date cell). Raises ValueError
    when the bytes are not an OpenDocument spreadsheet."""
    try:
        document = load(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ExpatError, DefusedXmlException, ValueError) as error:
        raise ValueError(f"it is not an OpenDocument spreadsheet ({error})") from None
    sheets: dict[str, list[list[Cell]]] = {}
    for table in document.spreadsheet.getElementsByType(Table):
        rows: list[list[Cell]] = []
        for row in table.getElementsByType(TableRow):
            cells = _cells(row)
            repeat = int(row.getAttribute("numberrowsrepeated") or 1)
            for _ in range(repeat if cells else min(repeat, 1)):
                rows.append(cells)
            if len(rows) >= MAX_ROWS:
                break
        while rows and not rows[-1]:
            rows.pop()
        sheets[str(table.getAttribute("name"))] = rows
    return sheets


def _cells(row: Any) -> list[Cell]:
    cells: list[Cell] = []
    for node in row.childNodes:
        if node.qname[1] not in ("table-cell", "covered-table-cell"):
            continue
        repeat = int(node.getAttribute("numbercolumnsrepeated") or 1)
        text = "\n".join(teletype.extractText(p) for p in node.getElementsByType(P)).strip()
        date = None
        if node.qname[1] == "table-cell" and (value := node.getAttribute("datevalue")):
            date = dt.date.fromisoformat(str(value)[:10])
        cells.extend([Cell(text, date)] * min(repeat, MAX_COLUMNS - len(cells)))
        if len(cells) >= MAX_COLUMNS:
            break
    while cells and not cells[-1].text:
        cells.pop()
    return cells


def prepare(plan: Plan) -> None:
    """Fill `plan` (a kpis.published.Plan of an .ods file) with the outcomes it holds."""
    plan.publisher = PUBLISHER
    try:
        sheets = read_sheets(plan.content)
    except ValueError as error:
        plan.problems.append(Problem(str(error)))
        return
    found = Outcomes()
    plan.extra = found
    _cover(plan, sheets)
    chosen = [
        (word, name)
        for word in SHEETS
        for name in sheets
        if word in name.casefold().replace("_", "-")
    ]
    if not any(word == HISTORY for word, _ in chosen):
        plan.problems.append(
            Problem(
                "it has no sheet of the ILACS inspection history (a sheet named “…history”); "
                f"its sheets are: {', '.join(sheets)}"
            )
        )
        return
    seen: set[tuple[str, dt.date, str]] = set()
    for _word, name in chosen:
        before = len(found.outcomes)
        for outcome in _read_sheet(name, sheets[name], plan):
            if outcome.key in seen:
                continue  # an in-year inspection is in the history too
            seen.add(outcome.key)
            found.outcomes.append(outcome)
        found.sheets[name] = len(found.outcomes) - before
    for name, rows in sheets.items():
        tabular = any(
            folded(cell.text) == HEADING_OF_CODES
            for row in rows[:HEADER_SEARCH_ROWS]
            for cell in row
        )
        if tabular and name not in found.sheets:
            plan.notes.append(
                f"Sheet “{name}” is not read: each authority's latest judgements are the "
                "latest of its history."
            )


def _cover(plan: Plan, sheets: dict[str, list[list[Cell]]]) -> None:
    """The release's title and publication date, from the cover sheet when there is one."""
    cover = next((rows for name, rows in sheets.items() if folded(name) == "cover"), None)
    if not cover:
        return
    if cover[0] and not plan.label:
        plan.label = cover[0][0].text
    for row in cover:
        if len(row) > 1 and folded(row[0].text).startswith("published on"):
            plan.published_on = plan.published_on or row[1].date or _date(row[1].text)


def _date(text: str) -> dt.date | None:
    for pattern in ("%d/%m/%Y", "%d %B %Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _reference(sheet: str, row: int, column: int) -> str:
    letters = ""
    number = column + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return f"{sheet}!{letters}{row}"


def _read_sheet(name: str, rows: list[list[Cell]], plan: Plan) -> list[Outcome]:
    header_at = next(
        (
            i
            for i, row in enumerate(rows[:HEADER_SEARCH_ROWS])
            if any(folded(cell.text) == HEADING_OF_CODES for cell in row)
        ),
        None,
    )
    if header_at is None:
        plan.problems.append(
            Problem(f"sheet “{name}” has no header row with “Local authority area code”")
        )
        return []
    headings = [folded(cell.text) for cell in rows[header_at]]
    columns: dict[str, int] = {}
    for key, names in COLUMNS.items():
        index = next((headings.index(n) for n in names if n in headings), None)
        if index is not None:
            columns[key] = index
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in columns]
    if missing:
        plan.problems.append(
            Problem(
                f"sheet “{name}”, row {header_at + 1}: no column headed "
                + ", ".join(f"“{m}”" for m in missing)
            )
        )
        return []
    outcomes = []
    for offset, row in enumerate(rows[header_at + 1 :], header_at + 2):
        if not any(cell.text for cell in row):
            continue
        outcome = _outcome(name, offset, row, columns, plan)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def _outcome(
    sheet: str, row_number: int, row: list[Cell], columns: dict[str, int], plan: Plan
) -> Outcome | None:
    def cell(key: str) -> Cell:
        index = columns.get(key)
        return row[index] if index is not None and index < len(row) else Cell("")

    def place(key: str) -> str:
        return _reference(sheet, row_number, columns.get(key, 0))

    problems_before = len(plan.problems)
    inspected = cell("inspected_on").date or _date(cell("inspected_on").text)
    if inspected is None:
        plan.problems.append(
            Problem(f"{place('inspected_on')}: “{cell('inspected_on').text}” is not a date")
        )
    published_cell = cell("published_on")
    published = published_cell.date or _date(published_cell.text)
    if published_cell.text and published is None:
        plan.problems.append(
            Problem(f"{place('published_on')}: “{published_cell.text}” is not a date")
        )
    judgements: dict[str, str] = {}
    for key in PublishedInspection.JUDGEMENTS:
        text = cell(key).text
        judgement = JUDGEMENTS.get(folded(text)) if text else ""
        if judgement is None:
            plan.problems.append(
                Problem(
                    f"{place(key)}: “{text}” is not one of Ofsted's judgements (Outstanding, "
                    "Good, Requires improvement to be good, Inadequate)"
                )
            )
            judgement = ""
        judgements[key] = str(judgement)
    code = cell("ons_code").text
    if not code:
        plan.problems.append(Problem(f"{place('ons_code')}: the authority's code is blank"))
    if len(plan.problems) > problems_before or inspected is None:
        return None
    return Outcome(
        ons_code=code,
        la_name=cell("la_name").text,
        la_status=cell("la_status").text,
        region=cell("region").text,
        kind=cell("kind").text,
        inspected_on=inspected,
        published_on=published,
        theme=cell("theme").text,
        place=f"{sheet}, row {row_number}",
        **judgements,
    )


def commit(plan: Plan, release: Any) -> None:
    """Write the plan's outcomes to `release` (within kpis.published.commit's transaction)."""
    found: Outcomes = plan.extra
    PublishedInspection.objects.bulk_create(
        PublishedInspection(
            release=release,
            ons_code=outcome.ons_code,
            la_name=outcome.la_name,
            la_status=outcome.la_status,
            region=outcome.region,
            kind=outcome.kind,
            inspected_on=outcome.inspected_on,
            published_on=outcome.published_on,
            overall=outcome.overall,
            leadership=outcome.leadership,
            help_and_protection=outcome.help_and_protection,
            in_care=outcome.in_care,
            care_leavers=outcome.care_leavers,
            theme=outcome.theme,
            place=outcome.place,
        )
        for outcome in found.outcomes
    )
