"""Files the importer used to misread while reporting success: stray quotes, decimal commas,
hidden sheets, control characters, encrypted workbooks, a stray cell far off, workbooks of
very many cells. Each is now refused (or read) with the cell named, and nothing is written
unless the whole file is right."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from kpis import imports
from kpis.models import Observation, ObservationRevision
from tests.kpis.conftest import workbook_bytes

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"
JUNE = dt.date(2022, 6, 1)


def stored(ref: str, month: dt.date = JUNE) -> Decimal | None:
    return Observation.objects.get(kpi__ref=ref, month=month).value


def messages(outcome: imports.Outcome) -> list[str]:
    return [str(problem) for problem in outcome.problems]


# Quotes in CSV ---------------------------------------------------------------------------


def test_a_stray_quote_is_named_by_its_line_and_column_not_swallowing_the_rows_after(
    demo_kpis, analyst
):
    content = (
        b"ref,month,value,note\n"
        b'1,Jun-22,75.0,"MASH late\n'
        b"2,Jun-22,45.6,\n"
        b"3,Jun-22,60.0,\n"
        b"14,Jun-22,19.9,\n"
    )
    revisions = ObservationRevision.objects.count()
    outcome = imports.import_file(name="june.csv", content=content, by=analyst, confirmed=True)
    assert messages(outcome) == [
        'line 2: the quote (") that opens the cell in column 4 is never closed, so every line '
        "after it would be read into that one cell; remove the stray quote, or add the "
        "closing one"
    ]
    assert (stored("1"), stored("2"), stored("14")) == (
        Decimal("74.9"),
        Decimal("45.5"),
        Decimal("19.61"),
    )
    assert ObservationRevision.objects.count() == revisions


def test_a_stray_quote_closed_by_another_further_down_is_found_too(demo_kpis, analyst):
    content = b'ref,month,value,note\n1,Jun-22,75.0,"MASH late\n2,Jun-22,45.6,\n3,Jun-22,60.0,"\n'
    outcome = imports.import_file(name="june.csv", content=content, by=analyst, confirmed=True)
    assert messages(outcome) == [
        "line 2: the quoted cell in column 4 runs on to line 4 and takes in what look like rows "
        'of the table (line 3: "2,Jun-22,45.6,"); a quote (") is stray or missing: remove it, '
        "or close the quote where the cell ends"
    ]
    assert stored("1") == Decimal("74.9")


def test_text_after_a_closing_quote_is_refused_with_its_place(demo_kpis, analyst):
    content = b'ref,month,value,note\n1,Jun-22,75.0,"Late" from MASH\n'
    outcome = imports.import_file(name="june.csv", content=content, by=analyst, confirmed=True)
    assert messages(outcome) == [
        'line 2: in column 4 a quote (") closes the cell but text follows it ("from MASH"); '
        'put the whole cell in quotes and double each quote inside it ("")'
    ]


def test_a_quoted_note_with_line_breaks_and_commas_is_still_one_note(demo_kpis, analyst):
    content = (
        b"ref,month,value,note\n"
        b'1,Jun-22,75.0,"Two late, one early.\nSee the MASH log, page 3."\n'
        b"2,Jun-22,45.5,\n"
    )
    outcome = imports.import_file(name="june.csv", content=content, by=analyst, confirmed=True)
    assert outcome.ok, outcome.problems
    assert Observation.objects.get(kpi__ref="1", month=JUNE).note == (
        "Two late, one early.\nSee the MASH log, page 3."
    )
    assert [c.place.row for c in outcome.plan.changes] == [2, 4]


# Decimal commas --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("19,61", "line 2, Jun-22: 19,61 — use a point: 19.61"),
        ("1,5", "line 2, Jun-22: 1,5 — use a point: 1.5"),
        ("0,125", "line 2, Jun-22: 0,125 — use a point: 0.125"),
        ("19,6%", "line 2, Jun-22: 19,6% — use a point: 19.6%"),
    ],
)
def test_a_decimal_comma_is_refused_with_the_number_as_it_should_be_typed(
    demo_kpis, analyst, typed, expected
):
    content = f'ref,month,value\n14,Jun-22,"{typed}"\n'.encode()
    outcome = imports.import_file(name="june.csv", content=content, by=analyst, confirmed=True)
    assert len(outcome.problems) == 1
    assert str(outcome.problems[0]).startswith(expected)
    assert "if the whole file writes decimals with commas, say so" in str(outcome.problems[0])
    assert stored("14") == Decimal("19.61")


def test_thousands_separators_in_groups_of_three_are_still_read(demo_kpis, analyst):
    content = b'ref,month,value\nCIC,Jun-22,"1,234"\n5,Jun-22,"12,345"\n'
    outcome = imports.import_file(name="june.csv", content=content, by=analyst, confirmed=True)
    assert outcome.ok, outcome.problems
    assert (stored("CIC"), stored("5")) == (Decimal("1234"), Decimal("12345"))


def test_a_file_declared_with_decimal_commas_reads_them(demo_kpis, analyst):
    content = "ref\tmonth\tvalue\n14\tJun-22\t19,9\n1\tJun-22\t75,0%\nCIC\tJun-22\t1.234\n"
    options = imports.ReadOptions(decimal_comma=True)
    reading = imports.read("june.tsv", content.encode(), options=options)
    assert not reading.problems
    assert [(f.ref, f.value) for f in reading.figures] == [
        ("14", Decimal("19.9")),
        ("1", Decimal("75.0")),
        ("CIC", Decimal("1234")),
    ]
    point = imports.read("june.tsv", b"ref\tmonth\tvalue\n14\tJun-22\t19.9\n", options=options)
    assert [str(p) for p in point.problems] == [
        "line 2, Jun-22: 19.9 has a decimal point, but the file was declared to use decimal "
        "commas: type 19,9"
    ]


def test_the_command_reads_decimal_commas_when_told(demo_kpis, analyst, tmp_path, capsys):
    path = tmp_path / "june.tsv"
    path.write_text("ref\tmonth\tvalue\n14\tJun-22\t19,9\n")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_observations", str(path), "--user", analyst.username)
    assert "19,9 — use a point: 19.9" in capsys.readouterr().err
    call_command("import_observations", str(path), "--user", analyst.username, "--decimal-comma")
    assert stored("14") == Decimal("19.9")


# Hidden sheets ---------------------------------------------------------------------------


def workbook_with_hidden_sheets() -> bytes:
    workbook = openpyxl.Workbook()
    shown = workbook.active
    shown.title = "June"
    for row in [["ref", "month", "value"], ["1", "Jun-22", 75.0]]:
        shown.append(row)
    for title, state, value in [("Old", "hidden", 60.0), ("Workings", "veryHidden", 61.0)]:
        sheet = workbook.create_sheet(title)
        for row in [["ref", "month", "value"], ["3", "Jun-22", value]]:
            sheet.append(row)
        sheet.sheet_state = state
    return workbook_bytes(workbook)


def test_hidden_and_very_hidden_sheets_are_skipped_and_said_so(demo_kpis, analyst):
    outcome = imports.import_file(
        name="june.xlsx", content=workbook_with_hidden_sheets(), by=analyst, confirmed=True
    )
    assert outcome.ok, outcome.problems
    assert [(c.kpi.ref, c.formatted) for c in outcome.plan.changes] == [("1", "75.0%")]
    assert outcome.plan.reading.notes == [
        'Sheet "Old" is hidden, so it was not read. To import its figures, upload the file '
        'again with "Read hidden sheets" chosen.',
        'Sheet "Workings" is very hidden (only a macro can show it), so it was not read. To '
        'import its figures, upload the file again with "Read hidden sheets" chosen.',
    ]
    assert stored("3") == Decimal("59.1")


def test_hidden_sheets_are_read_only_when_chosen(demo_kpis, analyst):
    reading = imports.read(
        "june.xlsx",
        workbook_with_hidden_sheets(),
        options=imports.ReadOptions(hidden_sheets=True),
    )
    # The two hidden sheets both give KPI 3's June figure: read, and refused as a second value.
    assert [(f.ref, f.value) for f in reading.figures] == [
        ("1", Decimal("75")),
        ("3", Decimal("60")),
    ]
    assert [str(p) for p in reading.problems] == [
        "Workings!C2: a second value for KPI 3, Jun-22 (the first is at Old!C2); give one value "
        "per KPI and month"
    ]
    assert 'Sheet "Old" is hidden; it was read, as chosen.' in reading.notes


# Control characters ----------------------------------------------------------------------


def test_a_nul_in_a_note_is_refused_at_the_door_with_the_cell(demo_kpis, analyst):
    content = b"ref,month,value,note\n1,Jun-22,75.0,late\x00return\n2,Jun-22,45.6,\n"
    reading = imports.read("june.csv", content)
    assert [str(p) for p in reading.problems] == [
        "line 2: the cell holds control characters (column 4: U+0000 NUL), which no figure, "
        "reference or note may hold; remove them"
    ]
    outcome = imports.import_file(name="june.csv", content=content, by=analyst, confirmed=True)
    assert not outcome.ok
    assert stored("1") == Decimal("74.9")


def test_the_command_refuses_a_nul_in_words_not_a_traceback(demo_kpis, analyst, tmp_path, capsys):
    path = tmp_path / "june.csv"
    path.write_bytes(b"ref,month,value,note\n1,Jun-22,75.0,late\x00return\n")
    with pytest.raises(CommandError, match="1 problem: nothing was written"):
        call_command("import_observations", str(path), "--user", analyst.username)
    assert "U+0000 NUL" in capsys.readouterr().err


def test_a_vertical_tab_pasted_from_word_into_a_workbook_is_refused_by_its_cell(demo_kpis, analyst):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ref", "month", "value", "note"])
    sheet.append(["1", "Jun-22", 75.0, "_x000B_late return"])  # how Excel writes U+000B
    outcome = imports.import_file(name="june.xlsx", content=workbook_bytes(workbook), by=analyst)
    assert messages(outcome) == [
        "Sheet!D2: the cell holds control characters (U+000B vertical tab), which no figure, "
        "reference or note may hold; remove them"
    ]


def test_a_binary_file_named_csv_names_ten_cells_then_stops(demo_kpis, analyst):
    content = b"\x01,\x02,\x03\n" * 20
    problems = [str(p) for p in imports.read("noise.csv", content).problems]
    assert len(problems) == imports.MOST_CONTROL_CELLS + 1
    assert problems[-1] == (
        "The file: the cell holds control characters in more cells after these; remove them all"
    )


# Workbooks that are not what they seem ---------------------------------------------------


def test_a_password_protected_workbook_is_said_to_be_one(demo_kpis, analyst):
    content = (FILES / "password-protected.xlsx").read_bytes()
    outcome = imports.import_file(name="june.xlsx", content=content, by=analyst)
    assert len(outcome.problems) == 1
    assert str(outcome.problems[0]).startswith(
        "The file: it is protected with a password (encrypted), so it cannot be read; open it "
        "in Excel, remove the password"
    )


def test_an_old_xls_workbook_named_xlsx_is_said_to_be_one(demo_kpis, analyst):
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    outcome = imports.import_file(name="june.xlsx", content=content, by=analyst)
    assert messages(outcome) == [
        "The file: it is an older Excel workbook (.xls) or another Office file, not .xlsx; open "
        "it in Excel and save it as Excel Workbook (.xlsx)"
    ]


def test_one_stray_cell_far_off_does_not_reject_the_sheet(demo_kpis, analyst):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ref", "month", "value"])
    sheet.append(["1", "Jun-22", 0.75])
    sheet["C2"].number_format = "0.0%"
    sheet.cell(1_048_576, 16_384).value = "stray"  # XFD1048576, the last cell there is
    outcome = imports.import_file(
        name="june.xlsx", content=workbook_bytes(workbook), by=analyst, confirmed=True
    )
    assert outcome.ok, outcome.problems
    assert stored("1") == Decimal("75.0")


def test_a_workbook_of_too_many_cells_is_refused_where_the_limit_is_passed(
    demo_kpis, analyst, monkeypatch
):
    """The limit is counted as the rows stream in: the refusal names the row at which it
    was passed, so the rest of the workbook was never read."""
    monkeypatch.setattr(imports, "MAX_CELLS", 1_000)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append(["ref", "month", "value"])
    for row in range(5_000):
        sheet.append([str(row)] * 10)
    outcome = imports.import_file(name="big.xlsx", content=workbook_bytes(workbook), by=analyst)
    assert messages(outcome) == [
        'The file: it holds more than 1,000 cells (passed at sheet "Data", row 101), too many '
        "to be a table of KPI figures; import the table on its own"
    ]


def test_a_sheet_with_something_in_too_many_rows_or_columns_is_refused(
    demo_kpis, analyst, monkeypatch
):
    monkeypatch.setattr(imports, "MAX_ROWS", 50)
    monkeypatch.setattr(imports, "MAX_COLUMNS", 20)
    tall = "ref,month,value\n" + "1,Jun-22,75.0\n" * 60
    assert [str(p) for p in imports.read("tall.csv", tall.encode()).problems] == [
        "The file: the file has something in more than 50 rows (passed at line 51); import the "
        "table on its own"
    ]
    wide = openpyxl.Workbook()
    wide.active.append(["Ref", "Description", *[f"Column {i}" for i in range(30)]])
    assert [str(p) for p in imports.read("wide.xlsx", workbook_bytes(wide)).problems] == [
        'The file: sheet "Sheet" has something in more than 20 columns (passed at row 1); a '
        "table of KPIs has a column per month"
    ]


def test_merged_headings_and_percentage_formats_read_as_before(demo_kpis, analyst):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "Performance report, Q1 2022/23"
    sheet.merge_cells("A1:E1")
    sheet.append(["Ref", "Description", "Apr-22", "May-22", "Jun-22"])
    sheet.append(["1", "Contacts", 0.755, 0.771, 0.749])
    for cell in sheet[3][2:]:
        cell.number_format = "0.0%"
    reading = imports.read("q1.xlsx", workbook_bytes(workbook))
    assert not reading.problems
    assert [(f.month.month, f.value, f.percent) for f in reading.figures] == [
        (4, Decimal("75.5"), True),
        (5, Decimal("77.1"), True),
        (6, Decimal("74.9"), True),
    ]


def test_a_file_read_with_problems_writes_nothing_even_when_confirmed(demo_kpis, analyst):
    content = io.BytesIO()
    content.write(b'ref,month,value\n1,Jun-22,75.0\n14,Jun-22,"19,9"\n')
    before = ObservationRevision.objects.count()
    outcome = imports.import_file(
        name="june.csv", content=content.getvalue(), by=analyst, confirmed=True
    )
    assert not outcome.ok
    assert ObservationRevision.objects.count() == before
    assert stored("1") == Decimal("74.9")


def sheet_xml_swapped(content: bytes, sheet_xml: bytes) -> bytes:
    """The workbook with its first sheet's XML replaced (as another program might write it)."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            archive.writestr(
                info.filename, sheet_xml if info.filename.endswith("sheet1.xml") else data
            )
    return out.getvalue()


