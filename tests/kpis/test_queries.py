"""The dashboards read the database a fixed number of times, whatever the number of KPIs.

The same bound holds for 15 KPIs and for 200; each test also checks that the page shows
every KPI, so that a page that showed nothing could not pass.
"""

import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest

from kpis.models import Benchmark, Kpi, Target

pytestmark = pytest.mark.django_db

# Session, user, permissions (two), the navigation's groups and the organisation take six; the
# data version two (the kept page's key, then the kept period's); the span of months and the
# sections two; reading the period nine (KPIs, figures, figures as published, targets, goals,
# benchmarks, and the SPC chart's change points, baseline exclusions and annotations) — none
# when the period is kept for the data version.
MAX_QUERIES = 19
# A page whose body is kept for the data version: the session, user, permissions, groups,
# organisation and the data version.
MAX_KEPT_QUERIES = 7
SIZES = [15, 200]
# The overview page (not its downloads) also asks which KPIs have a benchmark mapping, for its
# column of published benchmarks: one read when none has (these KPIs), about ten when some do.
BENCHMARK_READ = 1


def rows(page: str) -> int:
    return len(re.findall(r'data-kpi="B\d+"', page))


@pytest.mark.parametrize("count", SIZES)
def test_the_overview_takes_a_fixed_number_of_queries(
    count, portfolio, manager_client, django_assert_max_num_queries
):
    portfolio(count=count)
    with django_assert_max_num_queries(MAX_QUERIES + BENCHMARK_READ):
        response = manager_client.get("/")
    assert response.status_code == 200
    assert rows(response.content.decode()) == count


@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize("url", ["/", "/?month=2021-09&sort=-rag", "/trend/2022-23/q1/"])
def test_a_page_asked_for_again_is_answered_from_its_kept_body(
    count, url, portfolio, manager_client, django_assert_max_num_queries
):
    portfolio(count=count)
    first = manager_client.get(url).content.decode()
    with django_assert_max_num_queries(MAX_KEPT_QUERIES):
        again = manager_client.get(url).content.decode()
    assert main(again) == main(first)
    assert rows(again) > 0 or again.count('href="/kpis/B') > 0
    # The layout is the request's own: the sign-out form's CSRF token is masked afresh.
    assert csrf(again) != csrf(first)


