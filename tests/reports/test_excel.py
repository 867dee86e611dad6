"""The workbook, reopened with openpyxl: what a council officer opens, prints and forwards."""

import csv
import dataclasses
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from kpis.models import Observation
from reports import workflow
from reports.excel import CHART_COLUMNS
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
    # The 15 KPIs of the table and the two headline measures it does not hold.
    assert len(charts) == 17
    for chart in charts:
        assert chart.tagname == "lineChart"
        assert all(not series.smooth for series in chart.series)
    titles = [
        "".join(run.t for p in chart.title.tx.rich.p for run in (p.r or [])) for chart in charts
    ]
    assert titles[0] == "KPI 1: Percentage of contacts to MASH referral timeliness"
    assert titles[-2:] == [
        "KPI CIC: Number of children in care",
        "KPI CICR: Rate of children in care per 10,000 children",
    ]


def test_percentage_charts_run_from_0_to_100_percent(workbook):
    charts = workbook["Charts"]._charts
    kpis = [row for row in workbook["KPIs"].iter_rows(min_row=4) if row[0].value]
    percentages = [row[0].value for row in kpis if "%" in row[16].number_format]
    assert len(percentages) == 12  # every KPI of the table but a rate, a count and an average
    for ref, chart in zip([row[0].value for row in kpis], charts, strict=False):
        scaled = (chart.y_axis.scaling.min, chart.y_axis.scaling.max)
        if ref in percentages:
            assert scaled == (0, 1), ref
            assert chart.y_axis.numFmt.formatCode == "0%", ref
        else:
            assert scaled == (None, None), ref


def test_each_chart_has_alternative_text_and_draws_its_own_table(workbook, demo, manager_client):
    content = manager_client.get("/reports/2022-23/q1/report.xlsx").content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        drawing = archive.read("xl/drawings/drawing1.xml").decode()
    described = re.findall(r'<xdr:cNvPr id="\d+" name="Chart \d+" descr="([^"]*)"', drawing)
    assert len(described) == 17
    assert described[0] == (
        "Line chart of KPI 1, Percentage of contacts to MASH referral timeliness, Apr-21 to "
        "Jun-22. From 85.2% in Apr-21 to 74.9% in Jun-22; highest 96.0% (May-21), lowest "
        "71.3% (Dec-21). Its figures are in the table beside it."
    )
    sheet = workbook["Charts"]
    first = sheet._charts[0].series[0]
    assert first.val.numRef.f == "Charts!$G$4:$G$18"
    assert first.cat.strRef.f == "Charts!$F$4:$F$18"
    assert (sheet["F3"].value, sheet["G3"].value) == ("Month", "KPI 1")
    kpi_row = next(row for row in workbook["KPIs"].iter_rows(min_row=4) if row[0].value == "1")
    assert [sheet.cell(r, 7).value for r in range(4, 19)] == [c.value for c in kpi_row[2:17]]
    assert [sheet.cell(r, 7).number_format for r in range(4, 19)] == ["0.0%"] * 15
    headers = {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value}
    cic = headers["KPI CIC"]
    figures = {
        sheet.cell(cic.row + offset, cic.column - 1).value: sheet.cell(
            cic.row + offset, cic.column
        ).value
        for offset in range(1, 16)
    }
    assert figures["Jun-22"] == 848
    assert figures["May-22"] is None  # a gap in the line: no figure that month
    under = sheet.cell(cic.row + 16, cic.column - CHART_COLUMNS - 1).value
    assert under.startswith("Not plotted: ")
    assert "May-22 (no data)" in under


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
    rows = list(data.iter_rows(min_row=2, max_row=data.max_row, values_only=True))
    refs = [row[0] for row in rows if row[0] and row[2]]
    # The KPI table's 225 figures, then the headline measures' own.
    in_care = Observation.objects.filter(
        kpi__ref__in=["CIC", "CICR"], month__range=(dt.date(2021, 4, 1), dt.date(2022, 6, 1))
    ).count()
    assert in_care > 0
    assert len(refs) == 225 + in_care
    assert data.tables["KpiData"].ref == f"A1:H{1 + 225 + in_care}"
    assert refs[-1] == "CICR"


def test_the_workbook_prints_landscape_on_a4_with_frozen_headers(workbook):
    sheet = workbook["KPIs"]
    assert sheet.freeze_panes == "C4"
    assert workbook.properties.title == "Quarter 1 Performance Report 2022"
    assert workbook.properties.creator == "Sandwell Children's Trust"
    for each in workbook.worksheets:
        assert each.page_setup.orientation == "landscape", each.title
        assert str(each.page_setup.paperSize) == sheet.PAPERSIZE_A4, each.title
        assert "page &P of &N" in each.oddFooter.center.text, each.title


