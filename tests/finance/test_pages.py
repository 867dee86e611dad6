"""The finance page: the seed's facts for every role, honest gaps, charts with table twins."""

import json
import re
from decimal import Decimal

import pytest
from django.test import Client

from finance.models import FinanceYear, FinancialRisk, MonitoringLine
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

SEED_FACTS = [
    "Finance 2022/23",
    "Amount not recorded",  # the contract sum: the report gives none
    "Approved by Cabinet in February 2022",
    "£1.9m",
    "Repaying the 2018/19 deficit by the end of 2023/24",
    "2018/19: amount not recorded",
    "The end of 2023/24",
    "Cost of placements",
    "resource demand panel",
    "West Birmingham and Black Country Clinical Commissioning Group",
    "settled by negotiation for 2021/22; not yet agreed for 2022/23",
]


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split()).replace(
        "&#x27;", "'"
    )


@pytest.mark.parametrize("role_client", ["analyst_client", "manager_client", "viewer_client"])
def test_every_role_reads_the_seeds_finance_facts(request, role_client, demo_finance):
    client = request.getfixturevalue(role_client)
    response = client.get("/finance/", follow=True)
    assert response.redirect_chain == [("/finance/2022-23/", 302)]
    page = text_of(response)
    for fact in SEED_FACTS:
        assert fact in page, fact


def test_the_latest_recorded_year_is_where_finance_opens(viewer_client, demo_finance):
    FinanceYear.objects.create(start_year=2021)
    response = viewer_client.get("/finance/")
    assert response.headers["Location"] == "/finance/2022-23/"
    page = viewer_client.get("/finance/2021-22/").content.decode()
    assert 'href="/finance/2022-23/"' in page


def test_with_nothing_recorded_finance_says_so(viewer_client):
    response = viewer_client.get("/finance/")
    assert response.status_code == 200
    assert "No financial year has any finance recorded yet." in text_of(response)


def test_a_year_not_recorded_or_not_a_year_is_not_found(viewer_client, demo_finance):
    assert viewer_client.get("/finance/2019-20/").status_code == 404
    assert viewer_client.get("/finance/twenty-two/").status_code == 404


def test_another_spelling_of_the_year_redirects_to_its_address(viewer_client, demo_finance):
    response = viewer_client.get("/finance/2022-2023/")
    assert (response.status_code, response.headers["Location"]) == (301, "/finance/2022-23/")


def test_a_user_without_a_role_is_refused_and_a_visitor_sent_to_sign_in(client, demo_finance):
    assert client.get("/finance/2022-23/").headers["Location"].startswith("/accounts/login/")
    nobody = Client()
    nobody.force_login(make_user("no.role", None, staff=False))
    assert nobody.get("/finance/2022-23/").status_code == 403
    assert "Finance" not in [
        item["text"] for item in nobody.get("/finance/").context["navigation"] or []
    ]


def test_the_navigation_offers_finance_to_every_role(viewer_client, demo_finance):
    navigation = viewer_client.get("/finance/2022-23/").context["navigation"]
    finance = next(item for item in navigation if item["text"] == "Finance")
    assert finance["current"]


def test_the_recovery_chart_has_its_data_a_sentence_and_a_table_twin(viewer_client, demo_finance):
    page = viewer_client.get("/finance/2022-23/").content.decode()
    found = re.search(
        r'<script id="recovery-chart-1-data" type="application/json">(.*?)</script>', page
    )
    assert found
    data = json.loads(found[1])
    assert data["labels"] == ["2022/23", "2023/24"]
    assert data["series"][0]["values"] == ["1900000.00", None]
    assert data["series"][1]["values"] == [None, None]
    assert 'aria-describedby="recovery-chart-1-sentence"' in page
    assert "The deficit&#x27;s amount is not recorded, so progress cannot be given" in page
    assert '<caption class="govuk-table__caption govuk-table__caption--m" id="repayments-1">' in (
        page
    )


def add_lines(year: FinanceYear, count: int) -> None:
    for n in range(count):
        MonitoringLine(
            year=year,
            quarter=1 + n % 2,
            area=f"Area {n}",
            budget=Decimal("1000000"),
            forecast_outturn=Decimal("1000000") + n * 10000,
        ).save()


def test_monitoring_lines_show_budget_forecast_and_derived_variance(viewer_client, demo_finance):
    year = FinanceYear.objects.get(start_year=2022)
    MonitoringLine(
        year=year,
        quarter=1,
        area="Placements",
        budget=Decimal("2000000"),
        forecast_outturn=Decimal("2250000"),
    ).save()
    MonitoringLine(
        year=year,
        quarter=1,
        area="Staffing",
        budget=Decimal("3000000"),
        forecast_outturn=Decimal("2900000"),
    ).save()
    response = viewer_client.get("/finance/2022-23/")
    page = text_of(response)
    assert "Placements £2,000,000 £2,250,000 £250,000 12.5% Overspend" in page
    assert "Staffing £3,000,000 £2,900,000 -£100,000 -3.3% Underspend" in page
    assert "Total £5,000,000 £5,150,000 £150,000 3.0% Overspend" in page
    assert "The largest overspend is in Placements" in page
    assert 'id="monitoring-chart-data"' in response.content.decode()


def test_the_page_has_no_inline_script_or_style(viewer_client, demo_finance):
    add_lines(FinanceYear.objects.get(start_year=2022), 2)
    page = viewer_client.get("/finance/2022-23/").content.decode()
    assert "style=" not in page
    assert "<style" not in page
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_the_page_takes_a_fixed_number_of_queries(
    viewer_client, demo_finance, django_assert_max_num_queries
):
    year = FinanceYear.objects.get(start_year=2022)
    with django_assert_max_num_queries(14) as few:
        viewer_client.get("/finance/2022-23/")
    add_lines(year, 12)
    for n in range(10):
        FinancialRisk(year=year, title=f"Risk {n}", description="d").save()
    with django_assert_max_num_queries(len(few.captured_queries)):
        viewer_client.get("/finance/2022-23/")


def test_only_analysts_are_offered_the_admin_from_the_page(
    analyst_client, viewer_client, demo_finance
):
    assert "Enter or change finance in the admin" in text_of(
        analyst_client.get("/finance/2022-23/")
    )
    assert "Enter or change finance" not in text_of(viewer_client.get("/finance/2022-23/"))
