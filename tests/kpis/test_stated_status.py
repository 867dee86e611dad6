"""A status the organisation states itself (its own RAG or words, with who and why): entered in
the monthly return, the admin and an import, with or without a figure, and shown as stated on
the overview, the trend table and the report, never as a derived RAG."""

import io
from html import unescape

import pytest

from kpis import imports
from kpis.models import Observation, ObservationRevision
from tests.kpis.test_monthly_return import post_data

pytestmark = pytest.mark.django_db

RETURN_URL = "/admin/kpis/monthlyreturn/"
UPLOAD_URL = "/admin/kpis/importedfile/add/"


def with_stated(response, ref: str, rag: str, words: str, reason: str) -> dict[str, str]:
    data = post_data(response)
    for row in response.context["sheet"].rows:
        prefix = row.form.prefix
        for name in ("stated_rag", "stated_words", "stated_reason"):
            value = row.form[name].value()
            data[f"{prefix}-{name}"] = "" if value is None else str(value)
        if row.kpi.ref == ref:
            data[f"{prefix}-stated_rag"] = rag
            data[f"{prefix}-stated_words"] = words
            data[f"{prefix}-stated_reason"] = reason
    return data


def test_the_return_records_a_stated_status_beside_a_figure_with_who_and_why(
    analyst_client, analyst, demo_kpis
):
    shown = analyst_client.get(f"{RETURN_URL}?month=2022-06")
    data = with_stated(
        shown, "1", "green", "good performance", "Director of Children's Services, 5 July"
    )
    response = analyst_client.post(RETURN_URL, data)
    assert response.status_code == 302, response.context and [
        row.messages for row in response.context["sheet"].rows if row.messages
    ]
    stored = Observation.objects.get(kpi__ref="1", month="2022-06-01")
    assert (str(stored.value), stored.stated_rag, stored.stated_words, stored.stated_by) == (
        "74.9000",
        "green",
        "good performance",
        analyst,
    )
    revision = ObservationRevision.objects.filter(kpi__ref="1").latest("id")
    assert (revision.old_stated, revision.new_stated, revision.source) == (
        "",
        "Green: good performance",
        "monthly return",
    )
    # Shown again in the return, read back as typed.
    again = analyst_client.get(f"{RETURN_URL}?month=2022-06").content.decode()
    assert 'value="good performance"' in again


def test_the_return_takes_a_stated_status_with_no_figure(analyst_client, demo_kpis):
    from tests.recording import delete

    delete("3", "2022-06-01")
    shown = analyst_client.get(f"{RETURN_URL}?month=2022-06")
    data = with_stated(shown, "3", "", "potential concern", "Performance board, 5 July")
    assert analyst_client.post(RETURN_URL, data).status_code == 302
    stored = Observation.objects.get(kpi__ref="3", month="2022-06-01")
    assert (stored.has_figure, stored.stated_words) == (False, "potential concern")


def test_a_stated_status_needs_who_and_why_and_saves_nothing_without(analyst_client, demo_kpis):
    shown = analyst_client.get(f"{RETURN_URL}?month=2022-06")
    data = with_stated(shown, "1", "amber", "", "")
    data[f"kpi-{Observation.objects.get(kpi__ref='2', month='2022-06-01').kpi_id}-value"] = "46.0"
    response = analyst_client.post(RETURN_URL, data)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "say why the status is stated, and on whose authority" in html
    assert not Observation.objects.exclude(stated_rag="").exists()
    assert not ObservationRevision.objects.filter(source="monthly return").exists()


def test_a_blank_value_with_a_stated_status_does_not_remove_the_figure(analyst_client, demo_kpis):
    shown = analyst_client.get(f"{RETURN_URL}?month=2022-06")
    data = with_stated(shown, "1", "green", "", "Performance board")
    data[f"kpi-{Observation.objects.get(kpi__ref='1', month='2022-06-01').kpi_id}-value"] = ""
    response = analyst_client.post(RETURN_URL, data)
    assert response.status_code == 200
    assert "a figure cannot be removed here" in unescape(response.content.decode())
    assert Observation.objects.get(kpi__ref="1", month="2022-06-01").stated_rag == ""


def test_the_admin_figure_form_records_a_stated_status(analyst_client, demo_kpis):
    observation = Observation.objects.get(kpi__ref="5", month="2022-06-01")
    url = f"/admin/kpis/observation/{observation.pk}/change/"
    page = analyst_client.get(url)
    form = page.context["adminform"].form
    assert {"stated_rag", "stated_words", "stated_reason"} <= set(form.fields)
    data = {name: form[name].value() or "" for name in ("figure", "note", "seen_version")}
    data.update(stated_rag="red", stated_words="", stated_reason="", change_reason="")
    refused = analyst_client.post(url, data)
    assert refused.status_code == 200
    assert "say why the status is stated" in unescape(refused.content.decode())
    data["stated_reason"] = "Scrutiny panel, September"
    assert analyst_client.post(url, data).status_code == 302
    stored = Observation.objects.get(pk=observation.pk)
    assert (stored.value, stored.stated_rag, stored.stated_reason) == (
        observation.value,
        "red",
        "Scrutiny panel, September",
    )


