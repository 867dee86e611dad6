"""Round trip: export the wide layout, edit it in a spreadsheet, import it: exactly the
edited cells change."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from kpis import exports, imports
from kpis.models import Kpi, Observation, ObservationRevision
from sct_portal import periods
from tests.kpis.conftest import workbook_bytes

pytestmark = pytest.mark.django_db

REPORT_MONTHS = periods.months_between(dt.date(2021, 4, 1), dt.date(2022, 6, 1))
EXPORT_URL = "/admin/kpis/observation/export/"


def snapshot() -> dict[tuple[str, dt.date], Decimal | None]:
    return {
        (ref, month): value
        for ref, month, value in Observation.objects.values_list("kpi__ref", "month", "value")
    }


def cells(sheet) -> dict[tuple[str, str], openpyxl.cell.Cell]:
    """(ref, month label) → cell, found by the header row and the reference column."""
    header = {cell.value: cell.column for cell in sheet[exports.HEADER_ROW] if cell.value}
    found = {}
    for row in sheet.iter_rows(min_row=exports.HEADER_ROW + 1):
        for label, column in header.items():
            if column > 2:
                found[(row[0].value, label)] = row[column - 1]
    return found


def exported(**kwargs) -> openpyxl.Workbook:
    content = exports.wide_workbook(months=REPORT_MONTHS, today=dt.date(2022, 7, 15), **kwargs)
    return openpyxl.load_workbook(io.BytesIO(content))


def test_export_edit_import_changes_exactly_the_edited_cells(demo_kpis, analyst):
    before = snapshot()
    workbook = exported()
    grid = cells(workbook["Figures"])
    grid[("1", "Jun-22")].value = 0.755  # typed as 75.5% in a percentage cell
    grid[("5", "May-22")].value = 113
    grid[("14", "Apr-21")].value = 22.4
    grid[("CIC", "Dec-21")].value = 846  # a blank, due cell: a new figure
    content = workbook_bytes(workbook)

    plan = imports.plan(imports.read("figures.xlsx", content), by=analyst)
    assert not plan.problems
    assert {(c.kpi.ref, c.month_label, c.old_formatted, c.formatted) for c in plan.changed} == {
        ("1", "Jun-22", "74.9%", "75.5%"),
        ("5", "May-22", "112", "113"),
        ("14", "Apr-21", "22.39", "22.40"),
    }
    assert [(c.kpi.ref, c.month_label, c.formatted) for c in plan.new] == [("CIC", "Dec-21", "846")]
    assert len(plan.unchanged) == len(before) - 3

    imports.commit(plan=plan, by=analyst, confirmed=True)
    after = snapshot()
    changed = {key for key in after if before.get(key) != after[key]}
    assert changed == {
        ("1", dt.date(2022, 6, 1)),
        ("5", dt.date(2022, 5, 1)),
        ("14", dt.date(2021, 4, 1)),
        ("CIC", dt.date(2021, 12, 1)),
    }
    assert after[("1", dt.date(2022, 6, 1))] == Decimal("75.5")
    assert after[("14", dt.date(2021, 4, 1))] == Decimal("22.4")
    assert ObservationRevision.objects.filter(reason="Imported from figures.xlsx").count() == 4


def test_an_unedited_export_imports_as_all_unchanged(demo_kpis, analyst):
    content = workbook_bytes(exported())
    plan = imports.plan(imports.read("figures.xlsx", content), by=analyst)
    assert not plan.problems
    assert (len(plan.new), len(plan.changed)) == (0, 0)
    assert len(plan.unchanged) == Observation.objects.count()


def test_the_export_holds_numbers_as_numbers_in_each_kpi_s_format(demo_kpis):
    Kpi.objects.filter(ref="2").update(description="=HYPERLINK(“http://example.org”)")
    sheet = exported(exported_by="ann.analyst")["Figures"]
    grid = cells(sheet)
    percent, count, rate = grid[("1", "Jun-22")], grid[("5", "Jun-22")], grid[("2", "Jun-22")]
    assert (percent.value, percent.number_format) == (0.749, "0.0%")
    assert (count.value, count.number_format) == (258, "#,##0")
    assert (rate.value, rate.number_format) == (45.5, "0.0")
    assert grid[("4", "Jun-22")].number_format == "0.00%"
    assert grid[("CIC", "May-22")].value is None
    description = sheet.cell(exports.HEADER_ROW + 2, 2)
    assert (description.value, description.data_type) == (
        "=HYPERLINK(“http://example.org”)",
        "s",
    )
    assert [c.value for c in sheet[exports.HEADER_ROW]][:4] == [
        "Ref",
        "Description",
        "Apr-21",
        "May-21",
    ]
    assert sheet.freeze_panes == "C5"
    assert "ann.analyst" in sheet["A2"].value


@pytest.mark.parametrize("who", ["analyst_client", "manager_client"])
def test_analysts_and_managers_download_the_export_from_the_admin(request, who, demo_kpis):
    client = request.getfixturevalue(who)
    page = client.get(EXPORT_URL)
    assert page.status_code == 200
    assert 'value="2021-04" selected' in page.content.decode()  # the report's window
    response = client.get(EXPORT_URL, {"first": "2022-04", "last": "2022-06"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="kpi-figures-2022-04-to-2022-06.xlsx"' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Figures"]
    assert [c.value for c in sheet[exports.HEADER_ROW]] == [
        "Ref",
        "Description",
        "Apr-22",
        "May-22",
        "Jun-22",
    ]


def test_the_export_refuses_a_backwards_range(analyst_client, demo_kpis):
    response = analyst_client.get(EXPORT_URL, {"first": "2022-06", "last": "2022-04"})
    assert "The last month cannot be before the first." in response.content.decode()


def test_a_viewer_cannot_export(viewer_client, demo_kpis):
    assert viewer_client.get(EXPORT_URL, follow=True).status_code == 403


def test_a_figures_note_is_its_cells_comment_and_imports_back_unchanged(demo_kpis, analyst):
    from django.db.models import QuerySet

    # Straight into the table: the note as stored, whatever wrote it.
    QuerySet(Observation).filter(kpi__ref="3", month=dt.date(2022, 6, 1)).update(
        note="=1+1 is how a formula starts; this note is text"
    )
    workbook = exported()
    cell = cells(workbook["Figures"])[("3", "Jun-22")]
    assert cell.comment.text.startswith("=1+1 is how a formula starts")
    assert not any(c.comment for key, c in cells(workbook["Figures"]).items() if key[0] != "3")
    plan = imports.plan(imports.read("figures.xlsx", workbook_bytes(workbook)), by=analyst)
    assert not plan.problems
    assert (len(plan.new), len(plan.changed)) == (0, 0)
