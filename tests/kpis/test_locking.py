"""Closed months: a figure in one changes only with the permission to amend closed periods
and a reason, whichever way it is changed (shell, admin, monthly return, import), and the
history keeps both."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import CommandError, call_command
from django.db import NotSupportedError

from kpis import figures, imports, locking
from kpis.models import ClosedMonth, Observation, ObservationRevision
from sct_portal.roles import ANALYST
from tests.conftest import client_for, make_user
from tests.kpis.test_monthly_return import URL as RETURN_URL
from tests.kpis.test_monthly_return import post_data

pytestmark = pytest.mark.django_db

JUNE = dt.date(2022, 6, 1)
PUBLISHED = "Q1 2022/23 report published"


@pytest.fixture
def closed_june(demo_kpis, manager) -> ClosedMonth:
    return locking.close_months(months=[JUNE], by=manager, reason=PUBLISHED)[0]


def june(ref: str = "1") -> Observation:
    return Observation.objects.select_related("kpi").get(kpi__ref=ref, month=JUNE)


def change(figure: Observation, value: str, *, by, reason: str = "") -> None:
    figures.record_figure(
        kpi=figure.kpi,
        month=figure.month,
        value=Decimal(value),
        by=by,
        source=figures.Source.ADMIN,
        reason=reason,
        confirmed=True,
    )


def refusal(figure: Observation, value: str, *, by, reason: str = "") -> str:
    with pytest.raises(figures.Refused) as refused:
        change(figure, value, by=by, reason=reason)
    return str(refused.value)


# The service ---------------------------------------------------------------------------


def test_close_months_closes_each_month_once_and_keeps_the_first_closure(manager, analyst):
    first = locking.close_months(
        months=[dt.date(2022, 4, 1), dt.date(2022, 5, 17), JUNE], by=manager, reason=PUBLISHED
    )
    assert [c.month for c in first] == [dt.date(2022, 4, 1), dt.date(2022, 5, 1), JUNE]
    again = locking.close_months(months=[JUNE], by=analyst, reason="again")
    assert (again[0].pk, again[0].closed_by, again[0].reason) == (first[2].pk, manager, PUBLISHED)
    assert locking.is_closed(dt.date(2022, 5, 31))
    assert not locking.is_closed(dt.date(2022, 7, 1))
    assert locking.reopen_months(months=[JUNE]) == 1
    assert not locking.is_closed(JUNE)


def test_closing_months_needs_a_reason(manager):
    with pytest.raises(ValueError, match="Say why"):
        locking.close_months(months=[JUNE], by=manager, reason="  ")
    assert not ClosedMonth.objects.exists()


# The rule, in the write path ------------------------------------------------------------


def test_a_closed_month_refuses_a_change_without_the_permission(closed_june, analyst):
    assert refusal(june(), "75.0", by=analyst, reason="late return") == (
        "KPI 1, Jun-22: Jun-22 is closed (Q1 2022/23 report published); changing its figures "
        "needs the permission to amend closed periods."
    )
    assert june().value == Decimal("74.9")


def test_a_closed_month_refuses_a_change_with_the_permission_but_no_reason(
    closed_june, lead_analyst
):
    assert "give a reason for changing a figure" in refusal(
        june(), "75.0", by=lead_analyst, reason="   "
    )
    assert june().value == Decimal("74.9")


def test_a_closed_month_accepts_a_change_with_the_permission_and_a_reason_and_records_both(
    closed_june, lead_analyst
):
    change(june(), "75.0", by=lead_analyst, reason="MASH recount after publication")
    assert june().value == Decimal("75.0")
    revision = ObservationRevision.objects.latest("id")
    assert (revision.changed_by, revision.reason, revision.closed_period, revision.summary) == (
        lead_analyst,
        "MASH recount after publication",
        True,
        "74.9% → 75.0%",
    )


def test_changes_to_open_months_are_not_marked_closed(closed_june, analyst):
    figure = Observation.objects.select_related("kpi").get(kpi__ref="1", month="2022-05-01")
    change(figure, "77.7", by=analyst)
    assert not ObservationRevision.objects.latest("id").closed_period


def test_a_new_figure_or_a_deletion_in_a_closed_month_is_refused_too(closed_june):
    admin = User.objects.create_superuser("admin")
    figure = june("3")
    with pytest.raises(figures.Refused, match="Jun-22 is closed"):
        figures.delete_figure(kpi=figure.kpi, month=JUNE, by=admin, source=figures.Source.ADMIN)
    assert Observation.objects.filter(pk=figure.pk).exists()
    figures.delete_figure(
        kpi=figure.kpi, month=dt.date(2022, 5, 1), by=admin, source=figures.Source.ADMIN
    )
    locking.close_months(months=[dt.date(2022, 5, 1)], by=admin, reason=PUBLISHED)
    with pytest.raises(figures.Refused, match="May-22 is closed"):
        figures.record_figure(
            kpi=figure.kpi,
            month=dt.date(2022, 5, 1),
            value=Decimal("84.0"),
            by=make_user("an.other", ANALYST, staff=True),
            source=figures.Source.ADMIN,
        )


def test_an_unchanged_save_in_a_closed_month_is_no_change(closed_june, analyst):
    change(june(), "74.90", by=analyst)  # nothing changed: nothing to refuse, nothing recorded
    assert ObservationRevision.objects.filter(kpi__ref="1", month=JUNE).count() == 1


def test_bulk_changes_to_figures_are_refused(closed_june):
    with pytest.raises(NotSupportedError, match=r"kpis\.figures"):
        Observation.objects.filter(month=JUNE).update(value=Decimal("1"))
    with pytest.raises(NotSupportedError):
        Observation.objects.bulk_create([])
    with pytest.raises(NotSupportedError):
        Observation.objects.filter(kpi__ref="1").delete()
    assert june().value == Decimal("74.9")


def test_deleting_a_user_keeps_the_figures_they_entered_and_their_name(demo_kpis, analyst):
    change(june(), "75.0", by=analyst, reason="recount")
    analyst.delete()
    assert june().value == Decimal("75.0")
    revision = ObservationRevision.objects.latest("id")
    assert (revision.changed_by, revision.changed_by_name) == (None, "ann.analyst")


def test_a_reopened_month_takes_changes_again(closed_june, analyst):
    locking.reopen_months(months=[JUNE])
    change(june(), "75.0", by=analyst)
    assert june().value == Decimal("75.0")


# Who holds the permission --------------------------------------------------------------


def test_no_role_holds_the_permission_to_amend_closed_periods(db):
    permission = Permission.objects.get(codename="amend_closed_period")
    assert permission.name == "Can amend closed periods"
    assert not Group.objects.filter(permissions=permission).exists()


def test_the_demo_analyst_is_a_lead_analyst(db, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-demo-password-for-tests")
    call_command("load_demo", verbosity=0)
    assert User.objects.get(username="analyst").has_perm("kpis.amend_closed_period")
    assert not User.objects.get(username="manager").has_perm("kpis.amend_closed_period")


# Every path honours it -----------------------------------------------------------------


def admin_change(client, figure: Observation, value: str, reason: str):
    url = f"/admin/kpis/observation/{figure.pk}/change/"
    data = {"figure": value, "seen_version": figure.version, "note": "", "change_reason": reason}
    return client.post(url, data)


def test_the_admin_change_form_refuses_a_closed_month_without_the_permission(
    closed_june, analyst_client
):
    response = admin_change(analyst_client, june(), "75.0", "late return")
    assert response.status_code == 200
    assert "needs the permission to amend closed periods" in response.content.decode()
    assert june().value == Decimal("74.9")


def test_the_admin_change_form_needs_a_reason_and_then_records_it(closed_june, lead_analyst):
    client = client_for(lead_analyst)
    response = admin_change(client, june(), "75.0", "")
    assert "give a reason for changing a figure in a closed month" in response.content.decode()
    assert june().value == Decimal("74.9")
    response = admin_change(client, june(), "75.0", "MASH recount")
    assert response.status_code == 302
    revision = ObservationRevision.objects.latest("id")
    assert (revision.changed_by, revision.reason, revision.closed_period) == (
        lead_analyst,
        "MASH recount",
        True,
    )
    page = client.get(f"/admin/kpis/observation/{june().pk}/change/").content.decode()
    assert "in a closed month" in page
    assert "is closed (Q1 2022/23 report published)" in page


def test_the_monthly_return_of_a_closed_month_is_read_only_without_the_permission(
    closed_june, analyst_client
):
    response = analyst_client.get(f"{RETURN_URL}?month=2022-06")
    html = response.content.decode()
    assert "Closed month:" in html
    assert "shown read-only" in html
    assert "Save the return" not in html
    data = post_data(response, **{"1": {"value": "75.0"}})
    analyst_client.post(RETURN_URL, data)
    assert june().value == Decimal("74.9")


def test_the_monthly_return_of_a_closed_month_needs_a_reason(closed_june, lead_analyst):
    client = client_for(lead_analyst)
    shown = client.get(f"{RETURN_URL}?month=2022-06")
    data = post_data(shown, **{"1": {"value": "75.0"}})
    response = client.post(RETURN_URL, data)
    assert "Jun-22 is closed (Q1 2022/23 report published): give a reason" in (
        response.content.decode()
    )
    assert june().value == Decimal("74.9")
    data["reason"] = "MASH recount"
    assert client.post(RETURN_URL, data).status_code == 302
    revision = ObservationRevision.objects.latest("id")
    assert (revision.changed_by, revision.reason, revision.closed_period) == (
        lead_analyst,
        "MASH recount",
        True,
    )


def test_an_import_into_a_closed_month_needs_the_permission_and_a_reason(closed_june, lead_analyst):
    colleague = make_user("col.league", ANALYST, staff=True)
    content = b"ref,month,value\n1,Jun-22,75.0\n1,May-22,77.7\n"
    refused = imports.import_file(name="june.csv", content=content, by=colleague, reason="recount")
    assert [str(p) for p in refused.problems] == [
        "The file: Jun-22 is closed (Q1 2022/23 report published): this file would change 1 "
        "of its figures, and that needs the permission to amend closed periods"
    ]
    unexplained = imports.import_file(name="june.csv", content=content, by=lead_analyst)
    assert "give a reason" in str(unexplained.problems[0])
    assert june().value == Decimal("74.9")
    assert Observation.objects.get(kpi__ref="1", month="2022-05-01").value == Decimal("77.6")
    done = imports.import_file(
        name="june.csv", content=content, by=lead_analyst, reason="MASH recount"
    )
    assert done.ok
    revision = ObservationRevision.objects.filter(month=JUNE).latest("id")
    assert (revision.changed_by, revision.reason, revision.closed_period) == (
        lead_analyst,
        "Imported from june.csv: MASH recount",
        True,
    )


def test_the_import_preview_asks_for_a_reason_for_a_closed_month(closed_june, lead_analyst):
    import io

    client = client_for(lead_analyst)
    file = io.BytesIO(b"ref,month,value\n1,Jun-22,75.0\n")
    file.name = "june.csv"
    preview = client.post("/admin/kpis/importedfile/add/", {"file": file, "reason": ""})["Location"]
    page = client.get(preview)
    assert "Required: the file changes figures in closed months (Jun-22)" in page.content.decode()
    fingerprint = page.context["form"].initial["fingerprint"]
    response = client.post(preview, {"fingerprint": fingerprint, "reason": ""})
    assert "Give a reason: the file changes figures in closed months" in response.content.decode()
    assert june().value == Decimal("74.9")
    client.post(preview, {"fingerprint": fingerprint, "reason": "MASH recount"})
    assert june().value == Decimal("75.0")


def test_the_command_amends_a_closed_month_for_a_lead_analyst_with_a_reason(
    closed_june, lead_analyst, tmp_path
):
    path = tmp_path / "june.csv"
    path.write_text("ref,month,value\n1,Jun-22,75.0\n")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_observations", str(path), "--user", lead_analyst.username)
    assert june().value == Decimal("74.9")
    call_command(
        "import_observations", str(path), "--user", lead_analyst.username, "--reason", "recount"
    )
    revision = ObservationRevision.objects.latest("id")
    assert (revision.changed_by, revision.reason, revision.closed_period) == (
        lead_analyst,
        "Imported from june.csv: recount",
        True,
    )
