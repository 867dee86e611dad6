"""Every spreadsheet the portal writes, downloaded as a user would: the overview's .xlsx and
.csv, the admin export and the report's workbook and CSV. The same figure is the same cell
in each, and no stored text can break one."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import QuerySet

from kpis.models import Kpi, Observation
from reports import workflow
from reports.models import NarrativeSection, QuarterReport
from sct_portal.periods import FinancialYear, Quarter
from sct_portal.spreadsheets import FORBIDDEN

pytestmark = pytest.mark.django_db

OVERVIEW_XLSX = "/?download=xlsx"
OVERVIEW_CSV = "/?download=csv"
EXPORT = "/admin/kpis/observation/export/?first=2022-04&last=2022-06"
REPORT_XLSX = "/reports/2022-23/q1/report.xlsx"
REPORT_CSV = "/reports/2022-23/q1/report.csv"

# One figure of each kind, as the seed report prints it for June 2022, and the cell and
# the CSV text every writer must give it.
FIGURES = {
    "1": (0.749, "0.0%", "74.9", "Percentage"),  # 74.9%
    "5": (258, "#,##0", "258", "Count"),
    "2": (45.5, "0.0", "45.5", "Rate per 10,000 children"),
    "14": (19.61, "0.00", "19.61", "Average"),
}


@pytest.fixture
def demo(db) -> None:
    call_command("load_demo", verbosity=0)


def download(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, path
    return response


def book(client, path: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(download(client, path).content))


def csv_rows(client, path: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(download(client, path).content.decode())))


def by_heading(sheet, header_row: int, ref: str, heading: str):
    """The cell in the row of KPI `ref` and the column headed `heading`."""
    headings = [cell.value for cell in sheet[header_row]]
    row = next(row for row in sheet.iter_rows(min_row=header_row + 1) if row[0].value == ref)
    return row[headings.index(heading)]


def test_the_same_figure_is_the_same_cell_in_every_workbook(demo, manager_client):
    overview = book(manager_client, OVERVIEW_XLSX)["KPIs"]
    export = book(manager_client, EXPORT)["Figures"]
    report = book(manager_client, REPORT_XLSX)
    data = {
        (row[0].value, row[2].value): row[3]
        for row in report["Data"].iter_rows(min_row=2)
        if row[2].value
    }
    for ref, (number, number_format, _, _) in FIGURES.items():
        cells = {
            "overview": by_heading(overview, 1, ref, "Latest value"),
            "export": by_heading(export, 4, ref, "Jun-22"),
            "report KPIs": by_heading(report["KPIs"], 3, ref, "Jun-22"),
            "report data": data[(ref, dt.datetime(2022, 6, 1))],
        }
        found = {where: (c.value, c.number_format, c.data_type) for where, c in cells.items()}
        assert found == dict.fromkeys(cells, (number, number_format, "n")), ref


def test_the_same_figure_is_the_same_text_with_its_unit_in_every_csv(demo, manager_client):
    overview = {row["Ref"]: row for row in csv_rows(manager_client, OVERVIEW_CSV)}
    report = {(row["Ref"], row["Month"]): row for row in csv_rows(manager_client, REPORT_CSV)}
    for ref, (_, _, text, unit) in FIGURES.items():
        latest = overview[ref]
        assert (latest["Month"], latest["Latest value"], latest["Unit"]) == ("2022-06", text, unit)
        figure = report[(ref, "2022-06")]
        assert (figure["Value"], figure["Unit"]) == (text, unit), ref


def test_the_report_csv_has_every_figure_of_the_workbook(demo, manager_client):
    rows = csv_rows(manager_client, REPORT_CSV)
    sheet = book(manager_client, REPORT_XLSX)["Data"]
    table = sheet.tables["KpiData"]
    assert len(rows) == int(table.ref.split(":H")[1]) - 1
    assert list(rows[0]) == [
        "Ref", "KPI", "Month", "Value", "Unit", "Shown as", "RAG", "Period", "Symbols"
    ]  # fmt: skip
    assert rows[0]["Period"] == "Apr-21"
    assert rows[0]["Shown as"] == "85.2%"
    response = download(manager_client, REPORT_CSV)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="performance-report-2022-23-q1.csv"'
    )


def test_a_viewer_downloads_the_report_csv_and_a_visitor_cannot(demo, viewer_client, client):
    assert viewer_client.get(REPORT_CSV).status_code == 200
    assert client.get(REPORT_CSV).status_code == 302  # to the sign-in page


# ---------------------------------------------------------------------------------------
# Control characters stored before anything refused them (legacy data)

EVERY_CONTROL = "".join(chr(code) for code in range(0x20) if chr(code) not in "\t\n\r") + "\x7f"


def storable() -> str:
    """The control characters the database can hold: all of them in SQLite; PostgreSQL
    refuses NUL in text, so no stored text there can have one."""
    if connection.vendor == "postgresql":
        return EVERY_CONTROL.replace("\x00", "")
    return EVERY_CONTROL


def laced(text: str) -> str:
    """Text with every forbidden character in it, one after each word."""
    control = storable()
    words = text.split(" ")
    return (
        " ".join(
            word + control[index % len(control)] if index < len(words) - 1 else word
            for index, word in enumerate(words)
        )
        + control
    )


def test_control_characters_in_stored_text_never_break_a_download(demo, manager_client, analyst):
    description = "Percentage of contacts to MASH referral timeliness, each control character"
    assert len(description.split(" ")) < len(storable())  # laced() adds the rest at the end
    Kpi.objects.filter(ref="1").update(description=laced(description))
    note = "Pasted from Word with a vertical tab"
    # Straight into the table, past the checks of Observation's own queryset (legacy data).
    QuerySet(Observation).filter(kpi__ref="1", month=dt.date(2022, 6, 1)).update(note=laced(note))
    narrative = "Workforce narrative typed in Word"
    # The published report's frozen copy, as if it had been published with that text.
    published = QuarterReport.objects.get()
    snapshot = published.snapshot
    assert snapshot is not None
    snapshot["narrative"][0]["html"] = f"<p>{laced(narrative)}</p>"
    snapshot["kpi_table"]["groups"][0]["rows"][0]["description"] = laced(description)
    QuarterReport.objects.filter(pk=published.pk).update(snapshot=snapshot)
    # And a draft, rendered from the database.
    draft = workflow.start_report(quarter=Quarter(FinancialYear(2021), 4), by=analyst)
    NarrativeSection.objects.filter(report=draft).update(body=laced(narrative))

    workbooks = {
        path: book(manager_client, path)
        for path in [OVERVIEW_XLSX, EXPORT, REPORT_XLSX, "/reports/2021-22/q4/report.xlsx"]
    }
    for path, workbook in workbooks.items():
        texts = [
            str(cell.value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        ]
        assert not any(FORBIDDEN.search(text) for text in texts), path
        assert description in texts, path
        if "reports" in path:
            assert narrative in texts, path
    comment = by_heading(workbooks[EXPORT]["Figures"], 4, "1", "Jun-22").comment
    assert comment.text.startswith(note)
    assert not FORBIDDEN.search(comment.text)
    for path in [OVERVIEW_CSV, REPORT_CSV, "/reports/2021-22/q4/report.csv"]:
        text = download(manager_client, path).content.decode()
        assert not FORBIDDEN.search(text), path
        assert description in text, path
