"""Property-based tests of the importer: whatever a file holds (wrong types, blank and
merged header rows, huge and negative numbers, formulas, text starting with "=", text in any
encoding, empty files, thousands of columns), importing it never raises and never
half-writes: either every figure it holds is written, or nothing is."""

import csv
import datetime as dt
import io
from contextlib import contextmanager
from decimal import Decimal

import openpyxl
import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kpis import imports
from kpis.models import Observation, ObservationRevision
from sct_portal import periods
from sct_portal.models import control_characters
from tests.kpis.conftest import workbook_bytes

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

MONTHS = ["Apr-21", "Sep-21", "Mar-22", "Apr - 22", "May – 22", "June - 22", "2022-06"]
QUARTERS = ["Q1 2022/23", "2021/22 Q4", "Quarter 3 2021-22", "Apr–Jun 2022", "Jan-Mar 22"]
DATES = ["30/06/2022", "end June 2022", "as at 31 May 2022", "31/06/2022", "06/30/2022"]
ODD_MONTHS = ["Jan-99", "Dec-2099", "Smarch-22", "Jun 22", "13/2022", "June", "Q1 2022", "Q5 22/23"]
REFS = ["1", "2", "3", "5", "6a", "6A", "13", "14", "CIC", "CICR", " 1 ", "99", "Pl.No", ""]
FORMULAS = ["=1+1", "=SUM(C2:C9)", '=HYPERLINK("http://example.org")', "=cmd|' /C calc'!A0"]
WEIRD_NUMBERS = [
    "1e999999",
    "-1e999999",
    "9" * 40,
    "-0",
    "1e-99999",
    "NaN",
    "inf",
    "-Infinity",
    "0x10",
    "1_000",
    "١٢٣",
    "12,34,5",
    "%",
    "85.2%%",
    "£-3",
    "19,61",
    "1,5",
    "1.234,5",
    "1,234",
    "0,5%",
]
CONTROL = ["\x00", "\x0b", "\x1b", "\x7f", "_x000B_"]

plain_numbers = st.decimals(
    min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False
).map(str)
percentages = st.decimals(min_value=0, max_value=120, places=1).map(lambda d: f"{d}%")
texts = st.text(max_size=25)
cell_texts = st.one_of(
    plain_numbers,
    percentages,
    st.sampled_from(WEIRD_NUMBERS),
    st.sampled_from(FORMULAS),
    st.sampled_from(MONTHS + QUARTERS + DATES + ODD_MONTHS),
    st.sampled_from(REFS),
    texts,
    st.just(""),
)


@st.composite
def tables(draw) -> list[list[str]]:
    """Rows of text cells, often shaped like the report's table so that the deeper checks
    run: sometimes prose first, a header of months (or not), KPI rows, blank rows."""
    rows: list[list[str]] = []
    for _ in range(draw(st.integers(0, 2))):
        rows.append([draw(texts)])  # prose
    if draw(st.booleans()):
        months = draw(
            st.lists(st.sampled_from(MONTHS + QUARTERS + ODD_MONTHS), min_size=1, max_size=5)
        )
        lead = draw(st.sampled_from([["", ""], ["Ref", "Description"], [""], []]))
        rows.append(lead + months)
    elif draw(st.booleans()):
        rows.append(draw(st.permutations(["ref", "month", "value", "note", "numerator"])))
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 5)) == 0:
            rows.append([])  # a blank row inside the table
            continue
        ref = draw(st.sampled_from(REFS))
        rows.append([ref, draw(texts), *draw(st.lists(cell_texts, max_size=6))])
    return rows


REPORT_MONTHS = periods.months_between(dt.date(2021, 4, 1), dt.date(2022, 6, 1))
SPELLINGS = ["{abbr}-{yy}", "{abbr} - {yy}", "{name} – {yy}", "{name} {yyyy}", "{yyyy}-{mm}"]