def test_the_kpi_table_prints_at_8_point_or_larger_across_pages(workbook):
    """Split across pages with Ref and description repeated, rather than shrunk to fit."""
    for name in ("KPIs", "RAG by month"):
        sheet = workbook[name]
        assert not sheet.sheet_properties.pageSetUpPr.fitToPage, name
        scale = sheet.page_setup.scale or 100
        assert scale == 100, name
        sizes = {cell.font.sz for row in sheet.iter_rows(min_row=2) for cell in row if cell.value}
        assert min(sizes) * scale / 100 >= 8, name
        assert sheet.print_title_rows == "$2:$3", name
        assert sheet.print_title_cols == "$A:$B", name


def test_footnotes_stay_footnotes(workbook):
    text = [
        str(cell.value) for row in workbook["Summary"].iter_rows() for cell in row if cell.value
    ]
    marker = next(t for t in text if "selling them back to us at twice the cost" in t)
    assert "twice the cost.'[1]." in marker
    assert "President's address to ADCS annual conference, 7th July 2022" in " ".join(text)
    assert any(t.startswith("[1] President's address to ADCS annual conference") for t in text)
    assert not any("↩" in t for t in text)


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


def published_content():
    from reports import assemble
    from reports.models import QuarterReport

    return assemble.content(QuarterReport.objects.get())


def opened(content) -> openpyxl.Workbook:
    from reports import excel

    return openpyxl.load_workbook(io.BytesIO(excel.render(content)))


def test_a_report_published_at_half_past_midnight_bst_says_that_day(demo):
    content = dataclasses.replace(
        published_content(), published_at=dt.datetime(2022, 6, 30, 23, 30, tzinfo=dt.UTC)
    )
    summary = opened(content)["Summary"]
    assert summary["A4"].value == "Status: Published, 1 July 2022 by manager"


def test_a_figure_that_is_a_symbol_is_written_as_the_symbol_with_its_meaning(demo):
    """No figure of the seed is a symbol; the workbook is ready for one all the same."""
    from reports import excel

    content = published_content()
    (monthly,) = content.kpi_table.groups
    first = monthly.rows[0]
    suppressed = dataclasses.replace(first.cells[-1], value=None, shown="c", symbol="c")
    row = dataclasses.replace(first, cells=(*first.cells[:-1], suppressed))
    group = dataclasses.replace(monthly, rows=(row, *monthly.rows[1:]))
    table = dataclasses.replace(content.kpi_table, groups=(group,))
    content = dataclasses.replace(content, kpi_table=table)
    workbook = opened(content)
    kpis = workbook["KPIs"]
    cell = next(r for r in kpis.iter_rows(min_row=4) if r[0].value == "1")[16]
    assert (cell.value, cell.data_type) == ("c", "s")  # never zero, never blank
    texts = [str(c.value) for r in kpis.iter_rows() for c in r if c.value]
    assert "c: suppressed to protect confidentiality" in texts
    data = [r for r in workbook["Data"].iter_rows(values_only=True) if r[0] == "1"]
    assert data[-1][2:4] == (dt.datetime(2022, 6, 1), "c")
    charts = workbook["Charts"]
    assert charts["G18"].value is None  # a gap in KPI 1's line
    assert charts["A19"].value == (
        "Not plotted: Jun-22 (c, suppressed to protect confidentiality)."
    )
    rows = list(csv.DictReader(io.StringIO(excel.as_csv(content))))
    figure = next(r for r in rows if (r["Ref"], r["Month"]) == ("1", "2022-06"))
    assert (figure["Value"], figure["Symbols"]) == (
        "c",
        "c = suppressed to protect confidentiality",
    )


def test_narrative_paragraphs_keep_footnote_markers_and_their_text():
    from reports.excel import paragraphs
    from reports.markup import render_markdown

    html = render_markdown(
        "Costs rose in June.[^1] Then fell.\n\n- one\n- two\n\n[^1]: President's address, July",
        id_prefix="finance",
    )
    assert paragraphs(html) == [
        "Costs rose in June.[1] Then fell.",
        "• one",
        "• two",
        "[1] President's address, July",
    ]


def test_every_printed_page_of_a_draft_says_draft(draft):
    from reports import assemble

    content = assemble.content(draft)
    for sheet in opened(content).worksheets:
        assert sheet.oddHeader.left.text.startswith("DRAFT (not published"), sheet.title
    published = dataclasses.replace(content, published_at=dt.datetime(2022, 7, 1, tzinfo=dt.UTC))
    header = opened(published)["KPIs"].oddHeader.left.text
    assert header == "Sandwell Children's Trust: Quarter 1 2022/23 (April to June 2022)"
