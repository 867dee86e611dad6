"""The figures of a period, built once (kpis.period via kpis.dashboard.read_period): what
every page renders, and the kept period that can never be stale."""

import datetime as dt
import re
import subprocess
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest

from kpis import dashboard
from kpis.models import Benchmark, Goal, Kpi, Section, Target
from sct_portal.models import Organisation
from sct_portal.periods import Quarter
from tests.recording import record

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
JUNE = dt.date(2022, 6, 1)


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def overview_row(client, ref: str) -> str:
    page = client.get("/").content.decode()
    match = re.search(
        rf'<tr class="govuk-table__row">((?:(?!</tr>).)*data-kpi="{ref}".*?)</tr>', page, re.S
    )
    assert match, f"no row for KPI {ref}"
    return text(match.group(1))


def test_kpis_imports_nothing_from_reports():
    found = subprocess.run(
        ["grep", "-rnE", r"from reports|import reports", str(ROOT / "kpis")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.stdout == ""


def test_a_figure_older_than_two_years_is_still_the_latest_and_says_how_old(
    demo_kpis, manager_client
):
    section = Section.objects.order_by("pk")[0]
    kpi = Kpi.objects.create(
        ref="OLD",
        description="A KPI last reported long ago",
        section=section,
        unit="count",
        decimals=0,
        polarity="lower",
    )
    record(kpi, "2019-12-01", "33")
    record(kpi, "2018-12-01", "30")
    row = overview_row(manager_client, "OLD")
    assert "33 Dec-19" in row
    assert "Latest figure Dec-19: 30 months old" in row
    assert "Worse (up since Dec-18)" in row  # a year before, however old


def test_a_symbol_is_shown_with_its_meaning_and_never_compared_as_zero(demo_kpis, manager_client):
    record("5", "2022-06-01", "c")
    row = overview_row(manager_client, "5")
    assert "c (suppressed to protect confidentiality)" in row
    assert "C (suppressed to protect confidentiality): not compared" not in row  # it is the latest
    position = dashboard.read_period(month=JUNE).by_ref["5"]
    assert (position.value, position.symbol) == (None, "c")
    assert "not judged against its target: the figure is c" in position.sentence
    assert position.analysis.points[-1].value is None  # SPC skips it


def test_a_quarterly_kpi_in_the_trend_table_has_quarter_columns(demo_kpis, manager_client):
    section = Section.objects.order_by("pk")[0]
    kpi = Kpi.objects.create(
        ref="Q1",
        description="A quarterly KPI",
        section=section,
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency="quarterly",
    )
    record(kpi, "2022-03-01", "60.0")
    record(kpi, "2022-06-01", "65.0")
    table = dashboard.trend_table(quarter=Quarter.of(JUNE))
    monthly, quarterly = table.groups
    assert monthly.heading == "Monthly KPIs"
    assert len(monthly.columns) == 15
    assert [c.label for c in quarterly.columns] == [
        "Q1 2021/22",
        "Q2 2021/22",
        "Q3 2021/22",
        "Q4 2021/22",
        "Q1 2022/23",
    ]
    (row,) = quarterly.rows
    assert [c.text for c in row.cells] == ["", "", "", "60.0%", "65.0%"]
    assert quarterly.comparison == "the previous quarter"
    page = manager_client.get("/trend/2022-23/q1/").content.decode()
    assert "Quarterly KPIs, Q1 2021/22 to Q1 2022/23" in page
    assert "Against the previous quarter" in page


def test_a_year_to_date_measure_is_compared_with_last_year_and_not_given_to_spc(
    demo_kpis, manager_client
):
    section = Section.objects.order_by("pk")[0]
    kpi = Kpi.objects.create(
        ref="YTD",
        description="Adoptions so far this year",
        section=section,
        unit="count",
        decimals=0,
        polarity="higher",
        cumulative=True,
    )
    for month, value in (
        ("2021-04-01", 2),
        ("2021-05-01", 5),
        ("2022-04-01", 3),
        ("2022-05-01", 4),
    ):
        record(kpi, month, value)
    position = dashboard.read_period(month=dt.date(2022, 5, 1)).by_ref["YTD"]
    assert position.previous is None
    assert position.year_ago is not None
    assert position.year_ago.direction == "worse"  # 4 against May 2021's 5
    assert "not analysed by SPC: a year-to-date measure" in position.sentence


def test_the_kept_period_follows_every_kind_of_input(demo_kpis, manager_client, lead_analyst):
    """A page kept for the data version changes when anything it shows changes."""

    def position():
        return dashboard.read_period(month=JUNE).by_ref["1"]

    assert position().value == Decimal("74.9")
    record("1", JUNE, "75.5", reason="recount")  # a figure
    assert position().value == Decimal("75.5")
    target = Target.objects.filter(kpi__ref="1")[0]
    target.value = Decimal("70")  # a target
    target.save()
    assert position().rag == "green"
    kpi = Kpi.objects.get(ref="1")
    kpi.description = "Contacts decided in time"  # a KPI
    kpi.save()
    assert position().kpi.description == "Contacts decided in time"
    Goal.objects.create(kpi=kpi, value=90, due=dt.date(2023, 3, 1), source="local-plan")
    assert position().goals[0].value == 90  # a goal
    Benchmark.objects.create(kpi=kpi, month=JUNE, comparator="england", value=80, source="DfE")
    assert position().benchmarks[0].value == 80  # a benchmark
    section = kpi.section
    section.name = "The front door"  # a section
    section.save()
    assert position().kpi.section.name == "The front door"
    Organisation.objects.create(
        portal_name="P", name="Anytown Council", kind="council", area="Anytown"
    )
    page = manager_client.get("/").content.decode()
    assert "Anytown Council" in page
    assert "when Anytown's figure was" in unescape(page)


def test_the_overview_takes_no_more_queries_when_its_period_is_kept(
    demo_kpis, manager_client, django_assert_max_num_queries
):
    manager_client.get("/")
    # Session, user, permissions, groups, organisation, data version, span, sections.
    with django_assert_max_num_queries(9):
        assert manager_client.get("/").status_code == 200