@st.composite
def wellformed_tables(draw) -> list[list[str]]:
    """The report's layout with good figures (so that imports are written), sometimes with
    one cell spoiled (so that nothing must be)."""
    months = draw(st.lists(st.sampled_from(REPORT_MONTHS), min_size=1, max_size=4, unique=True))
    labels = [
        draw(st.sampled_from(SPELLINGS)).format(
            abbr=periods.month_label(m)[:3],
            name=periods.month_name(m).split()[0],
            yy=f"{m.year % 100:02d}",
            yyyy=m.year,
            mm=f"{m.month:02d}",
        )
        for m in months
    ]
    rows = [[draw(texts)], ["", "", *labels]]
    refs = draw(st.lists(st.sampled_from(["1", "2", "3", "4", "7", "9", "13", "14"]), unique=True))
    for ref in refs:
        good = percentages.filter(lambda v: Decimal(v[:-1]) <= 100)
        if ref in ("2", "14"):  # a rate and an average: no percent sign
            good = st.decimals(min_value=0, max_value=100, places=1).map(str)
        values = [draw(st.one_of(st.just(""), good)) for _ in months]
        rows.append([ref, draw(texts), *values])
    if rows[2:] and draw(st.booleans()):
        row = draw(st.integers(2, len(rows) - 1))
        column = draw(st.integers(2, len(rows[row]) - 1)) if len(rows[row]) > 2 else 2
        rows[row][column : column + 1] = [draw(cell_texts)]
    return rows


def as_text(rows: list[list[str]], delimiter: str, encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


def as_workbook(rows: list[list[str]], data, merge: bool) -> bytes:
    """An .xlsx of the rows, with cells turned into the types a spreadsheet holds."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    kinds = ["text", "number"]
    if data.draw(st.booleans()):
        kinds += ["formula", "other"]
    for r, row in enumerate(rows, 1):
        for c, text in enumerate(row, 1):
            kind = data.draw(st.sampled_from(kinds))
            cell = sheet.cell(r, c)
            if kind == "number":
                try:
                    number = Decimal(text.rstrip("%").replace(",", ""))
                except ArithmeticError:
                    number = None
                if number is not None and number.is_finite() and abs(number) < 10**300:
                    cell.value = float(number / (100 if text.endswith("%") else 1))
                    cell.number_format = "0.0%" if text.endswith("%") else "General"
                    continue
            if kind == "formula":
                cell.value = data.draw(st.sampled_from(FORMULAS))  # stored as a formula
                continue
            if kind == "other":
                cell.value = data.draw(
                    st.sampled_from(
                        [True, dt.datetime(2022, 6, 1), dt.date(2022, 5, 17), 10**20, -(10**15)]
                    )
                )
                continue
            if text:
                # Only characters XML can carry; anything else is what a file cannot hold.
                cell.value = "".join(ch for ch in text if ch.isprintable())
                cell.data_type = "s"
    if merge and rows:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=3)
    return workbook_bytes(workbook)


def snapshot() -> dict[tuple[int, dt.date], tuple[object, ...]]:
    return {
        (o.kpi_id, o.month): (o.value, o.numerator, o.denominator, o.note, o.version)
        for o in Observation.objects.all()
    }


@contextmanager
def rolled_back():
    """Each example starts from the same database."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def check_all_or_nothing(
    name: str, content: bytes, by, options: imports.ReadOptions | None = None
) -> None:
    before = snapshot()
    revisions = ObservationRevision.objects.count()
    outcome = imports.import_file(
        name=name, content=content, by=by, reason="property test", options=options
    )
    event(f"layout: {outcome.plan.reading.layout}")
    event(
        "imported" if outcome.ok and outcome.written else "refused" if not outcome.ok else "no-op"
    )
    after = snapshot()
    if not outcome.ok:
        assert after == before, outcome.problems
        assert ObservationRevision.objects.count() == revisions
        assert all(str(problem) for problem in outcome.problems)
        return
    written = {(c.kpi.pk, c.month): c for c in outcome.plan.to_write}
    assert len(outcome.written) == len(written)
    assert ObservationRevision.objects.count() == revisions + len(written)
    for key, row in after.items():
        if key in written:
            assert row[0] == written[key].value
        else:
            assert row == before[key]
    assert set(after) == set(before) | set(written)


