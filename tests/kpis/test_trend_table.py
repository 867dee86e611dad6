"""The report's 15-month KPI table for any quarter, with financial-year headers and RAG."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest

from kpis.models import Kpi, Target, TargetSource

pytestmark = pytest.mark.django_db

URL = "/trend/2022-23/q1/"


def text(html: str) -> str:
    html = re.sub(r'<(span|svg)[^>]*aria-hidden="true"[^>]*>.*?</\1>', " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def body_rows(page: str) -> list[str]:
    body = page.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)


def cells(row: str) -> list[str]:
    return re.findall(r"<td[^>]*>.*?</td>", row, re.S)


def test_the_latest_quarter_with_figures_is_the_default(manager_client, demo_kpis):
    response = manager_client.get("/trend/")
    assert response.status_code == 302
    assert response["Location"] == URL


def test_the_table_has_financial_year_headers_over_fifteen_months(manager_client, demo_kpis):
    page = manager_client.get(URL).content.decode()
    assert '<h1 class="govuk-heading-l">Quarter 1 2022/23</h1>' in page
    assert re.search(r'<th scope="colgroup" colspan="12"[^>]*>2021/22</th>', page)
    assert re.search(r'<th scope="colgroup" colspan="3"[^>]*>2022/23</th>', page)
    months = re.findall(r'<th scope="col" class="[^"]*sct-month">([^<]+)</th>', page)
    assert months == [
        "Apr-21", "May-21", "Jun-21", "Jul-21", "Aug-21", "Sep-21", "Oct-21", "Nov-21",
        "Dec-21", "Jan-22", "Feb-22", "Mar-22", "Apr-22", "May-22", "Jun-22",
    ]  # fmt: skip
    assert "Monthly KPIs, Apr-21 to Jun-22</caption>" in page


def test_only_the_kpi_table_kpis_in_display_order(manager_client, demo_kpis):
    refs = [text(cells(row)[0]) for row in body_rows(manager_client.get(URL).content.decode())]
    assert refs == ["1", "2", "3", "4", "5", "6a", *map(str, range(7, 16))]


def test_every_cell_gives_its_rag_in_words_as_well_as_colour(manager_client, demo_kpis):
    first = body_rows(manager_client.get(URL).content.decode())[0]
    month_cells = cells(first)[1:16]
    assert 'sct-cell--green">85.2%' in month_cells[0]
    assert text(month_cells[0]) == "85.2% , green"
    assert text(month_cells[3]) == "83.4% , amber"  # Jul-21: within the 5-point tolerance
    assert text(month_cells[-1]) == "74.9% , red"
    for cell in month_cells:
        assert 'class="sct-cell__mark"' in cell  # a symbol too, not colour alone


def test_a_context_measure_has_figures_but_no_rag(manager_client, demo_kpis):
    second = body_rows(manager_client.get(URL).content.decode())[1]
    assert [text(c) for c in cells(second)[1:4]] == ["57.4", "54.5", "51.5"]
    assert "sct-cell--" not in second


def test_each_month_is_judged_against_the_target_then_in_force(manager_client, demo_kpis):
    kpi = Kpi.objects.get(ref="1")
    Target.objects.filter(kpi=kpi).update(valid_to=dt.date(2022, 3, 1))
    Target.objects.create(
        kpi=kpi,
        value=Decimal("70"),
        amber="distance",
        amber_value=Decimal("5"),
        valid_from=dt.date(2022, 4, 1),
        source=TargetSource.LOCAL_PLAN,
    )
    first = body_rows(manager_client.get(URL).content.decode())[0]
    month_cells = [text(c) for c in cells(first)[1:16]]
    assert month_cells[11] == "81.9% , amber"  # Mar-22 against 85
    assert month_cells[14] == "74.9% , green"  # Jun-22 against 70
    assert "70.0%" in text(cells(first)[16])  # the target at the quarter's end


def test_the_quarter_picker_goes_to_any_quarter(manager_client, demo_kpis):
    response = manager_client.get("/trend/", {"quarter": "2021-22-q4"})
    assert response["Location"] == "/trend/2021-22/q4/"
    page = manager_client.get("/trend/2021-22/q4/").content.decode()
    assert "Monthly KPIs, Apr-20 to Mar-22" in page
    first = cells(body_rows(page)[0])
    assert text(first[1]) == "no data"  # Apr-20: before the figures start
    assert text(first[13]).startswith("85.2%")  # Apr-21


def test_a_quarter_that_is_not_offered_is_refused_with_a_message(manager_client, demo_kpis):
    page = manager_client.get("/trend/", {"quarter": "2031-32-q1"}).content.decode()
    assert "There is a problem" in page
    assert "Choose a quarter from Quarter 1 2021/22 to Quarter 1 2022/23" in page


def test_a_malformed_quarter_address_is_not_found(manager_client, demo_kpis):
    assert manager_client.get("/trend/2022-24/q1/").status_code == 404
    assert manager_client.get("/trend/2022-23/q5/").status_code == 404


def test_the_scrolling_table_can_be_reached_by_keyboard(manager_client, demo_kpis):
    page = manager_client.get(URL).content.decode()
    assert re.search(
        r'<div class="sct-table-scroll[^"]*" tabindex="0" role="region" '
        r'aria-labelledby="trend-caption-monthly">',
        page,
    )


def test_the_navigation_offers_the_trend_table(manager_client, demo_kpis):
    page = manager_client.get(URL).content.decode()
    assert re.search(r'<a class="govuk-service-navigation__link" href="/trend/"', page)
