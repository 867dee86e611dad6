import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from reports import workflow
from reports.demo import QUARTER, seed_narrative
from reports.models import QuarterReport
from tests.conftest import SEED_REPORT
from tests.kpis.conftest import grant_amending


@pytest.fixture
def data(db) -> None:
    """The seed's KPIs, finance and contract data, without any report."""
    from contracts import demo as contracts_demo
    from finance import demo as finance_demo
    from kpis import demo as kpis_demo

    kpis_demo.load()
    finance_demo.load()
    contracts_demo.load()


@pytest.fixture
def draft(data, analyst) -> QuarterReport:
    """The Q1 2022/23 report drafted with the seed's narrative."""
    report = workflow.start_report(quarter=QUARTER, by=analyst)
    narrative = seed_narrative(SEED_REPORT.read_text(encoding="utf-8"))
    workflow.save_narrative(report=report, bodies=narrative, by=analyst)
    return report


@pytest.fixture
def in_review(draft, analyst) -> QuarterReport:
    return workflow.submit_for_review(report=draft, by=analyst)


@pytest.fixture
def published(in_review, manager) -> QuarterReport:
    return workflow.publish(report=in_review, by=manager)


@pytest.fixture
def demo(db) -> None:
    call_command("load_demo", verbosity=0)


@pytest.fixture
def lead_analyst(analyst) -> User:
    return grant_amending(analyst)
