"""A figure edited in the admin goes through the write path: its checks, and no lost update."""

from decimal import Decimal
from html import unescape

import pytest

from kpis.models import Observation, ObservationRevision
from sct_portal.roles import ANALYST
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def june(ref="1"):
    return Observation.objects.get(kpi__ref=ref, month="2022-06-01")


def form_data(client, observation, **changes):
    page = client.get(f"/admin/kpis/observation/{observation.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in ("figure", "note", "seen_version")}
    data["change_reason"] = ""
    data.update(changes)
    return data


def test_two_analysts_saving_the_same_figure_the_later_is_refused_with_both_versions(
    demo_kpis, analyst
):
    first, second = client_for(analyst), client_for(make_user("bo.analyst", ANALYST, staff=True))
    url = f"/admin/kpis/observation/{june().pk}/change/"
    mine = form_data(first, june(), figure="75.5")
    theirs = form_data(second, june(), figure="76.0")
    assert first.post(url, mine).status_code == 302
    refused = second.post(url, theirs)
    assert refused.status_code == 200
    html = unescape(refused.content.decode())
    assert "someone else changed this figure after you opened it by ann.analyst" in html
    assert "Theirs: 75.5% (version 2). Yours: 76.0%, not saved." in html
    assert june().value == Decimal("75.5")
    # Saving again, having seen theirs, is a decision: it stands.
    again = refused.context["adminform"].form.data.copy()
    assert second.post(url, again).status_code == 302
    assert june().value == Decimal("76.0")
    assert ObservationRevision.objects.filter(kpi__ref="1", month="2022-06-01").count() == 3


def test_the_admin_takes_a_symbol_and_checks_as_the_return_does(demo_kpis, analyst):
    client = client_for(analyst)
    url = f"/admin/kpis/observation/{june('5').pk}/change/"
    response = client.post(url, form_data(client, june("5"), figure="c", change_reason="small"))
    assert response.status_code == 302
    assert (june("5").value, june("5").symbol) == (None, "c")
    response = client.post(url, form_data(client, june("5"), figure="900"))
    html = unescape(response.content.decode())
    assert "900 is outside the range of the last 12 figures" in html
    assert june("5").symbol == "c"
