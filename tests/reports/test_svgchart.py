"""The report's charts drawn as SVG: plain values in, markup out (no database)."""

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from reports import svgchart
from reports.content import Cell, Headline

SVG = "{http://www.w3.org/2000/svg}"


def headline(values: list[str], unit: str = "count", decimals: int = 0) -> Headline:
    months = [dt.date(2022, 3, 1), dt.date(2022, 4, 1), dt.date(2022, 5, 1), dt.date(2022, 6, 1)]
    series = tuple(
        Cell(month, Decimal(value) if value else None, value or "no data", "")
        for month, value in zip(months, values, strict=False)
    )
    return Headline(
        ref="CIC",
        label="Number of children in care",
        unit=unit,
        decimals=decimals,
        month=months[len(values) - 1],
        value=series[-1].value,
        shown=series[-1].shown,
        compared_with="Target for March 2023: 796",
        sentence="848 in June 2022, up from 844 in March 2022.",
        series=series,
    )


def test_the_chart_draws_the_lines_of_the_kpi_pages_axis():
    """Whole numbers for a count, each line once, as the KPI page's chart (kpis/axes.py)."""
    chart = svgchart.headline_chart(headline(["844", "846", "847", "848"]))
    assert chart is not None
    ticks = re.findall(r'text-anchor="end">([^<]+)</text>', svgchart.svg(chart, id="c"))
    assert ticks == ["800", "825", "850", "875", "900"]


def test_the_chart_draws_every_figure_and_says_what_it_shows():
    chart = svgchart.headline_chart(headline(["844", "846", "", "848"]))
    assert chart is not None
    assert chart.caption == "Number of children in care, Mar-22 to Jun-22"
    assert chart.labels == ("Mar-22", "Apr-22", "Jun-22")  # May has no figure
    drawn = ET.fromstring(svgchart.svg(chart, id="c1"))  # noqa: S314 (our own markup)
    assert drawn.get("role") == "img"
    assert drawn.get("aria-labelledby") == "c1-title"
    title = drawn.find(f"{SVG}title")
    assert title is not None
    assert title.text == (
        "Line chart of Number of children in care, Mar-22 to Jun-22: "
        "848 in June 2022, up from 844 in March 2022."
    )
    assert len(drawn.findall(f"{SVG}circle")) == 3
    texts = [t.text for t in drawn.iter(f"{SVG}text")]
    assert {"Mar-22", "Apr-22", "Jun-22", "848"} <= set(texts)


def test_percent_ticks_carry_their_unit():
    chart = svgchart.headline_chart(headline(["45.5", "49.3"], unit="percent", decimals=1))
    assert chart is not None
    ticks = re.findall(r'text-anchor="end">([^<]+)</text>', svgchart.svg(chart, id="c"))
    assert ticks
    assert all(tick.endswith("%") for tick in ticks)


def test_a_measure_with_one_figure_has_no_chart():
    assert svgchart.headline_chart(headline(["848"])) is None


def test_text_is_escaped():
    chart = svgchart.headline_chart(headline(["1", "2"]))
    assert chart is not None
    unsafe = svgchart.LineChart(**{**chart.__dict__, "alt": "<script>alert(1)</script> & more"})
    drawn = svgchart.svg(unsafe, id='x" onload="alert(1)')
    assert "<script>" not in drawn
    assert 'onload="' not in drawn
    ET.fromstring(drawn)  # noqa: S314 (our own markup): still well-formed
