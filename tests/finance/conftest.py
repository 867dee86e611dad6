import pytest

from finance import demo
from finance.models import FinanceYear


@pytest.fixture
def demo_finance(db) -> dict[str, int]:
    """The seed report's finance facts."""
    return demo.load()


@pytest.fixture
def year_2022(db) -> FinanceYear:
    return FinanceYear.objects.create(start_year=2022)
