"""At thousands of KPIs the overview is shown a page at a time; its filters and downloads
still cover every KPI. (A page size of 10 here stands for the 200 of production.)"""

import re

import pytest

from kpis.models import Kpi, Section

pytestmark = pytest.mark.django_db

COUNT = 25


@pytest.fixture
def kpis(portfolio, settings) -> list[str]:
    settings.PORTAL_OVERVIEW_PAGE_SIZE = 10
    portfolio(count=COUNT)
    return list(Kpi.objects.order_by("order").values_list("ref", flat=True))


def shown(page: str) -> list[str]:
    return re.findall(r'data-kpi="(B\d+)"', page)


def test_each_page_shows_the_next_kpis(kpis, manager_client):
    pages = [manager_client.get("/", {"page": n}).content.decode() for n in (1, 2, 3)]
    assert [shown(page) for page in pages] == [kpis[:10], kpis[10:20], kpis[20:]]
    assert "page 2 of 3: rows 11 to 20" in pages[1]
    assert 'href="?page=3" aria-label="Page 3 of 3"' in pages[1]
    assert 'rel="next"' in pages[0]
    assert 'rel="next"' not in pages[2]


def test_a_sorted_overview_pages_through_the_sorted_order(kpis, manager_client):
    first = shown(manager_client.get("/", {"sort": "-ref"}).content.decode())
    second = shown(manager_client.get("/", {"sort": "-ref", "page": 2}).content.decode())
    assert first + second == kpis[::-1][:20]


def test_a_filter_covers_every_kpi_not_only_the_page(kpis, manager_client):
    section = Section.objects.get(name="Children in care")
    wanted = list(
        Kpi.objects.filter(section=section).order_by("order").values_list("ref", flat=True)
    )
    assert set(wanted) - set(kpis[:10])  # some are beyond the first page
    page = manager_client.get("/", {"section": section.pk}).content.decode()
    assert shown(page) == wanted
    assert "govuk-pagination" not in page  # they fit on one page


@pytest.mark.parametrize("download", ["csv", "xlsx"])
def test_the_download_has_every_kpi(download, kpis, manager_client):
    response = manager_client.get("/", {"download": download, "page": 2})
    assert response.status_code == 200
    if download == "csv":
        refs = [line.split(",")[0] for line in response.content.decode().splitlines()[1:]]
    else:
        import io

        import openpyxl

        sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
        refs = [str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert refs == kpis
