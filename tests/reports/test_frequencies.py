"""The report's KPI table in frequency groups: a quarterly KPI in quarter columns beside the
monthly ones, on the page, in the PDF, the workbook and the CSV; a report published before
the table was grouped still shows the figures it published."""

import copy
import csv
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest

from kpis.models import Kpi, Section, Target
from kpis.rag import Comparison
from reports import assemble, excel, workflow
from reports.demo import QUARTER
from reports.models import QuarterReport
from tests.recording import record

pytestmark = pytest.mark.django_db

OLD_SNAPSHOT = Path(__file__).parent / "data" / "snapshot-published-before-sections.json"
QUARTERS = ["Q1 2021/22", "Q2 2021/22", "Q3 2021/22", "Q4 2021/22", "Q1 2022/23"]


@pytest.fixture
def quarterly(data) -> Kpi:
    """A quarterly KPI (recorded at each quarter's last month) beside the seed's monthly ones,
    with a figure for four of the five quarters the table shows and a target."""
    kpi = Kpi.objects.create(
        ref="Q7",
        description="Percentage of child protection plans reviewed on time",
        section=Section.objects.order_by("pk")[0],
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency="quarterly",
        order=1000,
    )
    for month, value in [
        ("2021-06-01", "81.0"),
        ("2021-12-01", "84.0"),
        ("2022-03-01", "90.0"),
        ("2022-06-01", "86.5"),
    ]:
        record(kpi, month, value)
    Target.objects.create(
        kpi=kpi,
        comparison=Comparison.AT_LEAST,
        value=85,
        valid_from="2021-04-01",
        source="contract",
    )
    return kpi


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def group_table(page: str, frequency: str) -> str:
    match = re.search(rf'<table [^>]*data-frequency="{frequency}">(.*?)</table>', page, re.S)
    assert match, frequency
    return match[1]


def test_a_quarterly_kpi_has_quarter_columns_on_the_report_page(quarterly, analyst, analyst_client):
    report = workflow.start_report(quarter=QUARTER, by=analyst)
    page = analyst_client.get(report.get_absolute_url()).content.decode()
    monthly = group_table(page, "monthly")
    assert 'data-kpi="Q7"' not in monthly  # no monthly grid of gaps for it
    assert "Monthly KPIs, Apr-21 to Jun-22" in monthly
    assert "Against the month before" in monthly
    table = group_table(page, "quarterly")
    assert "Quarterly KPIs, Q1 2021/22 to Q1 2022/23" in table
    assert re.findall(r'<th scope="col" class="[^"]*sct-month">([^<]+)</th>', table) == QUARTERS
    assert "Against the previous quarter" in table
    assert "RAG at Q1 2022/23" in table
    row = re.search(r'data-kpi="Q7">(.*?)</tr>', table, re.S)
    assert row
    cells = re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric sct-cell[^"]*">'
                       r"(.*?)</td>", row[1], re.S)  # fmt: skip
    assert len(cells) == 5  # one per quarter, not fifteen months
    shown = [text_of(cell).strip() for cell in cells]
    assert shown == [
        "81.0% ✕ , red",
        "– no data",
        "84.0% ✕ , red",
        "90.0% ✓ , green",
        "86.5% ✓ , green",
    ]
    # Q1 2022/23 (86.5) against Q4 2021/22 (90.0): worse, higher being better.
    assert "Worse" in text_of(row[1])


