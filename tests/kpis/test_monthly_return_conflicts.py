"""No lost updates: when two analysts edit the same month, the second to save is shown what
changed under them and decides, figure by figure; nothing is silently overwritten."""

from decimal import Decimal
from html import unescape

import pytest

from kpis.models import Observation, ObservationRevision
from sct_portal.roles import ANALYST
from tests.conftest import client_for, make_user
from tests.kpis.test_monthly_return import URL, post_data
from tests.recording import delete

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(db):
    return make_user("col.league", ANALYST, staff=True)


def save_as(user, ref: str, value: str, reason: str = "") -> None:
    """Another analyst changes a figure (through the same monthly return)."""
    client = client_for(user)
    data = post_data(client.get(f"{URL}?month=2022-06"), **{ref: {"value": value}})
    data["reason"] = reason
    assert client.post(URL, data).status_code == 302


def figure(ref: str) -> Decimal | None:
    return Observation.objects.get(kpi__ref=ref, month="2022-06-01").value


def test_a_figure_changed_under_an_analyst_is_shown_to_them_and_not_overwritten(
    analyst_client, colleague, demo_kpis
):
    opened = analyst_client.get(f"{URL}?month=2022-06")  # Ann opens the return …
    save_as(colleague, "1", "76.0", reason="MASH recount")  # … her colleague saves first
    mine = post_data(opened, **{"1": {"value": "75.0"}, "2": {"value": "45.6"}})
    response = analyst_client.post(URL, mine)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Changed while you were editing:" in html
    assert "col.league 74.9% → 76.0%" in html
    assert "MASH recount" in html
    assert "It is now 76.0%; you entered 75.0%." in html
    assert "Keep theirs: 76.0%" in html
    assert "Use mine: 75.0" in html
    # Nothing of Ann's return was saved: not the conflicting row, not the other one.
    assert figure("1") == Decimal("76.0")
    assert figure("2") == Decimal("45.5")


def test_choosing_mine_saves_mine_over_theirs_with_both_in_the_history(
    analyst_client, analyst, colleague, demo_kpis
):
    opened = analyst_client.get(f"{URL}?month=2022-06")
    save_as(colleague, "1", "76.0")
    shown_again = analyst_client.post(URL, post_data(opened, **{"1": {"value": "75.0"}}))
    row = next(r for r in shown_again.context["sheet"].rows if r.kpi.ref == "1")
    decided = dict(shown_again.context["sheet"].data.items())
    decided[row.form["resolution"].html_name] = "mine"
    assert analyst_client.post(URL, decided).status_code == 302
    assert figure("1") == Decimal("75.0")
    history = ObservationRevision.objects.filter(kpi__ref="1", month="2022-06-01").order_by("id")
    assert [(r.summary, r.changed_by) for r in history][-2:] == [
        ("74.9% → 76.0%", colleague),
        ("76.0% → 75.0%", analyst),
    ]


def test_choosing_theirs_keeps_theirs_and_saves_the_rest(analyst_client, colleague, demo_kpis):
    opened = analyst_client.get(f"{URL}?month=2022-06")
    save_as(colleague, "1", "76.0")
    mine = post_data(opened, **{"1": {"value": "75.0"}, "2": {"value": "45.6"}})
    shown_again = analyst_client.post(URL, mine)
    row = next(r for r in shown_again.context["sheet"].rows if r.kpi.ref == "1")
    decided = dict(shown_again.context["sheet"].data.items())
    decided[row.form["resolution"].html_name] = "theirs"
    response = analyst_client.post(URL, decided, follow=True)
    assert figure("1") == Decimal("76.0")
    assert figure("2") == Decimal("45.6")
    assert "Kept another analyst's figure for KPI 1" in unescape(response.content.decode())


def test_a_decision_is_required_before_saving(analyst_client, colleague, demo_kpis):
    opened = analyst_client.get(f"{URL}?month=2022-06")
    save_as(colleague, "1", "76.0")
    shown_again = analyst_client.post(URL, post_data(opened, **{"1": {"value": "75.0"}}))
    undecided = dict(shown_again.context["sheet"].data.items())
    response = analyst_client.post(URL, undecided)
    assert "KPI 1: choose whether to keep their figure or use yours." in response.content.decode()
    assert figure("1") == Decimal("76.0")


def test_a_second_change_while_deciding_is_shown_again(analyst_client, colleague, demo_kpis):
    opened = analyst_client.get(f"{URL}?month=2022-06")
    save_as(colleague, "1", "76.0")
    shown_again = analyst_client.post(URL, post_data(opened, **{"1": {"value": "75.0"}}))
    save_as(colleague, "1", "77.0")
    row = next(r for r in shown_again.context["sheet"].rows if r.kpi.ref == "1")
    decided = dict(shown_again.context["sheet"].data.items())
    decided[row.form["resolution"].html_name] = "mine"
    response = analyst_client.post(URL, decided)
    assert response.status_code == 200
    assert "It is now 77.0%; you entered 75.0%." in response.content.decode()
    assert figure("1") == Decimal("77.0")


def test_a_row_left_alone_keeps_the_other_analysts_figure_without_asking(
    analyst_client, colleague, demo_kpis
):
    opened = analyst_client.get(f"{URL}?month=2022-06")
    save_as(colleague, "1", "76.0")
    response = analyst_client.post(URL, post_data(opened, **{"2": {"value": "45.6"}}), follow=True)
    assert figure("1") == Decimal("76.0")  # Ann's stale 74.9 did not overwrite it
    assert figure("2") == Decimal("45.6")
    assert "Kept another analyst's figure for KPI 1" in unescape(response.content.decode())


def test_the_same_figure_entered_by_both_is_no_conflict(analyst_client, colleague, demo_kpis):
    opened = analyst_client.get(f"{URL}?month=2022-06")
    save_as(colleague, "1", "76.0")
    response = analyst_client.post(URL, post_data(opened, **{"1": {"value": "76.0"}}))
    assert response.status_code == 302
    assert ObservationRevision.objects.filter(kpi__ref="1", new_value=Decimal("76.0")).count() == 1


def test_a_figure_added_by_another_analyst_is_a_conflict_too(analyst_client, colleague, demo_kpis):
    delete("3", "2022-06-01")
    opened = analyst_client.get(f"{URL}?month=2022-06")
    save_as(colleague, "3", "59.0")
    response = analyst_client.post(URL, post_data(opened, **{"3": {"value": "60.0"}}))
    assert "It is now 59.0%; you entered 60.0%." in response.content.decode()
    assert figure("3") == Decimal("59.0")
