"""SPC as the KPI page, the report and its workbook show it: baselines from the change points a
person approved, figures left out of a baseline, dated events, the portal's proposals (never
applied by themselves) and the p-chart of the demo's ICPC KPI."""

import datetime as dt
import io
import itertools
import re
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from kpis import chart_records, spc
from kpis.models import (
    Annotation,
    BaselineExclusion,
    ChangePoint,
    ChangePointStatus,
    ChartRevision,
    Kpi,
)
from reports import assemble, workflow
from sct_portal import periods
from sct_portal.periods import Quarter
from tests.kpis.test_kpi_detail import chart, figures_table, text
from tests.recording import delete, record

pytestmark = pytest.mark.django_db

APRIL_2021 = dt.date(2021, 4, 1)
# Thirteen months before the seed's first (Mar-20 … Mar-21), on a lower level: the old
# definition's process.
EARLIER = [periods.add_months(APRIL_2021, -13 + i) for i in range(13)]
EARLIER_VALUES = ["60.1", "62.4", "58.8", "61.0", "63.2", "59.5", "60.7", "62.9", "57.6", "61.8",
                  "60.3", "59.9", "59.8"]  # fmt: skip


@pytest.fixture
def mash(demo_kpis) -> Kpi:
    kpi = Kpi.objects.get(ref="1")
    for month, value in zip(EARLIER, EARLIER_VALUES, strict=True):
        record(kpi, month, value)
    return kpi


def change_point(kpi: Kpi, month: dt.date, reason: str, *, by: Any = None) -> ChangePoint:
    found = chart_records.save(record=ChangePoint(kpi=kpi, month=month, reason=reason), by=by)
    assert isinstance(found, ChangePoint)
    return found


def page_of(client: Any, kpi: Kpi) -> str:
    response = client.get(f"/kpis/{kpi.ref}/")
    assert response.status_code == 200
    return str(response.content.decode())


def test_a_proposed_change_point_does_not_rebase(mash, analyst, manager_client):
    change_point(mash, APRIL_2021, "new definition from April 2021", by=analyst)
    data = chart(page_of(manager_client, mash))
    assert [s["label"] for s in data["segments"]] == ["From Mar-20"]
    assert data["changes"] == []


def test_an_approved_change_point_gives_two_baselines_each_with_its_own_limits(
    mash, analyst, manager_client
):
    point = change_point(mash, APRIL_2021, "new definition from April 2021", by=analyst)
    chart_records.approve(change_point=point, by=analyst, reason="the DfE definition changed")
    page = page_of(manager_client, mash)
    data = chart(page)
    first, second = data["segments"]
    assert first["label"] == "From Mar-20"
    assert second["label"] == "From Apr-21: new definition from April 2021"
    # Each is drawn over its own months only, with its own mean.
    assert first["mean"][:13] == [first["mean"][0]] * 13
    assert first["mean"][13:] == [None] * 15
    assert second["mean"][:13] == [None] * 13
    assert round(first["mean"][0], 1) == 60.7  # its first 12 figures
    assert round(second["mean"][13], 1) == 81.4
    assert data["changes"] == [
        {"index": 13, "label": "Apr-21", "text": "From Apr-21: new definition from April 2021"}
    ]
    words = text(page)
    assert "Limits from April 2021 (new definition from April 2021). Mean 81.4%;" in words
    assert "from the first 12 figures since then." in words
    rows = figures_table(page)
    june, april, march = rows[0], rows[14], rows[15]
    assert june.endswith("From Apr-21: new definition from April 2021")
    assert april.endswith("From Apr-21: new definition from April 2021; in the baseline")
    assert march.startswith("Mar-21 59.8%")
    assert march.endswith("No 60.7% 53.7% to 67.6% From Mar-20")  # 13th: not in the baseline
    assert rows[16].endswith("From Mar-20; in the baseline")
    assert "81.4%" in june  # each row's own mean
    assert "60.7%" in march


def test_a_figure_left_out_of_the_baseline_is_marked_and_still_drawn(mash, analyst, manager_client):
    before = chart(page_of(manager_client, mash))["segments"][0]["mean"][0]
    chart_records.save(
        record=BaselineExclusion(kpi=mash, month=dt.date(2020, 8, 1), reason="system outage"),
        by=analyst,
    )
    page = page_of(manager_client, mash)
    data = chart(page)
    assert data["excluded"] == [5]
    assert data["values"][5] == pytest.approx(59.5)
    assert data["segments"][0]["mean"][0] != before
    august = next(row for row in figures_table(page) if row.startswith("Aug-20"))
    assert august.endswith("From Mar-20; left out of the baseline: system outage")
    assert "left out of the baseline: Aug-20 (system outage)" in text(page)