def test_the_admin_adds_a_stated_status_with_no_figure(analyst_client, demo_kpis):
    from kpis.models import Kpi

    kpi = Kpi.objects.get(ref="5")
    response = analyst_client.post(
        "/admin/kpis/observation/add/",
        {
            "kpi": kpi.pk,
            "month": "2022-07-01",
            "figure": "",
            "note": "",
            "stated_rag": "",
            "stated_words": "figure awaited; performance stable",
            "stated_reason": "Head of service, 3 August",
            "change_reason": "",
            "seen_version": "",
        },
    )
    assert response.status_code == 302, unescape(response.content.decode())[:3000]
    stored = Observation.objects.get(kpi=kpi, month="2022-07-01")
    assert (stored.has_figure, stored.stated_words) == (False, "figure awaited; performance stable")


@pytest.mark.parametrize(
    ("typed", "rag", "words"),
    [
        ("Green", "green", ""),
        ("G", "green", ""),
        ("amber: potential concern", "amber", "potential concern"),
        ("Red - below target", "red", "below target"),
        ("good performance", "", "good performance"),
        ("Area for improvement", "", "Area for improvement"),
    ],
)
def test_a_stated_status_is_read_as_councils_write_it(typed, rag, words):
    stated = imports.parse_stated(typed, "Board")
    assert (stated.rag, stated.words, stated.reason) == (rag, words, "Board")


def test_the_import_reads_a_status_column_with_and_without_a_value(demo_kpis, analyst):
    content = (
        b"ref,month,value,status,stated reason\n"
        b"1,Jun-22,74.9,Green: good performance,Director's report to the board\n"
        b"3,Jul-22,,potential concern,Performance board 5 Aug\n"
    )
    outcome = imports.import_file(name="statuses.csv", content=content, by=analyst)
    assert outcome.ok, outcome.problems
    first = Observation.objects.get(kpi__ref="1", month="2022-06-01")
    assert (str(first.value), first.stated_rag, first.stated_words, first.stated_reason) == (
        "74.9000",
        "green",
        "good performance",
        "Director's report to the board",
    )
    second = Observation.objects.get(kpi__ref="3", month="2022-07-01")
    assert (second.has_figure, second.stated_words) == (False, "potential concern")


def test_the_import_refuses_a_status_without_who_and_why_naming_the_cell(demo_kpis, analyst):
    content = b"ref,month,value,stated status\n1,Jun-22,74.9,Amber\n"
    outcome = imports.import_file(name="statuses.csv", content=content, by=analyst)
    assert [str(p) for p in outcome.problems] == [
        "line 2, Jun-22: say why the status is stated, and on whose authority"
    ]
    assert not Observation.objects.exclude(stated_rag="").exists()


def test_the_report_layout_takes_a_status_column_for_each_row_s_latest_figure(demo_kpis, analyst):
    content = (
        b"Ref\tDescription\tMay-22\tJun-22\tStatus\tStatus reason\n"
        b"1\tRe-referrals\t77.6\t74.9\tAmber: watching closely\tQuarterly board\n"
    )
    reading = imports.read("table.tsv", content)
    assert not reading.problems
    stated = {f.month.isoformat(): f.stated for f in reading.figures}
    assert stated["2022-05-01"] is None
    june = stated["2022-06-01"]
    assert june is not None
    assert (june.rag, june.words) == ("amber", "watching closely")
    assert any("stated status" in note for note in reading.notes)


def test_the_upload_preview_shows_the_stated_status(analyst_client, demo_kpis):
    file = io.BytesIO(b"ref,month,value,status,stated reason\n1,Jun-22,74.9,Green,Board\n")
    file.name = "statuses.csv"
    response = analyst_client.post(UPLOAD_URL, {"file": file, "reason": ""})
    html = unescape(analyst_client.get(response["Location"]).content.decode())
    assert "Stated: Green — Board" in html


def stated_june(ref: str, rag: str, words: str, reason: str) -> None:
    from kpis.figures import Stated
    from tests.recording import record

    record(ref, "2022-06-01", stated=Stated(rag=rag, words=words, reason=reason))


def test_the_overview_shows_a_stated_status_as_stated_beside_the_derived_rag(
    manager_client, demo_kpis
):
    stated_june("1", "green", "good performance", "Director's report")
    html = unescape(manager_client.get("/?month=2022-06").content.decode())
    row = html[html.index('data-kpi="1"') :]
    row = row[: row.index("</tr>")]
    assert "Stated:</span> Green: good performance" in row
    assert "— Director's report" in row
    # The derived RAG stays what the target says; the stated one is beside it, marked.
    assert 'class="sct-rag sct-rag--' in row
    assert 'sct-rag--green">Green: good performance' not in row


def test_the_trend_table_and_report_show_a_stated_status_as_stated(
    manager_client, analyst_client, demo_kpis
):
    stated_june("5", "amber", "potential concern", "Performance board")
    trend = unescape(manager_client.get("/trend/2022-23/q1/").content.decode())
    assert "Stated:</span> Amber: potential concern" in trend
    started = analyst_client.post("/reports/start/", {"quarter": "2022-23/q1"})
    assert started.status_code == 302
    page = unescape(manager_client.get("/reports/2022-23/q1/").content.decode())
    row = page[page.index('data-kpi="5"') :]
    row = row[: row.index("</tr>")]
    assert "Stated:</span> Amber: potential concern — Performance board" in row