def test_the_workbook_has_a_sheet_of_quarterly_kpis_in_quarter_columns(quarterly, analyst):
    report = workflow.start_report(quarter=QUARTER, by=analyst)
    content = assemble.build(report)
    book = openpyxl.load_workbook(io.BytesIO(excel.render(content)))
    assert "Q7" not in [row[0].value for row in book["KPIs"].iter_rows(min_row=4)]
    sheet = book["Quarterly KPIs"]
    header = [cell.value for cell in sheet[3]]
    assert header[2:7] == QUARTERS
    assert header[7:] == [
        "Target",
        "Target source",
        "RAG (Q1 2022/23)",
        "Against the previous quarter",
        "Against the same quarter last year",
    ]
    row = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == "Q7")
    assert [c.value for c in row[2:7]] == [0.81, "no data", 0.84, 0.9, 0.865]
    assert row[2].number_format == "0.0%"
    assert [c.value for c in row[9:12]] == ["Green", "Worse", "Better"]  # 86.5 vs 81.0 a year ago
    assert sheet.print_title_rows == "$2:$3"
    rag = book["RAG by quarter"]
    assert [cell.value for cell in rag[3]][2:7] == QUARTERS
    charts = book["Charts"]
    headers = {cell.value: cell for r in charts.iter_rows() for cell in r if cell.value}
    q7 = headers["KPI Q7"]
    assert charts.cell(q7.row, q7.column - 1).value == "Quarter"
    assert [charts.cell(q7.row + i, q7.column - 1).value for i in range(1, 6)] == QUARTERS
    rows = list(csv.DictReader(io.StringIO(excel.as_csv(content))))
    mine = [(r["Month"], r["Period"], r["Value"]) for r in rows if r["Ref"] == "Q7"]
    assert mine == [
        ("2021-06", "Q1 2021/22", "81.0"),
        ("2021-12", "Q3 2021/22", "84.0"),
        ("2022-03", "Q4 2021/22", "90.0"),
        ("2022-06", "Q1 2022/23", "86.5"),
    ]


def test_the_pdf_has_the_quarterly_kpis_in_quarter_columns(quarterly, analyst, tmp_path):
    import subprocess

    from reports import pdf

    report = workflow.start_report(quarter=QUARTER, by=analyst)
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.render(assemble.build(report)))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    table = text[text.index("Quarterly KPIs, Q1 2021/22 to Q1 2022/23") :]
    assert "Against the previous" in table
    assert "81.0%" in table
    assert "86.5%" in table


def test_publishing_freezes_the_grouped_table_and_its_figures(quarterly, analyst, manager):
    report = workflow.start_report(quarter=QUARTER, by=analyst)
    workflow.submit_for_review(report=report, by=analyst)
    report = workflow.publish(report=report, by=manager)
    frozen = assemble.content(QuarterReport.objects.get(pk=report.pk))
    assert [g.frequency for g in frozen.kpi_table.groups] == ["monthly", "quarterly"]
    assert frozen.kpi_table.groups[1].labels == tuple(QUARTERS)
    assert quarterly.published.count() == 4  # the four quarters with a figure, as rows


def test_a_report_published_before_the_table_was_grouped_shows_what_it_published(
    published, viewer_client
):
    """A stored grid of months, with a quarterly KPI printed "not due" in months it is not
    taken: thawed into groups, the monthly rows keep all their cells and the quarterly row
    keeps its five quarters, every figure as published."""
    old = json.loads(OLD_SNAPSHOT.read_text(encoding="utf-8"))
    table = old["kpi_table"]
    assert "groups" not in table
    quarterly_row = copy.deepcopy(table["rows"][0])
    quarterly_row["ref"] = "Q7"
    for cell in quarterly_row["cells"]:
        if cell["month"][5:7] not in ("03", "06", "09", "12"):
            cell.update({"value": None, "shown": "not due", "rag": "no-data"})
    table["rows"].append(quarterly_row)
    QuarterReport.objects.filter(pk=published.pk).update(snapshot=old)
    content = assemble.content(QuarterReport.objects.get(pk=published.pk))
    monthly, quarterly = content.kpi_table.groups
    assert [row.ref for row in monthly.rows] == [row["ref"] for row in table["rows"][:-1]]
    for row, stored in zip(monthly.rows, table["rows"], strict=False):
        assert [c.shown for c in row.cells] == [c["shown"] for c in stored["cells"]]
    (row,) = quarterly.rows
    assert quarterly.labels == tuple(QUARTERS)
    assert [c.shown for c in row.cells] == ["92.0%", "83.3%", "71.3%", "81.9%", "74.9%"]
    page = viewer_client.get(published.get_absolute_url()).content.decode()
    assert "Quarterly KPIs, Q1 2021/22 to Q1 2022/23" in page
    assert "not due" not in page