def test_a_sheet_is_streamed_not_parsed_whole_before_its_first_row(demo_kpis, analyst, monkeypatch):
    """A sheet that does not state its size, with damage after the limit: read row by row,
    the limit is met before the damage (openpyxl's read-only loader parses the whole sheet
    first to find its size, and would stop at the damage instead)."""
    monkeypatch.setattr(imports, "MAX_CELLS", 1_000)
    rows = "".join("<row>" + "<c><v>1</v></c>" * 50 + "</row>" for _ in range(100))
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}<row><c><v>1</v></c></row><<<damaged"
    ).encode()
    content = sheet_xml_swapped(workbook_bytes(openpyxl.Workbook()), xml)
    assert [str(p) for p in imports.read("big.xlsx", content).problems] == [
        'The file: it holds more than 1,000 cells (passed at sheet "Sheet", row 21), too many '
        "to be a table of KPI figures; import the table on its own"
    ]


def with_shared_texts(content: bytes, texts: list[str]) -> bytes:
    """The workbook with a table of shared texts, as Excel writes its text cells."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(content))
    items = "".join(f"<si><t>{text}</t></si>" for text in texts)
    table = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(texts)}" uniqueCount="{len(texts)}">{items}</sst>'
    ).encode()
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kind}"/>'
                data = data.replace(b"</Types>", override.encode() + b"</Types>")
            archive.writestr(info.filename, data)
        archive.writestr("xl/sharedStrings.xml", table)
    return out.getvalue()


def test_a_workbook_of_too_many_texts_is_refused_before_its_sheets_are_read(
    demo_kpis, analyst, monkeypatch
):
    monkeypatch.setattr(imports, "MAX_CELLS", 1_000)
    texts = [f"text {number}" for number in range(1_200)]
    content = with_shared_texts(workbook_bytes(openpyxl.Workbook()), texts)
    assert [str(p) for p in imports.read("texts.xlsx", content).problems] == [
        "The file: it holds more than 1,000 texts, too many to be a table of KPI figures; "
        "import the table on its own"
    ]


def test_shared_texts_as_excel_writes_them_are_read(demo_kpis, analyst):
    texts = ["ref", "month", "value", "1", "Jun-22"]
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        b'<c r="C1" t="s"><v>2</v></c></row>'
        b'<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c>'
        b'<c r="C2"><v>75.5</v></c></row></sheetData></worksheet>'
    )
    content = with_shared_texts(sheet_xml_swapped(workbook_bytes(openpyxl.Workbook()), xml), texts)
    reading = imports.read("june.xlsx", content)
    assert not reading.problems
    assert [(f.ref, f.month, f.value, str(f.place)) for f in reading.figures] == [
        ("1", JUNE, Decimal("75.5"), "Sheet!C2")
    ]
