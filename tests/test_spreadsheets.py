"""The one spreadsheet writer's convention, cell by cell: written, then reopened with openpyxl."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from kpis.units import Unit
from sct_portal import spreadsheets
from sct_portal.spreadsheets import Book, Figure, Measure, Month

FORBIDDEN = [chr(code) for code in range(0x20) if chr(code) not in "\t\n\r"] + ["\x7f"]


def written(write) -> openpyxl.worksheet.worksheet.Worksheet:
    """Write with `write(sheet)` into a new workbook; the sheet as openpyxl reads it back."""
    book = Book(title="Test", author="SCT Performance Portal")
    write(book.sheet("Sheet"))
    return openpyxl.load_workbook(io.BytesIO(book.close()))["Sheet"]


@pytest.mark.parametrize(
    ("unit", "decimals", "value", "number", "number_format"),
    [
        (Unit.PERCENT, 1, "74.9", 0.749, "0.0%"),
        (Unit.PERCENT, 2, "68.10", 0.681, "0.00%"),
        (Unit.PERCENT, 1, "100.0", 1, "0.0%"),
        (Unit.COUNT, 0, "258", 258, "#,##0"),
        (Unit.COUNT, 0, "1234", 1234, "#,##0"),
        (Unit.RATE, 1, "45.5", 45.5, "0.0"),
        (Unit.AVERAGE, 2, "19.61", 19.61, "0.00"),
        (Unit.MONEY, 0, "1900000", 1900000, '"£"#,##0;-"£"#,##0'),
        (Unit.DAYS, 1, "12.5", 12.5, '0.0" days"'),
    ],
)
def test_a_figure_is_a_number_in_its_kpis_format(unit, decimals, value, number, number_format):
    measure = Measure(unit, decimals)
    sheet = written(lambda s: s.figure(1, 1, Figure(measure, Decimal(value))))
    cell = sheet["A1"]
    assert (cell.value, cell.number_format, cell.data_type) == (number, number_format, "n")


@pytest.mark.parametrize(
    ("unit", "decimals", "value", "text", "label"),
    [
        (Unit.PERCENT, 1, "74.9", "74.9", "Percentage"),
        (Unit.PERCENT, 2, "68.1", "68.10", "Percentage"),
        (Unit.COUNT, 0, "1234", "1234", "Count"),
        (Unit.RATE, 1, "45.5", "45.5", "Rate per 10,000 children"),
        (Unit.AVERAGE, 2, "19.61", "19.61", "Average"),
        (Unit.MONEY, 0, "1900000", "1900000", "£"),
    ],
)
def test_a_csv_prints_the_figure_as_the_report_does_with_the_unit_beside(
    unit, decimals, value, text, label
):
    measure = Measure(unit, decimals)
    document = spreadsheets.csv_document(
        ["Value", "Unit"], [[Figure(measure, Decimal(value)), measure.unit_label]]
    )
    rows = list(csv.DictReader(io.StringIO(document)))
    assert rows == [{"Value": text, "Unit": label, "Symbols": ""}]


@pytest.mark.parametrize("code", ["c", "k", "low", "u", "x", "z", "n/a", "<5"])
def test_a_symbol_is_text_never_zero_or_blank_with_its_meaning_in_a_key(code):
    measure = Measure(Unit.PERCENT, 1)

    def write(sheet):
        sheet.figure(1, 1, Figure(measure, symbol=code))
        sheet.symbol_key(3)

    sheet = written(write)
    assert (sheet["A1"].value, sheet["A1"].data_type) == (code, "s")
    key = [sheet.cell(row, 1).value for row in range(3, 6)]
    assert key[0] == "Symbols"
    from kpis import symbols

    assert f"{code}: {symbols.meaning(code)}" in key
    document = spreadsheets.csv_document(["Value"], [[Figure(measure, symbol=code)]])
    (row,) = csv.DictReader(io.StringIO(document))
    assert row == {"Value": code, "Symbols": f"{code} = {symbols.meaning(code)}"}


def test_a_figure_is_a_number_or_a_symbol():
    with pytest.raises(ValueError, match="not a symbol"):
        Figure(Measure(Unit.COUNT, 0), symbol="zero")
    with pytest.raises(ValueError, match="not both"):
        Figure(Measure(Unit.COUNT, 0), Decimal(3), symbol="c")


def test_no_figure_says_no_data_or_stays_a_formatted_blank_to_type_into():
    measure = Measure(Unit.PERCENT, 1)

    def write(sheet):
        sheet.figure(1, 1, Figure(measure))
        sheet.figure(1, 2, Figure(measure), absent="")

    sheet = written(write)
    assert sheet["A1"].value == "no data"
    assert (sheet["B1"].value, sheet["B1"].number_format) == (None, "0.0%")


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)"])
def test_text_is_never_a_formula(text):
    sheet = written(lambda s: s.text(1, 1, text))
    cell = sheet["A1"]
    assert (cell.value, cell.data_type) == (text, "s")
    assert cell.quotePrefix
    document = spreadsheets.csv_document(["Text"], [[text]])
    assert next(csv.reader(io.StringIO(document.splitlines()[1])))[0] == "'" + text


@pytest.mark.parametrize("character", FORBIDDEN, ids=[f"{ord(c):#04x}" for c in FORBIDDEN])
def test_characters_no_workbook_can_hold_are_removed(character):
    text = f"Vacancy{character} rate"

    def write(sheet):
        sheet.text(1, 1, text)
        sheet.merged_text(2, 1, 2, text)
        sheet.note(1, 1, text)

    sheet = written(write)
    assert sheet["A1"].value == sheet["A2"].value == "Vacancy rate"
    assert sheet["A1"].comment.text.startswith("Vacancy rate")
    assert spreadsheets.csv_text(text) == "Vacancy rate"


def test_tabs_and_new_lines_are_kept():
    assert spreadsheets.clean("a\tb\nc\r\nd") == "a\tb\nc\r\nd"


def test_a_cell_holds_at_most_excels_32767_characters():
    cleaned = spreadsheets.clean("x" * 40_000)
    assert len(cleaned) == 32_767
    assert cleaned.endswith("…")


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (dt.datetime(2022, 6, 30, 23, 30, tzinfo=dt.UTC), dt.date(2022, 7, 1)),  # 00:30 BST
        (dt.datetime(2022, 12, 31, 23, 30, tzinfo=dt.UTC), dt.date(2022, 12, 31)),  # GMT
        (dt.datetime(2023, 3, 26, 0, 30, tzinfo=dt.UTC), dt.date(2023, 3, 26)),  # clocks go forward
        (dt.datetime(2023, 10, 28, 23, 30, tzinfo=dt.UTC), dt.date(2023, 10, 29)),  # still BST
    ],
)
def test_dates_are_uk_local(moment, day):
    assert spreadsheets.uk_date(moment) == day
    sheet = written(lambda s: s.moment(1, 1, moment))
    assert sheet["A1"].value.date() == day


def test_rag_is_a_word_with_a_fill():
    def write(sheet):
        for column, rag in enumerate(["green", "amber", "red", "no-target", "no-data"], 1):
            sheet.rag(1, column, rag)

    sheet = written(write)
    words = [sheet.cell(1, column).value for column in range(1, 6)]
    assert words == ["Green", "Amber", "Red", "No target", "No data"]
    fills = [sheet.cell(1, column).fill.fgColor.rgb for column in range(1, 4)]
    assert [fill[-6:] for fill in fills] == ["CCE2D8", "FFE5B4", "F6D7D2"]
    assert sheet.cell(1, 4).fill.fill_type is None


def test_months_are_dates_in_a_workbook_and_year_month_in_a_csv():
    sheet = written(lambda s: s.cells(1, 1, [Month(dt.date(2022, 6, 1))]))
    assert (sheet["A1"].value, sheet["A1"].number_format) == (dt.datetime(2022, 6, 1), "mmm-yy")
    document = spreadsheets.csv_document(["Month"], [[Month(dt.date(2022, 6, 1))]])
    assert document.splitlines()[1] == "2022-06,"


def test_print_set_up_landscape_a4_page_numbers_and_repeated_titles():
    def write(sheet):
        sheet.text(1, 1, "x")
        sheet.print_setup(
            spreadsheets.PrintSetup(title_rows=(2, 3), title_columns=(1, 2), fit_width=False),
            document="Sandwell Children's Trust: Q1 & more",
        )

    sheet = written(write)
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert (sheet.print_title_rows, sheet.print_title_cols) == ("$2:$3", "$A:$B")
    assert sheet.oddFooter.center.text == "&A – page &P of &N"
    assert sheet.oddHeader.left.text == "Sandwell Children's Trust: Q1 && more"
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage


def test_document_properties():
    book = Book(
        title="Quarter 1",
        author="Sandwell Children's Trust",
        subject="Q1",
        created=dt.datetime(2022, 6, 30, 23, 30, tzinfo=dt.UTC),
    )
    book.sheet("Sheet")
    properties = openpyxl.load_workbook(io.BytesIO(book.close())).properties
    assert (properties.title, properties.creator, properties.subject) == (
        "Quarter 1",
        "Sandwell Children's Trust",
        "Q1",
    )
    assert properties.created == dt.datetime(2022, 6, 30, 23, 30)


def test_a_sheet_fitted_to_a_page_may_not_shrink_below_8_point():
    book = Book(title="Test", author="SCT Performance Portal")
    sheet = book.sheet("Wide")
    sheet.column_widths(dict.fromkeys(range(1, 21), 9))  # 180 characters
    with pytest.raises(ValueError, match="smaller than 8 pt; print it across pages"):
        sheet.print_setup(spreadsheets.PrintSetup(fit_width=True), document="Test")
    sheet.print_setup(spreadsheets.PrintSetup(title_columns=(1, 1), fit_width=False), document="")
    narrow = book.sheet("Narrow")
    narrow.column_widths(dict.fromkeys(range(1, 11), 12))  # 120 characters
    narrow.print_setup(spreadsheets.PrintSetup(fit_width=True), document="Test")
