"""The monthly return: one form per month, every figure due, checked and saved as a whole."""

from decimal import Decimal
from html import unescape
from html.parser import HTMLParser

import pytest

from kpis.entry import unusual
from kpis.models import Kpi, Observation, ObservationRevision
from tests.recording import delete

URL = "/admin/kpis/monthlyreturn/"


# Unusual values (pure) -----------------------------------------------------------------


def test_a_value_outside_the_recent_range_is_unusual():
    found = unusual(
        Decimal("258"),
        previous=Decimal("200"),
        previous_label="May-22",
        recent=[Decimal(v) for v in ("41", "100", "26", "112")],
        unit="count",
        decimals=0,
    )
    assert found == ["258 is outside the range of the last 4 figures (26 to 112)"]


def test_a_change_of_more_than_half_is_unusual_either_way():
    def check(value: str) -> list[str]:
        return unusual(
            Decimal(value),
            previous=Decimal("61.0"),
            previous_label="May-22",
            recent=[],
            unit="percent",
            decimals=1,
        )

    assert check("30.0") == ["30.0% is a fall of more than half on May-22's 61.0%"]
    assert check("92.0") == ["92.0% is a rise of more than half on May-22's 61.0%"]
    assert check("91.0") == []


def test_usual_values_and_thin_histories_raise_no_warning():
    assert (
        unusual(
            Decimal("74.9"),
            previous=Decimal("77.6"),
            previous_label="May-22",
            recent=[Decimal("71.3"), Decimal("96.0"), Decimal("80.7")],
            unit="percent",
            decimals=1,
        )
        == []
    )
    # Two figures say nothing about a range; from 0 any change is "more than half".
    assert (
        unusual(
            Decimal("3"),
            previous=Decimal("0"),
            previous_label="Oct-21",
            recent=[Decimal("0"), Decimal("1")],
            unit="count",
            decimals=0,
        )
        == []
    )


# The page ------------------------------------------------------------------------------