def main(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found
    return found[1]


@pytest.mark.parametrize("count", SIZES)
def test_the_overview_at_a_past_month_sorted_and_filtered_takes_as_few(
    count, portfolio, manager_client, django_assert_max_num_queries
):
    portfolio(count=count)
    with django_assert_max_num_queries(MAX_QUERIES + BENCHMARK_READ):
        response = manager_client.get("/", {"month": "2021-09", "sort": "-rag", "rag": "red"})
    assert response.status_code == 200
    assert rows(response.content.decode()) > 0


@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize("download", ["csv", "xlsx"])
def test_the_downloads_take_a_fixed_number_of_queries(
    count, download, portfolio, manager_client, django_assert_max_num_queries
):
    portfolio(count=count)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = manager_client.get("/", {"download": download})
    assert response.status_code == 200
    if download == "csv":
        assert response.content.decode().count("\n") == count + 1


@pytest.mark.parametrize("count", SIZES)
def test_a_kpi_detail_page_takes_a_fixed_number_of_queries(
    count, portfolio, manager_client, django_assert_max_num_queries
):
    portfolio(count=count, months=120 if count == 15 else 24)
    # The overview's, less the span and sections, plus the KPI, its latest month and
    # whether it has published benchmarks.
    with django_assert_max_num_queries(MAX_QUERIES + 1):
        response = manager_client.get("/kpis/B1/")
    assert response.status_code == 200
    assert "kpi-chart-data" in response.content.decode()


@pytest.mark.parametrize("count", SIZES)
def test_the_trend_table_takes_a_fixed_number_of_queries(
    count, portfolio, manager_client, django_assert_max_num_queries
):
    portfolio(count=count)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = manager_client.get("/trend/2022-23/q1/")
    assert response.status_code == 200
    in_table = count - count // 10  # every tenth KPI is quarterly, outside the table
    assert response.content.decode().count('href="/kpis/B') == in_table


# Relative targets add two reads, whatever the number of KPIs: the benchmarks they are
# measured from, and the KPIs' own starting figures.
RELATIVE_EXTRA = 2


def make_targets_relative() -> dict[str, str]:
    """Half the KPIs' targets become "more than the statistical-neighbour average" (with an
    average for each March), the rest "at least the March 2021 figure plus 2"."""
    kpis = list(Kpi.objects.filter(targets__isnull=False).distinct().order_by("pk"))
    on_benchmark, on_own = kpis[::2], kpis[1::2]
    Target.objects.filter(kpi__in=on_benchmark).update(
        comparison="more-than", basis="benchmark", comparator="sn", statistic="mean", value=0
    )
    Target.objects.filter(kpi__in=on_own).update(
        basis="own-figure", baseline_month=dt.date(2021, 3, 1), value=2
    )
    Benchmark.objects.bulk_create(
        Benchmark(kpi=kpi, month=month, comparator="sn", value=Decimal(60), source="DfE")
        for kpi in on_benchmark
        for month in (dt.date(2021, 3, 1), dt.date(2022, 3, 1))
        if not kpi.is_headline  # the headline measures have their own benchmarks
    )
    return {"benchmark": on_benchmark[0].ref, "own": on_own[0].ref}


@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize("url", ["/", "/trend/2022-23/q1/", "benchmark", "own"])
def test_relative_targets_add_a_fixed_number_of_queries(
    count, url, portfolio, manager_client, django_assert_max_num_queries
):
    portfolio(count=count)
    refs = make_targets_relative()
    url = f"/kpis/{refs[url]}/" if url in refs else url  # the KPI page of each kind
    with django_assert_max_num_queries(MAX_QUERIES + RELATIVE_EXTRA):
        response = manager_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "statistical-neighbour average" in page or "the figure for March 2021" in page


# ---------------------------------------------------------------------------------------
# The quarterly report: its page (draft and published), its editor and its workbook read a
# fixed number of times whatever the number of KPIs and of headline measures.

REPORT_URL = "/reports/2022-23/q1/"
HEADLINES = [3, 17]
# A draft is assembled from the figures as they stand: the dashboards' reads, plus the
# report, its sections and events, the finance and contract matters and the published
# statistics of its benchmark table and of each mapped KPI's standing, and the SPC charts'
# change points, baseline exclusions and annotations (28 today). A published report is its
# snapshot, and one read of the current figures to say what was revised since (10).
MAX_DRAFT_QUERIES = 28
MAX_PUBLISHED_QUERIES = 10


def report_bound(*, published: bool) -> int:
    return MAX_PUBLISHED_QUERIES if published else MAX_DRAFT_QUERIES


def make_headlines(count: int) -> list[str]:
    """The first `count` KPIs (in the portfolio's order) become headline measures."""
    from sct_portal.models import bump_data_version

    refs = list(Kpi.objects.order_by("order").values_list("ref", flat=True)[:count])
    Kpi.objects.filter(ref__in=refs).update(is_headline=True)
    Kpi.objects.exclude(ref__in=refs).update(is_headline=False)
    bump_data_version()  # written in bulk: no signal said so
    return refs


@pytest.fixture
def quarter_report(portfolio, analyst, manager):
    """A draft report for Q1 2022/23 over a portfolio: report(count=, headlines=, published=)."""
    from reports import workflow
    from sct_portal.periods import Quarter

    def build(*, count: int, headlines: int, published: bool = False):
        portfolio(count=count)
        refs = make_headlines(headlines)
        report = workflow.start_report(quarter=Quarter.parse("2022-23", "q1"), by=analyst)
        if published:
            report = workflow.submit_for_review(report=report, by=analyst)
            report = workflow.publish(report=report, by=manager)
        return refs

    return build


def headline_refs(page: str) -> set[str]:
    return set(re.findall(r'data-headline="([^"]+)"', page))


@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize("headlines", HEADLINES)
@pytest.mark.parametrize("published", [False, True], ids=["draft", "published"])
def test_the_report_page_takes_a_fixed_number_of_queries(
    count, headlines, published, quarter_report, analyst_client, django_assert_max_num_queries
):
    refs = quarter_report(count=count, headlines=headlines, published=published)
    with django_assert_max_num_queries(report_bound(published=published)):
        response = analyst_client.get(REPORT_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert rows(page) == count - count // 10  # the KPI table: every monthly KPI
    assert headline_refs(page) == set(refs)


@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize("headlines", HEADLINES)
def test_the_report_editor_takes_a_fixed_number_of_queries(
    count, headlines, quarter_report, analyst_client, django_assert_max_num_queries
):
    from kpis.models import Observation

    refs = quarter_report(count=count, headlines=headlines)
    with django_assert_max_num_queries(MAX_DRAFT_QUERIES):
        response = analyst_client.get(REPORT_URL + "edit/")
    assert response.status_code == 200
    page = response.content.decode()
    # A sentence is drafted for each headline measure with a figure for March 2022 (the
    # year's end before the quarter) and a later one.
    with_march = set(
        Observation.objects.filter(
            kpi__ref__in=refs, month=dt.date(2022, 3, 1), value__isnull=False
        ).values_list("kpi__ref", flat=True)
    )
    drafted = set(re.findall(r"Headline measure, KPI (B\d+)<", page))
    assert drafted == with_march
    assert len(drafted) >= headlines - 2


@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize("headlines", HEADLINES)
@pytest.mark.parametrize("published", [False, True], ids=["draft", "published"])
def test_the_report_workbook_takes_a_fixed_number_of_queries(
    count, headlines, published, quarter_report, analyst_client, django_assert_max_num_queries
):
    quarter_report(count=count, headlines=headlines, published=published)
    with django_assert_max_num_queries(report_bound(published=published)):
        response = analyst_client.get(REPORT_URL + "report.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    cells = {
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    }
    # Every KPI of the report's table (the quarterly tenth is outside it) has its row.
    assert {f"B{n}" for n in range(1, count + 1) if n % 10 != 9} <= cells
