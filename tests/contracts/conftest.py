import datetime as dt

import pytest

from contracts import demo
from contracts.models import Contract


@pytest.fixture
def demo_contracts(db) -> dict[str, int]:
    """The seed report's contract matters."""
    return demo.load()


@pytest.fixture
def contract(db) -> Contract:
    return Contract.objects.create(
        name="Service Delivery Contract",
        council="Sandwell Council",
        provider="Sandwell Children's Trust",
        start_date=dt.date(2018, 4, 1),
        term_years=10,
    )