class Labels(HTMLParser):
    """Every form control of a page and the ids its <label for> elements point at."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag in ("input", "select", "textarea") and found.get("type") not in (
            "hidden",
            "submit",
        ):
            self.controls.append(found)
        if tag == "label" and found.get("for"):
            self.labelled.add(found["for"] or "")


def post_data(response, **changes) -> dict[str, str]:
    """The return as shown, with some rows changed: changes={"1": {"value": "75.0"}}."""
    sheet = response.context["sheet"]
    data = {"month": sheet.month.strftime("%Y-%m"), "reason": ""}
    for row in sheet.rows:
        form = row.form
        for name in ("value", "numerator", "denominator", "note", "version"):
            if name in form.fields:
                value = form[name].value()
                data[form[name].html_name] = "" if value is None else str(value)
        for name, value in changes.get(row.kpi.ref, {}).items():
            data[form[name].html_name] = value
    return data


@pytest.mark.django_db
def test_an_analyst_can_reach_the_monthly_return_from_the_admin(analyst_client, demo_kpis):
    assert URL in analyst_client.get("/admin/").content.decode()
    assert analyst_client.get(URL).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["viewer_client", "manager_client"])
def test_viewers_and_managers_cannot_reach_the_monthly_return(request, who, demo_kpis):
    client = request.getfixturevalue(who)
    assert client.get(f"{URL}?month=2022-06", follow=True).status_code == 403
    response = client.post(URL, {"month": "2022-06", "reason": "x"}, follow=True)
    assert response.status_code == 403
    assert URL not in client.get("/admin/", follow=True).content.decode()


@pytest.mark.django_db
def test_the_return_lists_every_active_kpi_due_with_last_month_and_last_year(
    analyst_client, demo_kpis
):
    Kpi.objects.filter(ref="15").update(is_active=False)
    june = analyst_client.get(f"{URL}?month=2022-06")
    rows = {row.kpi.ref: row for row in june.context["sheet"].rows}
    expected = ["1", "2", "3", "4", "5", "6a", "7", "8", "9", "10", "11", "12", "13", "14"]
    assert list(rows) == [*expected, "CIC", "CICR"]  # quarterly KPIs at a quarter's end
    assert rows["1"].previous.formatted == "77.6%"  # May-22
    assert rows["1"].last_year.formatted == "92.0%"  # Jun-21
    assert rows["CIC"].previous.formatted == "844"  # the previous quarter, Mar-22
    may = analyst_client.get(f"{URL}?month=2022-05")
    assert [row.kpi.ref for row in may.context["sheet"].rows] == expected
    html = june.content.decode()
    assert "Percentage of contacts to MASH referral timeliness" in html
    assert "77.6%" in html
    assert "92.0%" in html


@pytest.mark.django_db
def test_every_input_of_the_return_has_a_label(analyst_client, demo_kpis):
    Kpi.objects.filter(ref="3").update(uses_fraction=True)
    parser = Labels()
    parser.feed(analyst_client.get(f"{URL}?month=2022-06").content.decode())
    ours = [c for c in parser.controls if c.get("id") != "nav-filter"]  # the admin's own
    # Value, note and stated status (RAG, words, who and why) for each of the 17 KPIs due,
    # KPI 3's fraction, the month and the reason.
    assert len(ours) == 17 * 5 + 2 + 2
    unlabelled = [c for c in ours if c.get("id") not in parser.labelled]
    assert unlabelled == []


@pytest.mark.django_db
def test_saving_the_return_records_each_change_with_who_and_why(analyst_client, analyst, demo_kpis):
    delete("3", "2022-06-01")
    shown = analyst_client.get(f"{URL}?month=2022-06")
    data = post_data(shown, **{"1": {"value": "75.0"}, "3": {"value": "60.0%"}})
    data["reason"] = "MASH late returns counted"
    response = analyst_client.post(URL, data)
    assert response.status_code == 302, response.context and response.context["sheet"].problems
    assert response["Location"] == f"{URL}?month=2022-06"
    assert Observation.objects.get(kpi__ref="1", month="2022-06-01").value == Decimal("75.0")
    created = Observation.objects.get(kpi__ref="3", month="2022-06-01")
    assert (created.value, created.entered_by) == (Decimal("60.0"), analyst)
    changes = ObservationRevision.objects.filter(source="monthly return").order_by("kpi__order")
    assert [(r.kpi.ref, r.summary, r.changed_by, r.reason) for r in changes] == [
        ("1", "74.9% → 75.0%", analyst, "MASH late returns counted"),
        ("3", "entered as 60.0%", analyst, "MASH late returns counted"),
    ]
    page = analyst_client.get(response["Location"]).content.decode()
    assert "Saved 2 figures for Jun-22: 1 new, 1 changed." in page


@pytest.mark.django_db
def test_without_a_reason_the_history_names_the_return(analyst_client, demo_kpis):
    data = post_data(analyst_client.get(f"{URL}?month=2022-06"), **{"2": {"value": "45.6"}})
    assert analyst_client.post(URL, data).status_code == 302
    revision = ObservationRevision.objects.filter(kpi__ref="2").latest("id")
    assert revision.reason == "Monthly return for Jun-22"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ref", "typed", "message"),
    [
        ("1", "104", "KPI 1, Jun-22: a percentage must be between 0 and 100, not 104."),
        ("5", "-2", "KPI 5, Jun-22: a count cannot be negative (-2)."),
        ("1", "74.95", "KPI 1, Jun-22: 74.95 has 2 decimal places; this KPI is kept to 1."),
        (
            "2",
            "lots",
            'KPI 2: "lots" is neither a number nor a symbol (c, k, low, u, x, z, n/a, <5).',
        ),
        ("2", "=45+1", 'KPI 2: "=45+1" starts with "=": formulas are not calculated'),
    ],
)
def test_a_bad_row_saves_nothing_and_its_error_names_the_kpi(
    analyst_client, demo_kpis, ref, typed, message
):
    before = ObservationRevision.objects.count()
    data = post_data(
        analyst_client.get(f"{URL}?month=2022-06"),
        **{ref: {"value": typed}, "13": {"value": "45.10"}},
    )
    response = analyst_client.post(URL, data)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert message in html
    assert "Nothing has been saved yet" in html
    # All or nothing: the good row was not saved either.
    assert Observation.objects.get(kpi__ref="13", month="2022-06-01").value == Decimal("45.05")
    assert ObservationRevision.objects.count() == before


@pytest.mark.django_db
def test_an_unusual_value_is_saved_only_once_confirmed(analyst_client, demo_kpis):
    shown = analyst_client.get(f"{URL}?month=2022-06")
    data = post_data(shown, **{"5": {"value": "600"}})
    response = analyst_client.post(URL, data)
    html = response.content.decode()
    assert "600 is outside the range of the last 12 figures (0 to 112)" in html
    assert "I have checked this figure for KPI 5" in html
    assert Observation.objects.get(kpi__ref="5", month="2022-06-01").value == Decimal("258")
    data[response.context["sheet"].rows[4].form["confirm"].html_name] = "on"
    assert analyst_client.post(URL, data).status_code == 302
    assert Observation.objects.get(kpi__ref="5", month="2022-06-01").value == Decimal("600")


@pytest.mark.django_db
def test_a_recorded_figure_cannot_be_cleared_from_the_return(analyst_client, demo_kpis):
    data = post_data(analyst_client.get(f"{URL}?month=2022-06"), **{"1": {"value": ""}})
    response = analyst_client.post(URL, data)
    assert "KPI 1: a figure cannot be removed here; it stays 74.9%." in response.content.decode()
    assert Observation.objects.filter(kpi__ref="1", month="2022-06-01").exists()


@pytest.mark.django_db
def test_numerator_and_denominator_are_checked_against_the_value(analyst_client, demo_kpis):
    Kpi.objects.filter(ref="3").update(uses_fraction=True)
    shown = analyst_client.get(f"{URL}?month=2022-06")
    bad = post_data(shown, **{"3": {"value": "60.0", "numerator": "27", "denominator": "44"}})
    response = analyst_client.post(URL, bad)
    assert "KPI 3, Jun-22: 27 of 44 is 61.4%, not 60.0%." in response.content.decode()
    good = post_data(shown, **{"3": {"value": "60.0", "numerator": "27", "denominator": "45"}})
    assert analyst_client.post(URL, good).status_code == 302
    figure = Observation.objects.get(kpi__ref="3", month="2022-06-01")
    assert (figure.numerator, figure.denominator) == (27, 45)


@pytest.mark.django_db
def test_an_unchanged_return_saves_nothing(analyst_client, demo_kpis):
    before = ObservationRevision.objects.count()
    data = post_data(analyst_client.get(f"{URL}?month=2022-06"))
    response = analyst_client.post(URL, data, follow=True)
    assert "Nothing to save" in response.content.decode()
    assert ObservationRevision.objects.count() == before


@pytest.mark.django_db
def test_a_month_not_yet_started_is_not_offered(analyst_client, demo_kpis):
    response = analyst_client.get(f"{URL}?month=2099-01", follow=True)
    assert "That month has not started yet" in response.content.decode()
    assert response.context["sheet"].month.year < 2099


@pytest.mark.django_db
def test_figures_posted_without_their_month_are_not_saved_to_another(analyst_client, demo_kpis):
    data = post_data(analyst_client.get(f"{URL}?month=2022-06"), **{"1": {"value": "75.0"}})
    before = ObservationRevision.objects.count()
    for month in ("", "2099-01", "Smarch"):
        data["month"] = month
        response = analyst_client.post(URL, data, follow=True)
        assert "Nothing was saved" in response.content.decode()
    assert ObservationRevision.objects.count() == before


@pytest.mark.django_db
def test_the_return_after_an_import_keeps_the_imported_fractions_and_logs_one_change(
    analyst_client, analyst, demo_kpis
):
    """Issue: saving the return blanked numerators and denominators imported for KPIs whose
    row shows none, and logged them under another KPI's reason."""
    from kpis import imports

    content = b"ref,month,value,numerator,denominator\n3,Sep-22,75.0,30,40\n8,Sep-22,71.00,71,100\n"
    outcome = imports.import_file(name="sep.csv", content=content, by=analyst, confirmed=True)
    assert outcome.ok, outcome.problems
    before = ObservationRevision.objects.count()
    shown = analyst_client.get(f"{URL}?month=2022-09")
    data = post_data(shown, **{"1": {"value": "76.0"}})
    data["reason"] = "KPI 1 for September"
    response = analyst_client.post(URL, data)
    assert response.status_code == 302, response.context and response.context["sheet"].problems
    kept = {
        o.kpi.ref: (o.value, o.numerator, o.denominator)
        for o in Observation.objects.filter(month="2022-09-01").select_related("kpi")
    }
    assert kept == {
        "1": (Decimal("76.0"), None, None),
        "3": (Decimal("75.0"), 30, 40),
        "8": (Decimal("71.00"), 71, 100),
    }
    new = list(ObservationRevision.objects.order_by("id")[before:])
    assert [(r.kpi.ref, r.summary, r.reason) for r in new] == [
        ("1", "entered as 76.0%", "KPI 1 for September")
    ]
    page = analyst_client.get(response["Location"]).content.decode()
    assert "Saved 1 figure for Sep-22: 1 new, 0 changed." in page


@pytest.mark.django_db
def test_a_symbol_can_be_typed_in_the_return(analyst_client, demo_kpis):
    shown = analyst_client.get(f"{URL}?month=2022-09")
    data = post_data(shown, **{"5": {"value": "c"}, "1": {"value": "N/A"}})
    response = analyst_client.post(URL, data)
    assert response.status_code == 302, response.context and response.context["sheet"].problems
    stored = dict(Observation.objects.filter(month="2022-09-01").values_list("kpi__ref", "symbol"))
    assert stored == {"1": "n/a", "5": "c"}
