"""Every page names the organisation the portal serves: nothing says trust or SCT on a
council's portal."""

import io
import re

import openpyxl
import pytest

from bench import dataset
from reports import workflow
from reports.demo import QUARTER
from sct_portal.models import Kind, Organisation

pytestmark = pytest.mark.django_db

# "trust" in any case; "SCT" in capitals (the stylesheet's sct- classes are not read).
FOREIGN = re.compile(r"(?i:\btrust)|\bSCT\b")


def foreign_words(page: str) -> list[str]:
    return FOREIGN.findall(page)


@pytest.fixture
def anytown(db) -> Organisation:
    dataset.build(kpis=15, months=24)
    return Organisation.objects.create(
        portal_name="Anytown Children's Performance",
        name="Anytown Council",
        kind=Kind.COUNCIL,
        area="Anytown",
    )


def test_no_page_of_a_councils_portal_says_trust_or_sct(
    anytown, analyst, manager, manager_client, analyst_client
):
    report = workflow.start_report(quarter=QUARTER, by=analyst)
    pages = {
        "overview": manager_client.get("/"),
        "KPI page": manager_client.get("/kpis/B1/"),
        "trend": manager_client.get("/trend/", follow=True),
        "reports": analyst_client.get("/reports/"),
        "report": analyst_client.get(report.get_absolute_url()),
        "report editor": analyst_client.get(report.edit_url),
        "admin index": analyst_client.get("/admin/"),
        "refused": manager_client.get(report.edit_url),
    }
    for name, response in pages.items():
        page = response.content.decode()
        assert response.status_code in (200, 403), name
        assert foreign_words(page) == [], name
        assert "Anytown" in page, name
    assert (
        "Anytown Children&#x27;s Performance administration"
        in pages["admin index"].content.decode()
    )
    assert "The quarterly performance reports of Anytown Council." in (
        pages["reports"].content.decode()
    )
    assert "the council's performance analysts" in pages["overview"].content.decode()


def test_downloads_name_the_organisations_portal(anytown, manager_client):
    response = manager_client.get("/", {"download": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.properties.creator == "Anytown Children's Performance"


def test_the_500_page_names_no_organisation():
    from pathlib import Path

    page = (Path(__file__).parents[1] / "templates" / "500.html").read_text()
    assert foreign_words(page) == []
    assert "{{" not in page  # rendered without a database or a request
