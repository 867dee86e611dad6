"""Publishing freezes the report: a figure revised later leaves the published page and
workbook as they were, and is flagged on the report and the dashboards."""

import io
import re

import openpyxl
import pytest

from kpis import figures
from tests.recording import record

pytestmark = pytest.mark.django_db


def kpi_sheet(content: bytes) -> list[tuple[object, ...]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return list(workbook["KPIs"].iter_rows(values_only=True))


def revise(user, ref="1", month="2022-06-01", value="80.0"):
    record(ref, month, value, by=user, reason="MASH return corrected")


def kpi_row(page: str, ref: str) -> str:
    match = re.search(rf'<tr class="govuk-table__row" data-kpi="{ref}">(.*?)</tr>', page, re.S)
    assert match, ref
    return match[1]


def test_a_revised_figure_leaves_the_published_page_and_workbook_unchanged(
    published, lead_analyst, manager_client
):
    page_before = manager_client.get(published.get_absolute_url()).content.decode()
    workbook_before = kpi_sheet(manager_client.get(published.workbook_url).content)
    revise(lead_analyst)
    page_after = manager_client.get(published.get_absolute_url()).content.decode()
    workbook_after = kpi_sheet(manager_client.get(published.workbook_url).content)
    assert workbook_after == workbook_before
    assert kpi_row(page_after, "1") == kpi_row(page_before, "1")
    assert "74.9%" in kpi_row(page_after, "1")
    assert ">80.0%" not in kpi_row(page_after, "1")  # no cell shows the revised figure


def test_the_report_lists_the_figures_revised_since_publication(
    published, lead_analyst, manager_client
):
    revise(lead_analyst)
    revise(lead_analyst, ref="5", value="250")
    page = manager_client.get(published.get_absolute_url()).content.decode()
    assert "2 figures revised since publication" in page
    assert "MASH return corrected" in page
    assert re.search(r"74\.9%</td>\s*<td[^>]*>80\.0%", page)


def test_a_revision_in_a_published_month_needs_the_amend_permission(published, analyst):
    # an analyst without the permission to amend closed periods
    with pytest.raises(figures.Refused, match="Jun-22 is closed"):
        record("1", "2022-06-01", "80.0", by=analyst, reason="typo")


def test_the_dashboards_mark_figures_revised_since_published(
    published, lead_analyst, manager_client
):
    revise(lead_analyst)
    overview = manager_client.get("/").content.decode()
    assert overview.count("Revised since published") == 1
    assert "Q1 2022/23 report showed 74.9%" in overview
    detail = manager_client.get("/kpis/1/").content.decode()
    assert "Revised since published" in detail
    assert "the Q1 2022/23 report showed 74.9%" in detail
    trend = manager_client.get("/trend/2022-23/q1/").content.decode()
    assert trend.count("revised since published") == 1


def test_nothing_is_marked_revised_while_figures_stand_as_published(published, manager_client):
    assert "Revised since published" not in manager_client.get("/").content.decode()
    page = manager_client.get(published.get_absolute_url()).content.decode()
    assert "revised since publication" not in page
