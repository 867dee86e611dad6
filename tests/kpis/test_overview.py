"""The overview, the home page: headline tiles, every KPI's position, filters, downloads."""

import csv
import datetime as dt
import io
import re
from html import unescape

import pytest
from openpyxl import load_workbook

from kpis.models import Kpi, Section
from tests.kpis.test_demo import seed_kpi_table
from tests.recording import delete, record

pytestmark = pytest.mark.django_db


def row_of(page: str, ref: str) -> str:
    """The HTML of the overview table's row for a KPI."""
    rows: list[str] = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', page, re.S)
    found = [row for row in rows if f'data-kpi="{ref}"' in row]
    assert len(found) == 1, ref
    return found[0]


def text(html: str) -> str:
    """What a screen reader reads: tags and aria-hidden symbols and icons removed."""
    html = re.sub(r'<(span|svg)[^>]*aria-hidden="true"[^>]*>.*?</\1>', " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def shown_refs(page: str) -> list[str]:
    return re.findall(r'data-kpi="([^"]+)"', page)


def test_the_home_page_lists_every_kpi_with_its_june_2022_value(manager_client, demo_kpis):
    page = manager_client.get("/").content.decode()
    shown = dict(re.findall(r'data-kpi="([^"]+)">([^<]+)<', page))
    june = {
        ref: printed
        for (ref, month), (_, printed) in seed_kpi_table().items()
        if month == "2022-06"
    }
    june["5"] = "258"  # counts are shown as whole numbers
    assert {ref: shown[ref] for ref in june} == june
    assert shown["CIC"] == "848"


# June 2022 against May 2022 and June 2021, as the report's figures give them.
JUNE_2022 = [
    # ref, latest, previous, against previous, against a year before, RAG
    ("1", "74.9%", "77.6% May-22", "Worse", "Worse", "Red"),
    ("2", "45.5", "46.3 May-22", "Not judged", "Not judged", "Not judged"),
    ("5", "258", "112 May-22", "Worse", "Worse", "Red"),
    ("6a", "74.10%", "74.00% May-22", "Better", "Worse", "Red"),
    ("7", "98.70%", "97.90% May-22", "Better", "Better", "Green"),
    ("12", "91.8%", "93.6% May-22", "Worse", "Worse", "Amber"),
    ("14", "19.61", "20.85 May-22", "Better", "Worse", "Amber"),
    ("15", "100.0%", "100.0% May-22", "No change", "Better", "Green"),
]


def test_a_manager_sees_every_kpi_at_june_2022(manager_client, demo_kpis):
    page = manager_client.get("/").content.decode()
    assert "Performance overview, June 2022" in page
    refs = [*(str(n) for n in range(1, 6)), "6a", *(str(n) for n in range(7, 16))]
    assert shown_refs(page) == [*refs, "CIC", "CICR"]
    for ref in refs:
        assert "Jun-22" in text(row_of(page, ref)), ref


@pytest.mark.parametrize(("ref", "latest", "previous", "vs_month", "vs_year", "rag"), JUNE_2022)
def test_each_row_gives_value_direction_and_rag_in_words(
    manager_client, demo_kpis, ref, latest, previous, vs_month, vs_year, rag
):
    row = text(row_of(manager_client.get("/").content.decode(), ref))
    assert f"{latest} Jun-22 {previous}" in row
    assert f"{vs_month} (" in row
    assert re.search(rf"{vs_month} \((up|down|no change) since May-22\)", row)
    assert re.search(rf"{vs_year} \((up|down|no change) since Jun-21\)", row)
    assert f" {rag} " in row


def test_the_rag_has_its_colour_class_beside_the_word(manager_client, demo_kpis):
    page = manager_client.get("/").content.decode()
    assert '<strong class="sct-rag sct-rag--red">Red</strong>' in row_of(page, "1")
    assert '<strong class="sct-rag sct-rag--green">Green</strong>' in row_of(page, "7")


def test_a_quarterly_kpis_previous_figure_is_the_previous_quarters(manager_client, demo_kpis):
    row = text(row_of(manager_client.get("/").content.decode(), "CIC"))
    assert "848 Q1 2022/23 844 Q4 2021/22" in row
    assert "Worse (up since Mar-22)" in row  # lower is better
    assert "No figure for Jun-21" in row
    assert "No target" in row


def test_spc_variation_and_assurance_are_in_words(manager_client, demo_kpis):
    page = manager_client.get("/").content.decode()
    assert "Common cause Hit and miss" in text(row_of(page, "1"))
    # 258 unallocated children is far above the upper process limit: lower is better.
    assert "Concern (high)" in text(row_of(page, "5"))
    assert "Common cause" in text(row_of(page, "2"))
    assert "Hit and miss" not in text(row_of(page, "2"))  # no target, no assurance


def test_the_sparkline_has_a_text_alternative(manager_client, demo_kpis):
    row = row_of(manager_client.get("/").content.decode(), "1")
    label = re.search(r'<svg class="sct-sparkline"[^>]*aria-label="([^"]+)"', row)
    assert label
    assert label[1] == (
        "15 figures from Apr-21 to Jun-22: lowest 71.3% (Dec-21), highest 96.0% (May-21), "
        "latest 74.9%."
    )


def test_headline_tiles_compare_with_the_goal_benchmark_and_last_quarter(manager_client, demo_kpis):
    page = text(manager_client.get("/").content.decode())
    assert (
        "848 in June 2022, up from 844 in March 2022; 52 above the goal of 796 for March 2023."
    ) in page
    assert (
        "102.2 in June 2022, up from 101.7 in March 2022; the statistical neighbour average "
        "(5 authorities) was 102.6 in March 2022, when Sandwell's figure was 101.7."
    ) in page
    assert (
        "45.5 in June 2022, down from 49.3 in March 2022; a context measure, not judged "
        "against a target."
    ) in page


def test_the_month_picker_shows_the_position_at_a_past_month(manager_client, demo_kpis):
    page = manager_client.get("/", {"month": "2022-05"}).content.decode()
    assert "Performance overview, May 2022" in page
    assert "77.6% May-22 78.1% Apr-22" in text(row_of(page, "1"))
    # A quarterly KPI shows its latest figure, from March; May is not one of its months.
    cic = text(row_of(page, "CIC"))
    assert "844 Q4 2021/22" in cic
    assert "No May-22 figure" not in cic
    assert '<option value="2022-05" selected>May 2022</option>' in page


def test_a_monthly_kpi_without_a_figure_for_the_month_says_so(manager_client, demo_kpis):
    delete("3", "2022-06-01")
    row = text(row_of(manager_client.get("/").content.decode(), "3"))
    assert "84.0% May-22 No Jun-22 figure" in row


def test_a_month_outside_the_figures_is_refused_with_a_message(manager_client, demo_kpis):
    page = manager_client.get("/", {"month": "2031-01"}).content.decode()
    assert "There is a problem" in page
    assert '<a href="#id_month">Choose a month from April 2021 to June 2022</a>' in page
    assert "Performance overview, June 2022" in page  # the latest, meanwhile


def test_filters_by_section_and_rag(manager_client, demo_kpis):
    workforce = Section.objects.get(name="Workforce")
    page = manager_client.get("/", {"section": workforce.pk}).content.decode()
    assert shown_refs(page) == ["13", "14"]
    assert "2 KPIs matching the filters" in page
    red = manager_client.get("/", {"rag": "red"}).content.decode()
    assert shown_refs(red) == ["1", "3", "4", "5", "6a", "8", "9", "10", "11", "13"]
    nothing = manager_client.get("/", {"section": workforce.pk, "rag": "green"})
    assert "No KPI matches these filters." in nothing.content.decode()


def test_sorting_by_rag_puts_red_first_and_keeps_report_order_within(manager_client, demo_kpis):
    page = manager_client.get("/", {"sort": "rag"}).content.decode()
    refs = shown_refs(page)
    assert refs[:10] == ["1", "3", "4", "5", "6a", "8", "9", "10", "11", "13"]
    assert refs[10:12] == ["12", "14"]  # amber
    assert 'aria-sort="ascending"' in page


def test_sorting_by_latest_value_descending(manager_client, demo_kpis):
    refs = shown_refs(manager_client.get("/", {"sort": "-value"}).content.decode())
    assert refs[:2] == ["CIC", "5"]  # 848, 258


def test_the_table_downloads_as_csv_with_the_filters(manager_client, demo_kpis):
    response = manager_client.get("/", {"download": "csv", "rag": "green"})
    assert response["Content-Disposition"] == 'attachment; filename="kpi-overview-2022-06.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["Ref"] for row in rows] == ["7", "15"]
    assert rows[0]["Latest value"] == "98.70"
    assert rows[0]["Month"] == "2022-06"
    assert rows[0]["Previous value"] == "97.90"
    assert rows[0]["Against previous figure"] == "Better"
    assert rows[0]["RAG"] == "Green"
    assert rows[0]["Target"] == "95.00"


def test_the_table_downloads_as_excel_with_numbers_as_numbers(manager_client, demo_kpis):
    response = manager_client.get("/", {"download": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    rows = {
        row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(2, values_only=True)
    }
    first = rows["1"]
    assert first["Latest value"] == 0.749  # an Excel percentage: 74.9% is 0.749
    assert first["Unit"] == "Percentage"
    assert first["Month"] == dt.datetime(2022, 6, 1)
    assert first["RAG"] == "Red"
    assert first["Against a year before"] == "Worse"
    assert rows["5"]["Latest value"] == 258
    value_cell = next(c for c in sheet["F"] if c.row > 1 and sheet.cell(c.row, 1).value == "1")
    assert value_cell.number_format == "0.0%"


def test_text_that_looks_like_a_formula_stays_text_in_the_downloads(manager_client, demo_kpis):
    Kpi.objects.filter(ref="1").update(description='=HYPERLINK("http://x")')
    sheet = load_workbook(io.BytesIO(manager_client.get("/", {"download": "xlsx"}).content)).active
    cell = next(c for c in sheet["B"] if sheet.cell(c.row, 1).value == "1")
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x")'
    rows = list(
        csv.reader(io.StringIO(manager_client.get("/", {"download": "csv"}).content.decode()))
    )
    assert next(row for row in rows if row[0] == "1")[1].startswith("'=")


def test_a_viewer_sees_the_overview_too(viewer_client, demo_kpis):
    assert viewer_client.get("/").status_code == 200


def test_with_no_figures_the_overview_says_so(manager_client):
    page = manager_client.get("/").content.decode()
    assert "No KPI has a figure yet" in page


def test_a_figure_entered_as_a_decimal_is_judged_exactly(manager_client, demo_kpis):
    # 85.0% exactly meets a target of 85: green, not amber.
    record("1", "2022-06-01", "85.0", reason="test")
    assert " Green " in text(row_of(manager_client.get("/").content.decode(), "1"))


def test_before_a_kpis_first_figure_it_shows_no_data(manager_client, demo_kpis):
    page = manager_client.get("/", {"month": "2021-12"}).content.decode()
    assert "No figure up to December 2021." in text(page)  # the children-in-care tile
    cic = text(row_of(page, "CIC"))
    assert cic.startswith("CIC Number of children in care no data")
    assert "No Dec-21 figure" not in cic  # it has no figure at all yet


def test_the_overview_gives_each_mapped_kpi_its_quartile_band_in_words(
    demo_kpis, manager_client, django_assert_max_num_queries
):
    """Issue 15: a benchmark column, the band said in words (never colour alone), from the
    published statistics; the rest say they have none."""
    from kpis import demo
    from tests.kpis.test_published import rates

    demo.load_benchmarks()
    with django_assert_max_num_queries(30):  # the page's own, and about ten for benchmarks
        page = manager_client.get("/", {"month": "2022-06"}).content.decode()
    assert "Among England&#x27;s authorities" in page or "Among England's authorities" in page
    numbers = [float(v) for v in rates("2022").values() if v.replace(".", "").isdigit()]
    above = sum(1 for v in numbers if v > 99)  # Sandwell's 99 at 31 March 2022
    row = next(r for r in page.split("<tr") if 'data-kpi="CICR"' in r)
    assert "Quartile A</span>, the highest quarter" in row
    joint = "joint " if sum(1 for v in numbers if v == 99) > 1 else ""
    rank = f"{joint}{above + 1}rd highest of {len(numbers)} with a figure, 2022"
    assert f'quarter; <span class="sct-muted">{rank}' in row
    other = next(r for r in page.split("<tr") if 'data-kpi="1"' in r)
    assert "No published benchmark" in other
