"""The workbook, reopened with openpyxl: what a council officer opens, prints and forwards."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from reports import workflow
from tests.kpis.test_demo import seed_kpi_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def workbook(demo, manager_client) -> openpyxl.Workbook:
    response = manager_client.get("/reports/2022-23/q1/report.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="performance-report-2022-23-q1.xlsx"'
    )
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_the_kpi_sheet_holds_all_225_seed_figures_as_numbers(workbook):
    sheet = workbook["KPIs"]
    months = [cell.value for cell in sheet[3]][2:17]
    assert months[0] == "Apr-21"
    assert months[-1] == "Jun-22"
    found = {}
    for row in sheet.iter_rows(min_row=4):
        ref = row[0].value
        if ref is None or not isinstance(row[2].value, int | float):
            continue
        for label, cell in zip(months, row[2:17], strict=True):
            assert isinstance(cell.value, int | float), (ref, label, cell.value)
            percent = "%" in cell.number_format
            value = Decimal(str(cell.value)) * (100 if percent else 1)
            found[(ref, label)] = (value, percent)
    seed = seed_kpi_table()
    assert len(found) == len(seed) == 225
    for (ref, month), (_, printed) in seed.items():
        label = dt.date.fromisoformat(f"{month}-01").strftime("%b-%y")
        value, percent = found[(ref, label)]
        assert value == Decimal(printed.rstrip("%")), (ref, label)
        assert percent == printed.endswith("%"), (ref, label)


def test_percentages_carry_a_percent_format_with_the_kpis_decimals(workbook):
    sheet = workbook["KPIs"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=4) if row[0].value}
    assert rows["1"][16].number_format == "0.0%"  # 74.9%
    assert rows["4"][16].number_format == "0.00%"  # 68.10%
    assert rows["5"][16].number_format == "#,##0"  # 258, a count
    assert rows["14"][16].number_format == "0.00"  # 19.61, an average


def test_rag_is_written_as_text_with_a_fill(workbook):
    sheet = workbook["KPIs"]
    headings = [cell.value for cell in sheet[3]]
    column = headings.index("RAG (Jun-22)")
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=4) if row[0].value}
    assert rows["1"][column].value == "Red"
    assert rows["1"][column].fill.fgColor.rgb.endswith("F6D7D2")
    assert rows["7"][column].value == "Green"
    assert rows["2"][column].value == "Not judged"
    by_month = workbook["RAG by month"]
    words = {cell.value for row in by_month.iter_rows(min_row=4, min_col=3) for cell in row}
    assert {"Green", "Amber", "Red"} <= words


def test_every_kpi_has_a_native_line_chart_without_smoothing(workbook):
    charts = workbook["Charts"]._charts
    assert len(charts) == 15
    for chart in charts:
        assert chart.tagname == "lineChart"
        assert all(series.smooth is False for series in chart.series)


def test_the_summary_carries_headlines_and_the_narrative(workbook):
    text = " ".join(
        str(cell.value) for row in workbook["Summary"].iter_rows() for cell in row if cell.value
    )
    assert "Quarter 1 Performance Report 2022" in text
    assert "Quarter 1 2022/23 (April to June 2022)" in text
    assert "Status: Published" in text
    assert "The total number of children in care, as of June 2022, is 848." in text
    assert "SCT has set up a 'resource demand panel'" in text
    assert "Target for March 2023: 796" in text


def test_benchmark_finance_contract_and_data_sheets(workbook):
    benchmark = [row for row in workbook["Benchmarks"].iter_rows(values_only=True) if any(row)]
    assert ("Sandwell rate per 10,000", 101.7) in [row[:2] for row in benchmark]
    assert ("Statistical neighbour average (5 authorities)", 102.6) in [
        row[:2] for row in benchmark
    ]
    finance = [row[:2] for row in workbook["Finance"].iter_rows(values_only=True)]
    assert ("Planned surplus", 1900000) in finance
    contract = " ".join(
        str(v) for row in workbook["Contract"].iter_rows(values_only=True) for v in row if v
    )
    assert "28 September 2022" in contract
    assert "Requires improvement to be good" in contract
    data = workbook["Data"]
    assert list(data.tables) == ["KpiData"]
    assert data.tables["KpiData"].ref == "A1:G226"


def test_the_workbook_prints_landscape_on_a4_with_frozen_headers(workbook):
    sheet = workbook["KPIs"]
    assert sheet.freeze_panes == "C4"
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$2:$3"
    assert workbook.properties.title == "Quarter 1 Performance Report 2022"
    assert workbook.properties.creator == "Sandwell Children's Trust"


def test_text_a_user_typed_is_never_a_formula(data, analyst, manager):
    from reports import assemble, excel
    from reports.demo import QUARTER

    report = workflow.start_report(quarter=QUARTER, by=analyst)
    workflow.save_narrative(
        report=report, bodies={"workforce": '=HYPERLINK("http://evil.example","x")'}, by=analyst
    )
    content = excel.render(assemble.build(report))
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Summary"]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
    typed = [cell for cell in cells if "HYPERLINK" in str(cell.value)]
    assert typed
    assert all(cell.data_type == "s" for cell in typed)
    assert not any(cell.data_type == "f" for cell in cells)


def test_export_quarter_writes_the_workbook(demo, tmp_path, capsys):
    target = tmp_path / "report.xlsx"
    call_command("export_quarter", "2022-23", "Q1", "-o", str(target))
    assert "as published" in capsys.readouterr().out
    assert openpyxl.load_workbook(target)["KPIs"]["B4"].value == (
        "Percentage of contacts to MASH referral timeliness"
    )
    with pytest.raises(CommandError, match="no report for Q2 2022/23"):
        call_command("export_quarter", "2022-23", "Q2", "-o", str(target))
    with pytest.raises(CommandError, match="not a quarter"):
        call_command("export_quarter", "2022-23", "Q7", "-o", str(target))
