import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from reports.snapshot import freeze, thaw


@dataclass(frozen=True)
class Cell:
    month: dt.date
    value: Decimal | None
    shown: str


@dataclass(frozen=True)
class Row:
    ref: str
    cells: tuple[Cell, ...]
    order: int
    headline: bool


@dataclass(frozen=True)
class Report:
    title: str
    published_at: dt.datetime | None
    rows: tuple[Row, ...]
    notes: dict[str, str]


def test_a_report_survives_the_round_trip_exactly():
    report = Report(
        title="Q1",
        published_at=dt.datetime(2022, 9, 1, 10, 30, tzinfo=dt.UTC),
        rows=(
            Row("1", (Cell(dt.date(2022, 6, 1), Decimal("74.90"), "74.9%"),), 1, False),
            Row("6a", (Cell(dt.date(2022, 6, 1), None, "no data"),), 2, True),
        ),
        notes={"kpis": "The KPIs that are red…"},
    )
    frozen = freeze(report)
    assert frozen["rows"][0]["cells"][0]["value"] == "74.90"  # a string, never a float
    assert thaw(Report, frozen) == report
    value = thaw(Report, frozen).rows[0].cells[0].value
    assert value is not None
    assert value.as_tuple().exponent == -2


def test_what_cannot_be_stored_is_refused():
    with pytest.raises(TypeError, match="Cannot store object"):
        freeze(Report("x", None, (), {"a": object()}))  # type: ignore[dict-item]