@PROPERTY
@given(
    rows=st.one_of(tables(), wellformed_tables()),
    suffix=st.sampled_from([".csv", ".tsv", ".txt"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-32"]),
)
def test_any_text_file_imports_all_or_nothing(demo_kpis, analyst, rows, suffix, encoding):
    delimiter = "," if suffix == ".csv" else "\t"
    with rolled_back():
        check_all_or_nothing(f"figures{suffix}", as_text(rows, delimiter, encoding), analyst)


@settings(PROPERTY, max_examples=60)
@given(rows=st.one_of(tables(), wellformed_tables()), merge=st.booleans(), data=st.data())
def test_any_workbook_imports_all_or_nothing(demo_kpis, analyst, rows, merge, data):
    with rolled_back():
        check_all_or_nothing("figures.xlsx", as_workbook(rows, data, merge), analyst)


@settings(PROPERTY, max_examples=100)
@given(
    content=st.binary(max_size=2000),
    suffix=st.sampled_from([".csv", ".tsv", ".xlsx", ".xls", ".txt", ""]),
)
def test_any_bytes_at_all_are_refused_or_imported_never_raising(
    demo_kpis, analyst, content, suffix
):
    with rolled_back():
        check_all_or_nothing(f"upload{suffix}", content, analyst)


@settings(PROPERTY, max_examples=8)
@given(
    columns=st.integers(1000, 5000),
    month_headers=st.booleans(),
    suffix=st.sampled_from([".tsv", ".xlsx"]),
)
def test_thousands_of_columns_are_handled(demo_kpis, analyst, columns, month_headers, suffix):
    labels = ["Jun-22" if month_headers else f"Column {i}" for i in range(columns)]
    rows = [["Ref", "Description", *labels], ["1", "Contacts", *(["75.0"] * columns)]]
    if suffix == ".tsv":
        content = as_text(rows, "\t", "utf-8")
    else:
        workbook = openpyxl.Workbook()
        for row in rows:
            workbook.active.append(row)
        content = workbook_bytes(workbook)
    with rolled_back():
        check_all_or_nothing(f"wide{suffix}", content, analyst)
        # A thousand "Jun-22" columns are a thousand values for one cell: refused.
        if month_headers:
            assert Observation.objects.get(kpi__ref="1", month="2022-06-01").value == Decimal(
                "74.9"
            )


def test_a_zip_that_unpacks_to_too_much_is_refused_unopened(demo_kpis, analyst):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (imports.MAX_UNPACKED_BYTES + 1))
    outcome = imports.import_file(name="bomb.xlsx", content=buffer.getvalue(), by=analyst)
    assert [str(p) for p in outcome.problems] == [
        "The file: it unpacks to too much data to be a table of KPIs"
    ]


def spoiled(text: str, data) -> str:
    """The text with a quote or a control character put somewhere in it."""
    spoiler: str = data.draw(st.sampled_from(['"', '""', '"x', *CONTROL]))
    at: int = data.draw(st.integers(0, len(text)))
    return text[:at] + spoiler + text[at:]


@settings(PROPERTY, max_examples=120)
@given(
    rows=st.one_of(tables(), wellformed_tables()),
    suffix=st.sampled_from([".csv", ".tsv"]),
    decimal_comma=st.booleans(),
    data=st.data(),
)
def test_stray_quotes_and_control_characters_never_half_write(
    demo_kpis, analyst, rows, suffix, decimal_comma, data
):
    """A quote or a control character anywhere, read with either decimal separator: never
    raises, and either every figure is written or none; a control character is never stored."""
    delimiter = "," if suffix == ".csv" else "\t"
    text = spoiled(as_text(rows, delimiter, "utf-8").decode(), data)
    options = imports.ReadOptions(decimal_comma=decimal_comma)
    with rolled_back():
        check_all_or_nothing(f"figures{suffix}", text.encode(), analyst, options)
        notes = Observation.objects.values_list("note", flat=True)
        assert not any(control_characters(note) for note in notes)


@settings(PROPERTY, max_examples=40)
@given(
    rows=wellformed_tables(),
    states=st.lists(st.sampled_from(["visible", "hidden", "veryHidden"]), min_size=1, max_size=3),
    hidden_sheets=st.booleans(),
)
def test_workbooks_with_hidden_sheets_import_all_or_nothing(
    demo_kpis, analyst, rows, states, hidden_sheets
):
    """Each sheet holds the table; hidden ones are read only when chosen (then the same
    figures twice are refused), and whatever happens nothing is half-written."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for number, state in enumerate(states):
        sheet = workbook.create_sheet(f"Sheet{number}")
        for row in rows:
            # Only characters XML can carry (as_workbook above).
            sheet.append(["".join(ch for ch in cell if ch.isprintable()) or None for cell in row])
        sheet.sheet_state = state
    if all(state != "visible" for state in states):
        workbook.create_sheet("Front")  # a workbook shows at least one sheet
    content = workbook_bytes(workbook)
    options = imports.ReadOptions(hidden_sheets=hidden_sheets)
    with rolled_back():
        check_all_or_nothing("figures.xlsx", content, analyst, options)
        reading = imports.read("figures.xlsx", content, options=options)
        places = {figure.place.sheet for figure in reading.figures}
        if not hidden_sheets:
            read = {f"Sheet{n}" for n, state in enumerate(states) if state == "visible"}
            assert places <= read
