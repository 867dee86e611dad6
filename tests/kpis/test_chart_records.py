"""Change points, baseline exclusions and annotations: recorded by analysts on the KPI's
admin page, a change point approved only by a person with a reason, every change kept in
the chart's history; managers and viewers read them but cannot change them."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from kpis import chart_records, spc
from kpis.models import (
    Annotation,
    BaselineExclusion,
    ChangePoint,
    ChangePointStatus,
    ChartRecord,
    ChartRevision,
    Kpi,
)
from kpis.polarity import Polarity
from kpis.units import Unit

pytestmark = pytest.mark.django_db

APRIL = dt.date(2022, 4, 1)


def kpi_page(client: Client, kpi: Kpi) -> tuple[str, dict[str, Any]]:
    """The KPI's admin page and the data its form would post back unchanged."""
    url = f"/admin/kpis/kpi/{kpi.pk}/change/"
    response = client.get(url)
    assert response.status_code == 200
    data: dict[str, Any] = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form.initial.get(name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        prefix = formset.prefix
        data |= {
            f"{prefix}-TOTAL_FORMS": str(formset.initial_form_count()),
            f"{prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
        for i, row in enumerate(formset.initial_forms):
            for name in row.fields:
                value = row[name].value()
                if value not in (None, False):
                    data[f"{prefix}-{i}-{name}"] = "on" if value is True else value
    return url, data


def add_row(data: dict[str, Any], prefix: str, **fields: str) -> dict[str, Any]:
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    data |= {f"{prefix}-{index}-{name}": value for name, value in fields.items()}
    return data


@pytest.fixture
def mash(demo_kpis) -> Kpi:
    return Kpi.objects.get(ref="1")


def test_an_analyst_records_a_change_point_then_approves_it_with_a_reason(
    analyst_client, analyst, mash
):
    url, data = kpi_page(analyst_client, mash)
    add_row(
        data,
        "change_points",
        month="2022-04-01",
        reason="new definition from April 2022",
        status="proposed",
    )
    response = analyst_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    point = ChangePoint.objects.get(kpi=mash)
    assert (point.status, point.proposed_by, point.decided_by) == ("proposed", analyst, None)

    url, data = kpi_page(analyst_client, mash)
    data["change_points-0-status"] = ChangePointStatus.APPROVED
    data["change_points-0-decision_reason"] = "the MASH counts from the new front door"
    response = analyst_client.post(url, data)
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.is_approved
    assert point.decided_by == analyst
    assert point.decided_at is not None
    history = list(ChartRevision.objects.filter(kpi=mash).order_by("id"))
    assert [(h.record, h.action, h.changed_by) for h in history] == [
        (ChartRecord.CHANGE_POINT, "created", analyst),
        (ChartRecord.CHANGE_POINT, "changed", analyst),
    ]
    assert history[0].reason == "new definition from April 2022"
    assert "status: Proposed → Approved" in history[1].summary
    assert history[1].reason == "the MASH counts from the new front door"
    page = analyst_client.get(url).content.decode()
    assert "the MASH counts from the new front door" in page  # the chart history on the page
    assert f"approved by {analyst}" in page


def test_approving_without_a_reason_is_refused_naming_the_field(analyst_client, mash):
    url, data = kpi_page(analyst_client, mash)
    add_row(data, "change_points", month="2022-04-01", reason="new duty system", status="approved")
    response = analyst_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][3].formset.errors
    assert errors == [{"decision_reason": ["Say why you approve this change point; it is kept."]}]
    assert not ChangePoint.objects.exists()
    assert not ChartRevision.objects.exists()


def test_exclusions_and_annotations_are_kept_with_who_and_their_history(
    analyst_client, analyst, mash
):
    url, data = kpi_page(analyst_client, mash)
    add_row(data, "baseline_exclusions", month="2021-06-01", reason="case system outage")
    add_row(data, "annotations", date="2022-03-14", text="Ofsted visit")
    assert analyst_client.post(url, data).status_code == 302
    exclusion = BaselineExclusion.objects.get(kpi=mash)
    annotation = Annotation.objects.get(kpi=mash)
    assert (exclusion.excluded_by, annotation.added_by) == (analyst, analyst)
    assert annotation.month == dt.date(2022, 3, 1)

    url, data = kpi_page(analyst_client, mash)
    data["annotations-0-text"] = "Ofsted focused visit"
    data["baseline_exclusions-0-DELETE"] = "on"
    assert analyst_client.post(url, data).status_code == 302
    assert not BaselineExclusion.objects.exists()
    summaries = list(ChartRevision.objects.order_by("id").values_list("action", "summary"))
    assert ("changed", "text: “Ofsted visit” → “Ofsted focused visit”") in summaries
    deleted = ChartRevision.objects.get(action="deleted")
    assert deleted.record == ChartRecord.BASELINE_EXCLUSION
    assert deleted.reason == "case system outage"  # kept after the record is gone
    assert deleted.summary.startswith("deleted: month: June 2021")


def test_the_inline_inputs_are_labelled_for_screen_readers(analyst_client, mash):
    ChangePoint.objects.create(kpi=mash, month=APRIL, reason="new definition")
    page = analyst_client.get(f"/admin/kpis/kpi/{mash.pk}/change/").content.decode()
    assert 'aria-label="From month (change point 1)"' in page
    assert 'aria-label="Reason for approving or rejecting (change point 1)"' in page


def test_a_manager_reads_change_points_but_cannot_add_or_change_them(manager_client, mash):
    ChangePoint.objects.create(kpi=mash, month=APRIL, reason="new definition")
    url = f"/admin/kpis/kpi/{mash.pk}/change/"
    response = manager_client.get(url)
    assert response.status_code == 200
    assert "new definition" in response.content.decode()
    assert manager_client.get("/admin/kpis/changepoint/add/").status_code == 403
    point = ChangePoint.objects.get()
    change = f"/admin/kpis/changepoint/{point.pk}/change/"
    manager_client.post(change, {"status": "approved", "decision_reason": "looks right"})
    point.refresh_from_db()
    assert point.status == "proposed"
    assert not ChartRevision.objects.exists()
    assert manager_client.get("/admin/kpis/chartrevision/").status_code == 200


def test_a_viewer_cannot_reach_the_change_points(viewer_client, mash):
    response = viewer_client.get("/admin/kpis/changepoint/")
    assert response.status_code in (302, 403)


def test_an_analyst_approves_a_proposal_on_the_list_of_change_points(analyst_client, analyst, mash):
    proposal = chart_records.propose(kpi=mash, month=APRIL, reason="8 figures above the mean")
    assert proposal is not None
    listing = analyst_client.get("/admin/kpis/changepoint/?status__exact=proposed")
    assert "8 figures above the mean" in listing.content.decode()
    url = f"/admin/kpis/changepoint/{proposal.pk}/change/"
    response = analyst_client.post(
        url,
        {
            "reason": "8 figures above the mean",
            "status": "approved",
            "decision_reason": "the new referral form is permanent",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.proposed_by) == (
        "approved",
        analyst,
        None,
    )
    assert analyst_client.get("/admin/kpis/chartrevision/add/").status_code == 403


# ---------------------------------------------------------------------------------------
# The service


def test_the_portal_only_proposes_and_never_twice(mash, analyst):
    proposal = chart_records.propose(kpi=mash, month=dt.date(2022, 4, 9), reason="a shift")
    assert proposal is not None
    assert (proposal.month, proposal.status, proposal.proposed_by) == (APRIL, "proposed", None)
    assert ChartRevision.objects.get().changed_by is None  # the portal
    chart_records.reject(change_point=proposal, by=analyst, reason="a one-off campaign")
    assert chart_records.propose(kpi=mash, month=APRIL, reason="a shift") is None
    assert ChangePoint.objects.get().status == "rejected"


def test_no_change_point_is_approved_without_a_person(mash):
    proposal = chart_records.propose(kpi=mash, month=APRIL, reason="a shift")
    assert proposal is not None
    with pytest.raises(ValueError, match="Only a person"):
        chart_records.approve(change_point=proposal, by=None, reason="automatic")
    assert ChangePoint.objects.get().status == "proposed"


def test_an_approval_without_a_reason_is_refused(mash, analyst):
    proposal = chart_records.propose(kpi=mash, month=APRIL, reason="a shift")
    assert proposal is not None
    with pytest.raises(ValidationError, match="Say why you approve"):
        chart_records.approve(change_point=proposal, by=analyst, reason=" ")
    assert ChangePoint.objects.get().status == "proposed"
    assert ChartRevision.objects.count() == 1  # the proposal only


def test_the_database_refuses_an_approval_without_when_and_why(mash):
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangePoint.objects.create(kpi=mash, month=APRIL, reason="x", status="approved")


def test_an_unchanged_save_writes_no_history(mash, analyst):
    point = chart_records.save(record=ChangePoint(kpi=mash, month=APRIL, reason="x"), by=analyst)
    chart_records.save(record=point, by=analyst)
    assert ChartRevision.objects.count() == 1


def test_records_become_the_analysis_segments_and_exclusions(mash, analyst):
    months = [dt.date(2021, m, 1) for m in range(4, 13)] + [dt.date(2022, m, 1) for m in (1, 2, 3)]
    quarterly = months[2::3]  # June, September, December, March
    approved = ChangePoint(kpi=mash, month=dt.date(2021, 11, 1), reason="new definition")
    approved.status = ChangePointStatus.APPROVED
    proposed = ChangePoint(kpi=mash, month=dt.date(2021, 8, 1), reason="a shift")
    outside = ChangePoint(kpi=mash, month=dt.date(2023, 1, 1), reason="later", status="approved")
    exclusion = BaselineExclusion(kpi=mash, month=dt.date(2021, 9, 1), reason="outage")
    starts, excluded = chart_records.segmentation(
        months=quarterly, change_points=[approved, proposed, outside], exclusions=[exclusion]
    )
    # November's change starts with December, the next month the KPI is due; the proposal
    # and a change beyond the series are left out.
    assert starts == [spc.ChangePoint(2, "November 2021 (new definition)")]
    assert excluded == [spc.Exclusion(1, "outage")]


# ---------------------------------------------------------------------------------------
# The KPI's chart kind and baseline length


def test_a_p_chart_needs_a_percentage_with_numerator_and_denominator(mash):
    mash.chart = spc.Chart.P
    assert mash.unit == Unit.PERCENT
    mash.uses_fraction = False
    with pytest.raises(ValidationError) as refused:
        mash.full_clean()
    assert "A p-chart is for a percentage that records numerator and denominator" in str(
        refused.value.message_dict["chart"]
    )
    mash.uses_fraction = True
    mash.full_clean()


def test_a_kpis_baseline_length_is_at_least_twelve(mash):
    assert mash.spc_baseline == spc.BASELINE
    mash.baseline_length = 11
    with pytest.raises(ValidationError) as refused:
        mash.full_clean()
    assert "baseline_length" in refused.value.message_dict
    mash.baseline_length = 24
    mash.full_clean()
    assert mash.spc_baseline == 24


def test_the_admin_refuses_a_p_chart_for_a_count(analyst_client, demo_kpis):
    kpi = Kpi.objects.get(ref="5")
    url, data = kpi_page(analyst_client, kpi)
    data["chart"] = spc.Chart.P
    response = analyst_client.post(url, data)
    assert response.status_code == 200
    assert "chart" in response.context["adminform"].form.errors
    kpi.refresh_from_db()
    assert kpi.chart == spc.Chart.XMR


def test_an_approved_change_point_gives_the_kpis_figures_their_own_segments(mash, analyst):
    """From the records to the analysis, as the KPI's page will read them."""
    observations = list(mash.observations.order_by("month"))
    months = [o.month for o in observations]
    point = chart_records.save(record=ChangePoint(kpi=mash, month=months[3], reason="x"), by=None)
    assert isinstance(point, ChangePoint)
    chart_records.approve(change_point=point, by=analyst, reason="a new front door")
    starts, excluded = chart_records.segmentation(
        months=months,
        change_points=ChangePoint.objects.filter(kpi=mash),
        exclusions=BaselineExclusion.objects.filter(kpi=mash),
    )
    analysis = spc.analyse(
        [Decimal(o.value) for o in observations],
        polarity=Polarity.HIGHER,
        change_points=starts,
        excluded=excluded,
    )
    assert [s.start for s in analysis.segments] == [0, 3]
    # 12 figures since July 2021: too few for SPC yet, and said so.
    assert analysis.variation_sentence.startswith(
        "Too few figures for SPC with limits from July 2021 (x)"
    )