def test_an_annotation_is_on_the_chart_in_the_table_and_in_the_list(mash, analyst, manager_client):
    chart_records.save(
        record=Annotation(kpi=mash, date=dt.date(2022, 5, 12), text="Ofsted visit"), by=analyst
    )
    page = page_of(manager_client, mash)
    data = chart(page)
    may = data["labels"].index("May-22")
    assert data["annotations"] == [{"index": may, "label": "12 May 2022", "text": "Ofsted visit"}]
    row = next(row for row in figures_table(page) if row.startswith("May-22"))
    assert row.endswith("Event, 12 May 2022: Ofsted visit")
    assert "12 May 2022: Ofsted visit" in text(page.split('id="spc-events"')[1])


# ---------------------------------------------------------------------------------------
# Proposals: shown to analysts, applied only when a person approves with a reason

SHIFT = [periods.add_months(dt.date(2022, 7, 1), i) for i in range(7)]  # Jul-22 … Jan-23


@pytest.fixture
def shifted(demo_kpis) -> Kpi:
    """KPI 1 with seven figures after June 2022 all above its mean of 81.4%."""
    kpi = Kpi.objects.get(ref="1")
    for month in SHIFT:
        record(kpi, month, "95.0")
    return kpi


def test_the_portal_proposes_a_rebase_after_a_sustained_shift(shifted, analyst_client):
    page = page_of(analyst_client, shifted)
    words = text(page)
    assert (
        f"Proposed change point from July 2022: {spc.SUSTAINED_SHIFT} figures in a row above the "
        "mean of 81.4%, from this month to the latest: a sustained shift."
    ) in words
    assert "Approve the change point from July 2022" in words
    assert ChangePoint.objects.count() == 0  # proposing writes nothing
    assert len(chart(page)["segments"]) == 1  # and never rebases


def test_only_those_who_may_approve_see_the_form(shifted, manager_client):
    assert "Approve the change point" not in page_of(manager_client, shifted)
    response = manager_client.post(
        f"/kpis/{shifted.ref}/change-points/",
        {"month": "2022-07-01", "why": "x", "reason": "a manager's view"},
    )
    assert response.status_code == 403
    assert ChangePoint.objects.count() == 0


