"""The report's comparison with every authority in England (issue 15): each KPI with a
benchmark mapping, on the page and in the workbook, with every statistical neighbour's
value on a sheet of its own. The expected figures are computed here from the shipped files
with the csv and statistics modules (tests/kpis/test_published.py), never with the
importer's or the report's code."""

import io
import re
import statistics
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from kpis.models import PublishedValue
from reports import assemble, excel
from reports.models import QuarterReport
from tests.kpis.test_published import CLA, IN_CARE, NUMBER, SN_2021, neighbours_in, rates, rows

pytestmark = pytest.mark.django_db

URL = "/reports/2022-23/q1/"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def expected_2022() -> dict[str, Any]:
    """Sandwell at 31 March 2022 among England's authorities, from the files themselves."""
    la = rates("2022")
    codes = neighbours_in(SN_2021, "333")
    values = [Decimal(la[code]) for code in codes if NUMBER.match(la[code])]
    numbers = [Decimal(v) for v in la.values() if NUMBER.match(v)]
    own = Decimal(la["333"])
    q1, q2, q3 = statistics.quantiles(numbers, n=4, method="inclusive")
    # a context measure: rank 1 is the highest, band A the highest quarter
    band = "A" if own > q3 else "B" if own > q2 else "C" if own > q1 else "D"
    region, england = (
        next(
            r["rate_per_10000"]
            for r in rows(CLA)
            if r["time_period"] == "2022"
            and r["population_type"] == IN_CARE
            and r["geographic_level"] == level
            and r["region_name"] == name
        )
        for level, name in (("Regional", "West Midlands"), ("National", ""))
    )
    return {
        "own": own,
        "region": region,
        "england": england,
        "median": statistics.median(values),
        "mean": statistics.mean(values),
        "rank": 1 + sum(1 for v in numbers if v > own),
        "of": len(numbers),
        "joint": sum(1 for v in numbers if v == own) > 1,
        "band": band,
        "neighbours": {code: la[code] for code in codes},
    }


def test_the_page_shows_sandwell_s_2022_position_as_the_files_give_it(demo, viewer_client):
    expected = expected_2022()
    assert expected["own"] == 99
    page = viewer_client.get(URL).content.decode()
    # The seed report's own comparison stays.
    seed = text_of(page[page.index("Comparison with statistical neighbours") :])
    assert "March 2022 Sandwell rate per 10,000 101.7" in seed
    assert "Statistical neighbour average (5 authorities) 102.6" in seed
    row = re.search(r'data-standing="CICR">(.*?)</tr>', page, re.S)
    assert row, "no row for the children-in-care rate"
    facts = {
        name: text_of(cell)
        for name, cell in re.findall(r'data-fact="(\w+)">(.*?)</td>', row[1], re.S)
    }
    joint = "joint " if expected["joint"] else ""
    rank = int(str(expected["rank"]))
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    quarter = {"A": "highest", "B": "second-highest", "C": "second-lowest", "D": "lowest"}
    assert facts == {
        "own": "99",
        "median": f"{expected['median']}",
        "mean": f"{expected['mean']:.1f}",
        "region": f"West Midlands: {expected['region']}",
        "england": str(expected["england"]),
        "rank": f"{joint}{rank}{suffix} highest of {expected['of']} authorities with a figure",
        "band": f"{expected['band']} (the {quarter[str(expected['band'])]} quarter)",
    }
    assert "2022 (Mar-22)" in text_of(row[1])
    # The workforce KPIs mapped in the demo have their rows too, at September 2021.
    assert 'data-standing="13"' in page
    assert 'data-standing="14"' in page


def test_the_workbook_shows_the_same_numbers_and_every_neighbour(demo, manager_client):
    expected = expected_2022()
    book = openpyxl.load_workbook(
        io.BytesIO(manager_client.get("/reports/2022-23/q1/report.xlsx").content)
    )
    sheet = book["Benchmarks"]
    rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    assert ("Sandwell rate per 10,000", 101.7) in [row[:2] for row in rows]
    cicr = next(row for row in rows if str(row[0]).startswith("KPI CICR:"))
    own, median, mean, region, england, rank, band = cicr[2:9]
    assert (own, median, region, england) == (
        99,
        float(expected["median"]),
        float(str(expected["region"])),
        float(str(expected["england"])),
    )
    assert mean == pytest.approx(float(expected["mean"]), abs=0.05)
    assert f"{expected['rank']}" in rank
    assert f"highest of {expected['of']} authorities with a figure" in rank
    assert band.startswith(f"{expected['band']} (")
    neighbours = book["Statistical neighbours"]
    listed = {
        row[4]: row for row in neighbours.iter_rows(min_row=2, values_only=True) if row[0] == "CICR"
    }
    assert set(listed) == set(expected["neighbours"])  # DfE's ten, every one
    for code, published in expected["neighbours"].items():
        row = listed[code]
        assert row[2] == "2022 (Mar-22)"
        assert "Children looked after" in row[8]
        if NUMBER.match(published):
            assert Decimal(str(row[6])) == Decimal(published), code
        else:
            assert row[6] == published, code  # the symbol, never zero
            assert row[7], code  # with its meaning


def test_a_suppressed_neighbour_is_its_symbol_with_its_meaning_and_left_out(
    demo, manager_client, viewer_client
):
    """Wolverhampton (336), Sandwell's closest neighbour, suppressed for 2022: the report
    shows "c" with its meaning, and the median and mean are of the other nine, said so."""
    value = PublishedValue.objects.get(
        geography__code="336", time_period="2022", mapping__kpi__ref="CICR"
    )
    value.value, value.symbol = None, "c"
    value.save()
    report = QuarterReport.objects.get()
    content = assemble.build(report)  # as a draft would show it today
    (row,) = [s for s in content.standings if s.ref == "CICR"]
    la = rates("2022")
    nine = [Decimal(la[c]) for c in neighbours_in(SN_2021, "333") if c != "336"]
    assert row.median.value == statistics.median(nine)
    assert row.mean.value == statistics.mean(nine)
    assert (row.counted, row.neighbours_total) == (9, 10)
    assert row.left_out == "Wolverhampton (c: suppressed to protect confidentiality)"
    book = openpyxl.load_workbook(io.BytesIO(excel.render(content)))
    cells = {r[4]: r for r in book["Statistical neighbours"].iter_rows(min_row=2, values_only=True)}
    assert cells["336"][6:8] == ("c", "suppressed to protect confidentiality")
    texts = [str(c.value) for r in book["Statistical neighbours"].iter_rows() for c in r]
    assert "c: suppressed to protect confidentiality" in texts
    benchmarks = " ".join(str(c.value) for r in book["Benchmarks"].iter_rows() for c in r)
    assert "computed from 9 of the 10; left out: Wolverhampton (c: suppressed" in benchmarks


def test_a_report_published_before_the_published_statistics_has_no_such_rows(
    published, viewer_client
):
    snapshot = dict(QuarterReport.objects.get(pk=published.pk).snapshot or {})
    snapshot.pop("standings", None)
    QuarterReport.objects.filter(pk=published.pk).update(snapshot=snapshot)
    page = viewer_client.get(published.get_absolute_url()).content.decode()
    assert "Comparison with statistical neighbours" in page
    assert "data-standing=" not in page
