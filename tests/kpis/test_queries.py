"""The dashboards read the database a fixed number of times, whatever the number of KPIs.

The same bound holds for 15 KPIs and for 200; each test also checks that the page shows
every KPI, so that a page that showed nothing could not pass.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest

from kpis.models import Benchmark, Kpi, Target

pytestmark = pytest.mark.django_db

# Session, user, permissions (two), the navigation's groups and the organisation take six; the
# data version one; the span of months and the sections two; reading the period nine (KPIs,
# figures, figures as published, targets, goals, benchmarks, and the SPC chart's change
# points, baseline exclusions and annotations) — none when the period is kept for the data
# version.
MAX_QUERIES = 18
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
