"""A kept page can never show a stale figure.

The overview's and the trend table's bodies are kept for the data version (kpis.views
.kept_page). Each test loads a page (so that its body is kept), changes one kind of input the
page shows, through the way the portal changes it, and loads the page again: the change is
on it.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client

from kpis import chart_records
from kpis.models import Annotation, Benchmark, ChangePoint, Kpi, Target
from reports import workflow
from sct_portal.models import current
from sct_portal.periods import Quarter
from tests.recording import record

pytestmark = pytest.mark.django_db

OVERVIEW = "/"
TREND = "/trend/2022-23/q1/"
# A page whose body is kept: the session, user, permissions (two), groups, organisation and
# the data version. A page built afresh reads the figures besides.
KEPT_QUERIES = 7


@pytest.fixture
def kpis(portfolio) -> None:
    portfolio(count=15)


def row(page: str, ref: str) -> str:
    """The text of the KPI's row of the page's table (the row linking to its page)."""
    at = page.index(f'href="/kpis/{ref}/"', page.index("<table"))
    found = page[page.rindex("<tr", 0, at) : page.index("</tr>", at)]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found))


def with_target() -> str:
    """The first KPI with a target in force."""
    target = Target.objects.filter(valid_to__isnull=True).order_by("kpi__order").first()
    assert target is not None
    return target.kpi.ref


def load(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def kept(client, url: str, django_assert_max_num_queries) -> str:
    """Load the page twice: the second is answered from its kept body."""
    first = load(client, url)
    with django_assert_max_num_queries(KEPT_QUERIES):
        again = load(client, url)
    assert row(again, "B1") == row(first, "B1")
    return again


@pytest.mark.parametrize("url", [OVERVIEW, TREND])
def test_a_figure_recorded_is_on_the_page_at_once(
    url, kpis, manager_client, django_assert_max_num_queries
):
    before = kept(manager_client, url, django_assert_max_num_queries)
    assert "12.3%" not in row(before, "B1")
    record("B1", "2022-06-01", "12.3")
    assert "12.3%" in row(load(manager_client, url), "B1")


def test_a_target_changed_is_on_the_page_at_once(
    kpis, manager_client, django_assert_max_num_queries
):
    ref = with_target()
    before = kept(manager_client, OVERVIEW, django_assert_max_num_queries)
    target = Target.objects.get(kpi__ref=ref, valid_to__isnull=True)
    assert "97.5%" not in row(before, ref)
    target.value = Decimal("97.5")
    target.save()
    assert "97.5%" in row(load(manager_client, OVERVIEW), ref)


def test_a_benchmark_changed_is_on_the_page_at_once(
    kpis, manager_client, django_assert_max_num_queries
):
    """A KPI's target is "more than the statistical-neighbour average": the average's new
    value turns its RAG."""
    ref = with_target()
    Target.objects.filter(kpi__ref=ref).update(
        comparison="more-than", basis="benchmark", comparator="sn", statistic="mean", value=0
    )
    Benchmark.objects.filter(kpi__ref=ref).delete()
    benchmark = Benchmark.objects.create(
        kpi=Kpi.objects.get(ref=ref),
        month=dt.date(2022, 3, 1),
        comparator="sn",
        value=Decimal(0),
        source="DfE",
    )
    before = row(kept(manager_client, OVERVIEW, django_assert_max_num_queries), ref)
    assert "Green" in before
    benchmark.value = Decimal(100)
    benchmark.save()
    after = row(load(manager_client, OVERVIEW), ref)
    assert "Red" in after
    assert "Green" not in after


@pytest.mark.parametrize("url", [OVERVIEW, TREND])
def test_a_kpi_renamed_is_on_the_page_at_once(
    url, kpis, manager_client, django_assert_max_num_queries
):
    kept(manager_client, url, django_assert_max_num_queries)
    kpi = Kpi.objects.get(ref="B1")
    kpi.description = "Children seen within the week"
    kpi.save()
    assert "Children seen within the week" in row(load(manager_client, url), "B1")


def test_a_report_published_is_on_the_page_at_once(
    kpis, analyst, manager, manager_client, django_assert_max_num_queries
):
    """The Q4 report printed B1's March figure, revised since; once the Q1 report prints
    the revised figure, the overview of March no longer says it was revised."""
    publish(Quarter.parse("2021-22", "q4"), analyst=analyst, manager=manager)
    record("B1", "2022-03-01", "11.1", reason="Late cases added.")
    march = "/?month=2022-03"
    assert "Revised since published" in row(
        kept(manager_client, march, django_assert_max_num_queries), "B1"
    )
    publish(Quarter.parse("2022-23", "q1"), analyst=analyst, manager=manager)
    assert "Revised since published" not in row(load(manager_client, march), "B1")


def publish(quarter: Quarter, *, analyst: User, manager: User) -> None:
    report = workflow.start_report(quarter=quarter, by=analyst)
    report = workflow.submit_for_review(report=report, by=analyst)
    workflow.publish(report=report, by=manager)


def test_the_organisation_renamed_is_on_the_page_at_once(
    kpis, manager_client, django_assert_max_num_queries
):
    kept(manager_client, OVERVIEW, django_assert_max_num_queries)
    organisation = current()
    organisation.name = "Riverside Children's Trust"
    organisation.save()
    assert "Riverside Children&#x27;s Trust" in load(manager_client, OVERVIEW)


@pytest.mark.parametrize("kind", ["change point", "annotation"])
def test_a_chart_record_builds_the_page_afresh(
    kind, kpis, analyst, manager_client, django_assert_max_num_queries
):
    """Change points split a KPI's SPC baseline and annotations mark its chart: a kept body
    is not answered after either (the page reads the figures again)."""
    kept(manager_client, OVERVIEW, django_assert_max_num_queries)
    kpi = Kpi.objects.get(ref="B1")
    new: ChangePoint | Annotation = (
        ChangePoint(kpi=kpi, month=dt.date(2021, 4, 1), reason="New front door.")
        if kind == "change point"
        else Annotation(kpi=kpi, date=dt.date(2021, 4, 12), text="New front door")
    )
    chart_records.save(record=new, by=analyst)
    with django_assert_max_num_queries(30) as queries:
        page = load(manager_client, OVERVIEW)
    assert len(queries.captured_queries) > KEPT_QUERIES
    assert row(page, "B1")


def test_each_set_of_permissions_has_its_own_body(
    kpis, manager_client, viewer_client, django_assert_max_num_queries
):
    """A viewer's overview is not a manager's kept page: each is built for its permissions."""
    kept(manager_client, OVERVIEW, django_assert_max_num_queries)
    with django_assert_max_num_queries(30) as queries:
        page = load(viewer_client, OVERVIEW)
    assert len(queries.captured_queries) > KEPT_QUERIES
    assert "vi.viewer" in page
    assert "mo.manager" not in page


def test_pages_are_sent_compressed_to_browsers_that_accept_it(kpis, manager_client):
    import gzip

    response = manager_client.get(OVERVIEW, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    page = gzip.decompress(response.content).decode()
    assert row(page, "B1")
    assert len(response.content) < len(page.encode()) / 5


KPI_PAGE = "/kpis/B1/"


def main(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def test_a_kpi_page_shows_a_figure_and_a_new_name_at_once(
    kpis, manager_client, django_assert_max_num_queries
):
    first = load(manager_client, KPI_PAGE)
    with django_assert_max_num_queries(KEPT_QUERIES + 1):  # and the KPI itself
        assert main(load(manager_client, KPI_PAGE)) == main(first)
    assert "12.3%" not in main(first)
    record("B1", "2022-06-01", "12.3")
    assert "12.3%" in main(load(manager_client, KPI_PAGE))
    kpi = Kpi.objects.get(ref="B1")
    kpi.description = "Children seen within the week"
    kpi.save()
    page = load(manager_client, KPI_PAGE)
    assert "<title>KPI B1: Children seen within the week" in page
    assert "Children seen within the week</h1>" in main(page)
