"""What a new user notices on the first screens (issue 11, item 7): no template comment
printed on a page, a refusal said once, UK dates accepted, data entry in the header."""

import datetime as dt

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory

from contracts.models import Contract, Milestone
from kpis.models import Target


@pytest.fixture
def published_report(db, analyst, manager):
    from contracts import demo as contracts_demo
    from finance import demo as finance_demo
    from kpis import demo as kpis_demo
    from reports import workflow
    from sct_portal.periods import Quarter

    kpis_demo.load()
    finance_demo.load()
    contracts_demo.load()
    report = workflow.start_report(quarter=Quarter.parse("2022-23", "q1"), by=analyst)
    workflow.submit_for_review(report=report, by=analyst)
    return workflow.publish(report=report, by=manager)


def test_no_page_prints_a_template_comment(published_report, manager_client):
    pages = {
        "sign-in": Client().get("/accounts/login/"),
        "sign-in with a problem": Client().post(
            "/accounts/login/", {"username": "mo.manager", "password": "wrong"}
        ),
        "overview": manager_client.get("/"),
        "trend": manager_client.get("/trend/2022-23/q1/"),
        "KPI page": manager_client.get("/kpis/1/"),
        "report": manager_client.get(published_report.get_absolute_url()),
        "reports": manager_client.get("/reports/"),
        "admin index": manager_client.get("/admin/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        page = response.content.decode()
        assert "{#" not in page, name
        assert "#}" not in page, name


def test_a_refusal_says_why_once(viewer_client):
    page = viewer_client.get("/admin/login/?next=/admin/").content.decode()
    assert page.count("Your role does not include data entry.") == 1
    assert "Your role does not allow it" not in page


def test_a_refusal_without_a_reason_says_the_role_does_not_allow_it(viewer_client, db):
    response = viewer_client.post("/reports/start/")
    assert response.status_code == 403
    page = response.content.decode()
    assert page.count("Your role does not allow it.") == 1


@pytest.mark.parametrize(
    ("model", "field"),
    [(Milestone, "due_date"), (Contract, "start_date"), (Target, "valid_from")],
)
def test_admin_date_fields_read_uk_dates(model, field, analyst):
    request = RequestFactory().get("/")
    request.user = analyst
    form = admin.site._registry[model].get_form(request)()
    assert form.fields[field].clean("31/08/2022") == dt.date(2022, 8, 31)
    assert form.fields[field].clean("2022-08-31") == dt.date(2022, 8, 31)


def test_analysts_reach_data_entry_from_the_header(analyst_client, viewer_client, db):
    navigation = analyst_client.get("/").context["navigation"]
    entry = next(item for item in navigation if item["text"] == "Data entry")
    assert entry["href"] == "/admin/"
    assert analyst_client.get(entry["href"]).status_code == 200
    page = analyst_client.get("/").content.decode()
    header = page.split('id="navigation"', 1)[1].split("</ul>", 1)[0]
    assert 'href="/admin/"' in header
    assert "Data entry" not in [i["text"] for i in viewer_client.get("/").context["navigation"]]


def test_someone_signed_in_with_an_admin_role_goes_on_from_the_admin_sign_in(analyst_client):
    response = analyst_client.get("/admin/login/?next=/admin/kpis/kpi/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/kpis/kpi/"
    elsewhere = analyst_client.get("/admin/login/?next=https://example.com/")
    assert elsewhere["Location"] == "/admin/"