def test_approving_without_a_reason_is_refused_with_the_field_marked(shifted, analyst_client):
    response = analyst_client.post(
        f"/kpis/{shifted.ref}/change-points/",
        {"month": "2022-07-01", "why": "seven above the mean", "reason": "  "},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#approve-reason-1">Say why you approve this change point; it is kept.' in page
    assert "govuk-form-group--error" in page
    assert 'aria-describedby="approve-reason-1-hint approve-reason-1-error"' in page
    assert ChangePoint.objects.count() == 0
    assert ChartRevision.objects.count() == 0
    assert len(chart(page)["segments"]) == 1


def test_approving_with_a_reason_rebases_and_keeps_both_steps(shifted, analyst, analyst_client):
    proposal = "7 figures in a row above the mean of 81.4%: a sustained shift."
    response = analyst_client.post(
        f"/kpis/{shifted.ref}/change-points/",
        {"month": "2022-07-01", "why": proposal, "reason": "new duty system from July 2022"},
    )
    assert response.status_code == 302
    point = ChangePoint.objects.get(kpi=shifted)
    assert (point.month, point.status) == (dt.date(2022, 7, 1), ChangePointStatus.APPROVED)
    assert point.proposed_by is None  # the portal proposed it
    assert point.decided_by == analyst
    assert point.reason == "new duty system from July 2022"
    history = list(ChartRevision.objects.filter(kpi=shifted).order_by("changed_at", "id"))
    assert [(h.changed_by, h.reason) for h in history] == [
        (None, proposal),
        (analyst, "new duty system from July 2022"),
    ]
    page = page_of(analyst_client, shifted)
    assert [s["label"] for s in chart(page)["segments"]] == ["From Apr-21"]  # 7: too few
    words = text(page)
    assert "Proposed change point" not in words
    assert (
        "Too few figures for SPC with limits from July 2022 (new duty system from July 2022)"
    ) in words
    assert "too few figures for SPC yet (7 of the 13 needed)" in words
    january = figures_table(page)[0]
    assert january.endswith("From Jul-22: new duty system from July 2022")  # no limits yet


# ---------------------------------------------------------------------------------------
# The p-chart of the demo's ICPC KPI


def limits_in_table(row: str) -> tuple[str, str, int]:
    found = re.search(r"(\d+\.\d%) to (\d+\.\d%) for a base of (\d+)", row)
    assert found, row
    return found[1], found[2], int(found[3])


def test_the_icpc_kpi_is_a_p_chart_whose_limits_follow_each_months_base(manager_client, demo_kpis):
    kpi = Kpi.objects.get(ref="3")
    assert kpi.chart == spc.Chart.P
    page = page_of(manager_client, kpi)
    data = chart(page)
    assert data["chart"] == "p"
    (segment,) = data["segments"]
    assert len(set(segment["mean"])) == 1
    assert len(set(segment["upper"])) > 5  # each month its own limits
    rows = {row.split(" ", 1)[0]: row for row in figures_table(page)}
    assert "26 of 44" in rows["Jun-22"]
    # A small base, wide limits: December's 22 conferences against February's 50.
    december, february = limits_in_table(rows["Dec-21"]), limits_in_table(rows["Feb-22"])
    assert (december[2], february[2]) == (22, 50)
    assert Decimal(december[0][:-1]) < Decimal(february[0][:-1])
    # The chart and its table agree, month by month.
    for index, label in enumerate(data["labels"]):
        lower, upper, _ = limits_in_table(rows[label])
        assert kpi.format(Decimal(str(segment["lower"][index]))) == lower, label
        assert kpi.format(Decimal(str(segment["upper"][index]))) == upper, label
    assert "the process limits vary with each month's base" in text(page)


def test_a_p_chart_limit_beyond_100_percent_is_clipped_and_says_so(manager_client, demo_kpis):
    kpi = Kpi.objects.get(ref="3")
    page = page_of(manager_client, kpi)
    november = next(row for row in figures_table(page) if row.startswith("Nov-21"))
    assert re.search(r"to 100\.0% for a base of 31 \(upper clipped from 1\d\d\.\d%\)", november)
    assert max(max(s["upper"]) for s in chart(page)["segments"]) == 100.0
    assert chart(page)["axis"]["max"] == 100.0


def test_a_month_without_a_figure_breaks_the_moving_range(manager_client, demo_kpis):
    kpi = Kpi.objects.get(ref="1")
    delete(kpi, dt.date(2021, 10, 1))
    values = {o.month: Decimal(o.value) for o in kpi.observations.all() if o.value is not None}
    months = sorted(values)[:12]  # the baseline: the first 12 figures, October missing
    ranges = [
        abs(values[b] - values[a])
        for a, b in itertools.pairwise(months)
        if periods.months_apart(a, b) == 1
    ]
    assert len(ranges) == 10  # none across the gap (11 if it were bridged)
    mean = sum((values[m] for m in months), Decimal(0)) / 12
    lower = mean - spc.LIMIT_FACTOR * sum(ranges, Decimal(0)) / len(ranges)
    page = page_of(manager_client, kpi)
    data = chart(page)
    october = data["labels"].index("Oct-21")
    assert data["values"][october] is None
    assert data["segments"][0]["lower"][0] == pytest.approx(float(lower))
    assert next(r for r in figures_table(page) if r.startswith("Oct-21")).startswith(
        "Oct-21 no data"
    )


# ---------------------------------------------------------------------------------------
# The report and its workbook


def test_the_report_and_workbook_say_which_baseline_applies_and_carry_events(
    mash, analyst, manager_client
):
    point = change_point(mash, APRIL_2021, "new definition from April 2021", by=analyst)
    chart_records.approve(change_point=point, by=analyst, reason="the DfE definition changed")
    chart_records.save(
        record=Annotation(kpi=mash, date=dt.date(2022, 6, 14), text="Ofsted visit"), by=analyst
    )
    report = workflow.start_report(quarter=Quarter.of(dt.date(2022, 6, 1)), by=analyst)
    line = (
        "Limits from April 2021 (new definition from April 2021). "
        "Event: 14 June 2022: Ofsted visit."
    )
    page = text(manager_client.get("/reports/2022-23/q1/").content.decode())
    assert f"KPI 1 ({mash.description}): {line}" in page
    assert "The SPC limits of every other KPI come from its first figures" in page
    workbook = openpyxl.load_workbook(
        io.BytesIO(manager_client.get("/reports/2022-23/q1/report.xlsx").content)
    )
    cells = [c.value for row in workbook["KPIs"].iter_rows() for c in row if c.value]
    at = cells.index("SPC baselines and events")
    assert cells[at + 1 : at + 3] == ["1", line]
    # The drafted sentences name the month's event.
    drafts = [d.text for d in assemble.build(report).drafts if d.ref == "1"]
    assert any("an event is dated then: Ofsted visit (14 June 2022)." in d for d in drafts)
