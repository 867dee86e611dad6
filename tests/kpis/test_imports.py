"""Importing figures from spreadsheets: the seed report as it stands, bad cells named by
their place, all-or-nothing commits, the command line and the admin's preview."""

import datetime as dt
import io
from decimal import Decimal
from html import unescape

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from kpis import imports, locking
from kpis.models import ImportedFile, Kpi, Observation, ObservationRevision
from tests.kpis.conftest import SEED_NAME, workbook_bytes, workbook_from_text
from tests.kpis.test_demo import seed_kpi_table
from tests.recording import delete, record

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/kpis/importedfile/add/"


def stored() -> dict[tuple[str, str], Decimal | None]:
    return {
        (ref, month.strftime("%Y-%m")): value
        for ref, month, value in Observation.objects.values_list("kpi__ref", "month", "value")
    }


def seed_line(text: str, ref: str) -> int:
    """The line number of a KPI's row in the seed text."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(f"{ref}\t"))


def with_cell(text: str, ref: str, old: str, new: str) -> str:
    """The seed text with one cell of a KPI's row replaced (its last occurrence in the row)."""
    lines = text.splitlines()
    index = seed_line(text, ref) - 1
    head, _, tail = lines[index].rpartition(old)
    assert head, (ref, old)
    lines[index] = head + new + tail
    return "\n".join(lines) + "\n"


# The seed report, as it stands --------------------------------------------------------


def test_the_seed_report_as_tsv_gives_exactly_its_225_figures(kpi_definitions, seed_bytes, analyst):
    outcome = imports.import_file(name=SEED_NAME, content=seed_bytes, by=analyst, confirmed=True)
    assert outcome.ok, outcome.problems
    assert outcome.plan.reading.layout == "wide"
    assert len(outcome.written) == 225
    expected = {key: Decimal(printed.rstrip("%")) for key, (_, printed) in seed_kpi_table().items()}
    assert stored() == expected


def test_an_xlsx_built_from_the_seed_gives_the_same_225_figures(
    kpi_definitions, seed_bytes, analyst
):
    content = workbook_from_text(seed_bytes.decode("utf-8"))
    outcome = imports.import_file(name="seed.xlsx", content=content, by=analyst, confirmed=True)
    assert outcome.ok, outcome.problems
    assert len(outcome.written) == 225
    expected = {key: Decimal(printed.rstrip("%")) for key, (_, printed) in seed_kpi_table().items()}
    assert stored() == expected


def test_an_xlsx_of_the_seed_typed_as_text_gives_the_same_figures(
    kpi_definitions, seed_bytes, analyst
):
    content = workbook_from_text(seed_bytes.decode("utf-8"), as_text=True)
    outcome = imports.import_file(name="seed.xlsx", content=content, by=analyst, confirmed=True)
    assert outcome.ok, outcome.problems
    assert len(stored()) == 225


def test_the_header_row_is_found_by_its_month_labels_whatever_their_dashes(seed_bytes):
    reading = imports.read(SEED_NAME, seed_bytes)
    months = sorted({figure.month for figure in reading.figures})
    assert months[0] == dt.date(2021, 4, 1)
    assert months[-3:] == [dt.date(2022, 4, 1), dt.date(2022, 5, 1), dt.date(2022, 6, 1)]
    assert len(months) == 15
    # The prose's little benchmark table above ("March 2022 … 101.7") is not taken as figures.
    assert Decimal("101.7") not in {f.value for f in reading.figures if f.ref != "2"}


def test_values_are_read_as_printed(seed_bytes):
    figures = {(f.ref, f.month): f for f in imports.read(SEED_NAME, seed_bytes).figures}
    assert figures[("1", dt.date(2021, 4, 1))].value == Decimal("85.2")  # 85.2%
    assert figures[("4", dt.date(2021, 4, 1))].value == Decimal("85.00")  # 85.00%
    assert figures[("5", dt.date(2021, 4, 1))].value == Decimal("41.0")  # 41.0
    assert figures[("1", dt.date(2021, 4, 1))].percent
    assert not figures[("5", dt.date(2021, 4, 1))].percent


def test_the_seed_imported_twice_is_unchanged_the_second_time(kpi_definitions, seed_bytes, analyst):
    imports.import_file(name=SEED_NAME, content=seed_bytes, by=analyst, confirmed=True)
    again = imports.import_file(name=SEED_NAME, content=seed_bytes, by=analyst)
    assert again.ok
    assert (len(again.plan.new), len(again.plan.changed), len(again.plan.unchanged)) == (0, 0, 225)
    assert ObservationRevision.objects.count() == 225


# One bad cell: nothing written, the cell named ----------------------------------------


def test_the_seed_with_one_bad_cell_writes_nothing_and_names_the_line_and_month(
    kpi_definitions, seed_bytes, analyst
):
    text = seed_bytes.decode("utf-8")
    bad = with_cell(text, "3", "59.1%", "lots")
    outcome = imports.import_file(name=SEED_NAME, content=bad.encode(), by=analyst)
    assert not outcome.ok
    assert [str(p) for p in outcome.problems] == [
        f'line {seed_line(text, "3")}, Jun-22: "lots" is neither a number nor a symbol (c, k, '
        "low, u, x, z, n/a, <5)"
    ]
    assert outcome.problems[0].context == "KPI 3, Jun-22"
    assert not Observation.objects.exists()
    assert not ObservationRevision.objects.exists()


def test_a_bad_cell_in_a_workbook_is_named_by_sheet_and_cell(kpi_definitions, seed_bytes, analyst):
    text = seed_bytes.decode("utf-8")
    row = seed_line(text, "3")
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_from_text(text)))
    workbook["Sheet1"].cell(row, 17).value = "lots"  # column Q: June - 22
    content = workbook_bytes(workbook)
    outcome = imports.import_file(name="seed.xlsx", content=content, by=analyst)
    assert [str(p) for p in outcome.problems] == [
        f'Sheet1!Q{row}: "lots" is neither a number nor a symbol (c, k, low, u, x, z, n/a, <5)'
    ]
    assert not Observation.objects.exists()


def test_a_percentage_over_100_is_refused_with_the_model_s_message(
    kpi_definitions, seed_bytes, analyst
):
    text = seed_bytes.decode("utf-8")
    bad = with_cell(text, "9", "76.5%", "176.5%")
    outcome = imports.import_file(name=SEED_NAME, content=bad.encode(), by=analyst)
    assert [str(p) for p in outcome.problems] == [
        f"line {seed_line(text, '9')}, Jun-22: a percentage must be between 0 and 100, not 176.5"
    ]
    assert not Observation.objects.exists()


def test_a_figure_failing_on_save_rolls_back_the_whole_commit(kpi_definitions, seed_bytes, analyst):
    plan = imports.plan(imports.read(SEED_NAME, seed_bytes), by=analyst)
    assert not plan.problems
    # Between preview and commit the last month is closed: its figures are the last saved.
    locking.close_months(months=[dt.date(2022, 6, 1)], by=analyst, reason="Q1 report published")
    with pytest.raises(imports.ImportRefused, match="Jun-22 is closed"):
        imports.commit(plan=plan, by=analyst, reason="", confirmed=True)
    assert not Observation.objects.exists()
    assert not ObservationRevision.objects.exists()


def test_a_figure_changed_since_the_preview_stops_the_commit(demo_kpis, analyst):
    content = b"ref,month,value\n1,Jun-22,75.5\n2,Jun-22,45.6\n"
    plan = imports.plan(imports.read("june.csv", content), by=analyst)
    record("2", "2022-06-01", "45.7")
    with pytest.raises(imports.ImportRefused, match="changed since the preview"):
        imports.commit(plan=plan, by=analyst)
    assert Observation.objects.get(kpi__ref="1", month="2022-06-01").value == Decimal("74.9")


# What is an error ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("csv", "expected"),
    [
        ("ref,month,value\n99,Jun-22,5\n", 'line 2, Jun-22: no KPI has the reference "99"'),
        (
            "ref,month,value\n1,Jun-22,75.0\n1,June 2022,75.1\n",
            "line 3, Jun-22: a second value for KPI 1, Jun-22 (the first is at line 2, Jun-22); "
            "give one value per KPI and month",
        ),
        (
            "ref,month,value\n1,Jan-99,75.0\n",
            "line 2, Jan-99: the month has not started yet, so it cannot have a figure",
        ),
        ("ref,month,value\n5,Jun-22,-3\n", "line 2, Jun-22: a count cannot be negative (-3)"),
        (
            "ref,month,value\n5,Jun-22,2.5\n",
            "line 2, Jun-22: a count must be a whole number, not 2.5",
        ),
        (
            "ref,month,value\n1,Jun-22,74.95\n",
            "line 2, Jun-22: 74.95 has 2 decimal places; this KPI is kept to 1",
        ),
        (
            "ref,month,value\n5,Jun-22,41%\n",
            "line 2, Jun-22: this is a percentage, but KPI 5 is measured as count",
        ),
        (
            "ref,month,value\nCIC,May-22,850\n",
            "line 2, May-22: a quarterly KPI takes figures only at quarter ends",
        ),
        ("ref,month,value\n1,Juneteenth,75\n", 'line 2: "Juneteenth" is not a month'),
        (
            'ref,month,value\n1,Jun-22,"=SUM(A1:A3)"\n',
            'line 2, Jun-22: "=SUM(A1:A3)" starts with "=": formulas are not calculated',
        ),
        (
            "ref,month,value\n1,Jun-22,1e400\n",
            'line 2, Jun-22: "1e400" is too large to be a KPI figure',
        ),
        ("", "The file: it is empty"),
        ("just,some,words\nand,more,words\n", "The file: no table of figures found"),
    ],
)
def test_what_stops_an_import(demo_kpis, analyst, csv, expected):
    before = stored()
    outcome = imports.import_file(name="figures.csv", content=csv.encode(), by=analyst)
    assert not outcome.ok
    assert any(str(p).startswith(expected) for p in outcome.problems), outcome.problems
    assert stored() == before


def test_a_formula_in_a_workbook_is_an_error_and_never_evaluated(demo_kpis, analyst):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Ref", "Description", "Jun-22"])
    sheet.append(["1", "Contacts", "=0.5+0.25"])
    sheet.append(["2", "CP rate", None])
    text = sheet.cell(3, 3)
    text.value = "=45.6"
    text.data_type = "s"  # text that starts with "=", not a formula
    outcome = imports.import_file(name="f.xlsx", content=workbook_bytes(workbook), by=analyst)
    assert [str(p) for p in outcome.problems] == [
        'Sheet!C2: "=0.5+0.25" is a formula; formulas are not calculated, type the value',
        'Sheet!C3: "=45.6" starts with "=": formulas are not calculated; type the value',
    ]
    assert Observation.objects.get(kpi__ref="1", month="2022-06-01").value == Decimal("74.9")


def test_files_that_are_not_spreadsheets_are_refused_in_words(demo_kpis, analyst):
    cases = {
        "figures.xls": b"\xd0\xcf\x11\xe0 old excel",
        "figures.xlsx": b"this is not a zip file",
        "figures.ods": b"PK\x03\x04",
    }
    for name, content in cases.items():
        outcome = imports.import_file(name=name, content=content, by=analyst)
        assert not outcome.ok
        assert str(outcome.problems[0]).startswith("The file: "), name


# Layouts, encodings, cells -------------------------------------------------------------


def test_the_long_layout_with_numerator_denominator_and_note(demo_kpis, analyst):
    Kpi.objects.filter(ref="3").update(uses_fraction=True)
    content = (
        b"Ref,Month,Value,Numerator,Denominator,Note\n"
        b"3,Jun-22,60.0,27,45,Two conferences were late\n"
        b"1,Jun-22,74.9,,,\n"
    )
    outcome = imports.import_file(name="june.csv", content=content, by=analyst, reason="Late data")
    assert outcome.ok, outcome.problems
    assert (len(outcome.plan.changed), len(outcome.plan.unchanged)) == (1, 1)
    figure = Observation.objects.get(kpi__ref="3", month="2022-06-01")
    assert (figure.value, figure.numerator, figure.denominator, figure.note) == (
        Decimal("60.0"),
        27,
        45,
        "Two conferences were late",
    )
    revision = ObservationRevision.objects.filter(kpi__ref="3").latest("id")
    assert revision.reason == "Imported from june.csv: Late data"
    assert revision.changed_by == analyst
    assert revision.source == "import"


def test_a_windows_1252_csv_is_read(demo_kpis, analyst):
    content = "Ref,Month,Value,Note\n1,Jun-22,75.0,£ and café\n".encode("cp1252")
    outcome = imports.import_file(name="june.csv", content=content, by=analyst)
    assert outcome.ok, outcome.problems
    assert Observation.objects.get(kpi__ref="1", month="2022-06-01").note == "£ and café"


def test_excel_unicode_text_utf16_tab_separated_is_read(demo_kpis, analyst):
    content = "Ref\tMonth\tValue\n1\tJun-22\t75.0%\n".encode("utf-16")
    outcome = imports.import_file(name="june.txt", content=content, by=analyst)
    assert outcome.ok, outcome.problems
    assert Observation.objects.get(kpi__ref="1", month="2022-06-01").value == Decimal("75.0")


def test_workbook_headers_may_be_dates_and_percentages_formatted_cells(demo_kpis, analyst):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([None, None, dt.datetime(2022, 5, 1), dt.datetime(2022, 6, 1), "Target"])
    sheet.append(["Ref", "KPI", None, None, None])
    sheet.append([1, "Contacts", 0.776, 0.755, 0.85])
    for cell in sheet[3][2:]:
        cell.number_format = "0.0%"
    outcome = imports.import_file(name="b.xlsx", content=workbook_bytes(workbook), by=analyst)
    assert outcome.ok, outcome.problems
    assert [(c.month_label, c.status, c.formatted) for c in outcome.plan.changes] == [
        ("May-22", "unchanged", "77.6%"),
        ("Jun-22", "changed", "75.5%"),
    ]
    assert outcome.plan.reading.notes == [
        'Column E ("Target") is not a month, so it is not imported.'
    ]


def test_figures_under_a_column_without_a_month_are_an_error(demo_kpis, analyst):
    content = b"Ref\tDescription\tJun-22\t\n1\tContacts\t75.0%\t80.0%\n"
    outcome = imports.import_file(name="x.tsv", content=content, by=analyst)
    assert [str(p) for p in outcome.problems] == [
        "line 2: column 4 has figures but its heading is not a month or quarter (Apr-22, "
        "Q1 2022/23, …), so it is not clear which period they are for"
    ]


def test_the_preview_sorts_new_changed_and_unchanged(demo_kpis, analyst):
    delete("3", "2022-06-01")
    content = b"ref,month,value\n1,Jun-22,75.0\n2,Jun-22,45.5\n3,Jun-22,60.0\n"
    plan = imports.plan(imports.read("june.csv", content), by=analyst)
    summary = [(c.kpi.ref, c.status, c.old_formatted, c.formatted) for c in plan.changes]
    assert summary == [
        ("1", "changed", "74.9%", "75.0%"),
        ("2", "unchanged", "45.5", "45.5"),
        ("3", "new", "", "60.0%"),
    ]
    assert plan.summary == "1 new, 1 changed, 1 unchanged"


# The command ---------------------------------------------------------------------------


def test_the_command_imports_the_seed_and_records_the_file_in_the_history(
    kpi_definitions, seed_bytes, tmp_path, capsys, analyst
):
    path = tmp_path / SEED_NAME
    path.write_bytes(seed_bytes)
    call_command("import_observations", str(path), "--user", "ann.analyst", "--confirm")
    out = capsys.readouterr().out
    assert "225 new, 0 changed, 0 unchanged, 74 to check" in out
    assert "Imported 225 figures" in out
    assert Observation.objects.count() == 225
    reasons = set(ObservationRevision.objects.values_list("source", "reason"))
    assert reasons == {("command", f"Imported from {SEED_NAME}")}


def test_the_command_dry_run_writes_nothing(kpi_definitions, seed_bytes, tmp_path, capsys, analyst):
    path = tmp_path / SEED_NAME
    path.write_bytes(seed_bytes)
    call_command("import_observations", str(path), "--dry-run", "--user", "ann.analyst")
    out = capsys.readouterr().out
    assert "225 new" in out
    assert "Dry run: nothing was written." in out
    assert not Observation.objects.exists()
    assert not ObservationRevision.objects.exists()


def test_the_command_fails_on_a_bad_cell_and_writes_nothing(
    kpi_definitions, seed_bytes, tmp_path, capsys, analyst
):
    text = seed_bytes.decode("utf-8")
    path = tmp_path / SEED_NAME
    path.write_text(with_cell(text, "13", "45.05%", "45..05%"), encoding="utf-8")
    with pytest.raises(CommandError, match="1 problem: nothing was written"):
        call_command("import_observations", str(path), "--user", "ann.analyst")
    err = capsys.readouterr().err
    assert (
        f'line {seed_line(text, "13")}, Jun-22: "45..05%" is neither a number nor a symbol '
        "(c, k, low, u, x, z, n/a, <5) (KPI 13, Jun-22)" in err
    )
    assert not Observation.objects.exists()


def test_the_command_shows_changes_old_to_new(demo_kpis, tmp_path, capsys, analyst):
    path = tmp_path / "june.csv"
    path.write_text("ref,month,value\n1,Jun-22,75.0\n")
    call_command("import_observations", str(path), "--dry-run", "--user", "ann.analyst")
    assert "KPI 1, Jun-22: 74.9% → 75.0%  (line 2, Jun-22)" in capsys.readouterr().out
    assert Observation.objects.get(kpi__ref="1", month="2022-06-01").value == Decimal("74.9")


def test_the_command_refuses_a_missing_file_or_user(tmp_path, viewer):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_observations", str(tmp_path / "missing.csv"), "--user", "x")
    path = tmp_path / "x.csv"
    path.write_text("ref,month,value\n")
    with pytest.raises(CommandError, match="No active user is called 'nobody'"):
        call_command("import_observations", str(path), "--user", "nobody")
    with pytest.raises(CommandError, match=r"vi\.viewer may not change figures"):
        call_command("import_observations", str(path), "--user", "vi.viewer")
    with pytest.raises(CommandError, match="--user"):
        call_command("import_observations", str(path))


# The admin -----------------------------------------------------------------------------


def upload(client, name: str, content: bytes, reason: str = "", **kwargs):
    file = io.BytesIO(content)
    file.name = name
    return client.post(UPLOAD_URL, {"file": file, "reason": reason}, **kwargs)


def test_an_analyst_uploads_previews_and_imports(analyst_client, analyst, demo_kpis):
    content = b"ref,month,value\n1,Jun-22,75.0\n2,Jun-22,45.5\n"
    response = upload(analyst_client, "june.csv", content, reason="MASH late return")
    assert response.status_code == 302
    preview_url = response["Location"]
    page = analyst_client.get(preview_url)
    html = page.content.decode()
    assert "74.9%" in html
    assert "75.0%" in html
    assert "Import 1 figure" in html
    assert Observation.objects.get(kpi__ref="1", month="2022-06-01").value == Decimal("74.9")
    fingerprint = page.context["form"].initial["fingerprint"]
    response = analyst_client.post(
        preview_url, {"fingerprint": fingerprint, "reason": "MASH late return"}
    )
    assert response.status_code == 302
    assert Observation.objects.get(kpi__ref="1", month="2022-06-01").value == Decimal("75.0")
    revision = ObservationRevision.objects.filter(kpi__ref="1").latest("id")
    assert (revision.changed_by, revision.source, revision.reason) == (
        analyst,
        "import",
        "Imported from june.csv: MASH late return",
    )
    record = ImportedFile.objects.get()
    assert record.committed_at is not None
    assert record.summary == "0 new, 1 changed, 1 unchanged"
    assert "Imported" in analyst_client.get(preview_url).content.decode()


def test_the_preview_of_a_bad_file_names_the_cell_and_offers_no_import(analyst_client, demo_kpis):
    response = upload(analyst_client, "june.csv", b"ref,month,value\n1,Jun-22,lots\n")
    html = analyst_client.get(response["Location"]).content.decode()
    assert "line 2, Jun-22" in html
    assert "&quot;lots&quot; is neither a number nor a symbol" in html
    assert "Nothing can be imported from this file" in html
    assert 'name="fingerprint"' not in html


def test_the_commit_imports_the_stored_file_not_anything_posted(analyst_client, demo_kpis):
    response = upload(analyst_client, "june.csv", b"ref,month,value\n1,Jun-22,75.0\n")
    preview_url = response["Location"]
    fingerprint = analyst_client.get(preview_url).context["form"].initial["fingerprint"]
    analyst_client.post(
        preview_url, {"fingerprint": fingerprint, "value": "99.9", "content": "1,Jun-22,99.9"}
    )
    assert Observation.objects.get(kpi__ref="1", month="2022-06-01").value == Decimal("75.0")


def test_figures_changed_after_the_preview_are_shown_again_not_overwritten(
    analyst_client, demo_kpis
):
    response = upload(analyst_client, "june.csv", b"ref,month,value\n1,Jun-22,75.0\n")
    preview_url = response["Location"]
    fingerprint = analyst_client.get(preview_url).context["form"].initial["fingerprint"]
    record("1", "2022-06-01", "76.0")
    figure = Observation.objects.get(kpi__ref="1", month="2022-06-01")
    response = analyst_client.post(
        preview_url, {"fingerprint": fingerprint, "reason": ""}, follow=True
    )
    assert response.redirect_chain == [(preview_url, 302)]
    assert "changed since you saw the preview" in response.content.decode()
    assert "76.0%" in response.content.decode()
    figure.refresh_from_db()
    assert figure.value == Decimal("76.0")


def test_only_the_uploader_can_import_their_file(analyst_client, demo_kpis):
    from sct_portal.roles import ANALYST
    from tests.conftest import client_for, make_user

    response = upload(analyst_client, "june.csv", b"ref,month,value\n1,Jun-22,75.0\n")
    colleague = client_for(make_user("col.league", ANALYST, staff=True))
    page = colleague.get(response["Location"])
    assert page.status_code == 200
    assert page.context["form"] is None
    colleague.post(response["Location"], {"fingerprint": "x" * 64})
    assert Observation.objects.get(kpi__ref="1", month="2022-06-01").value == Decimal("74.9")


@pytest.mark.parametrize("who", ["viewer_client", "manager_client"])
def test_viewers_and_managers_cannot_reach_the_import(request, who, demo_kpis):
    client = request.getfixturevalue(who)
    assert client.get(UPLOAD_URL, follow=True).status_code == 403
    response = upload(client, "june.csv", b"ref,month,value\n1,Jun-22,99.0\n", follow=True)
    assert response.status_code == 403
    assert not ImportedFile.objects.exists()
    assert Observation.objects.get(kpi__ref="1", month="2022-06-01").value == Decimal("74.9")


def test_an_analyst_reaches_the_import_from_the_admin(analyst_client, demo_kpis):
    index = analyst_client.get("/admin/").content.decode()
    assert reverse("admin:kpis_importedfile_changelist") in index
    assert analyst_client.get(UPLOAD_URL).status_code == 200


def test_a_percentage_typed_as_a_fraction_is_flagged_and_written_only_once_confirmed(
    analyst_client, demo_kpis
):
    content = b"ref,month,value,comment\n1,Jul-22,0.4,MASH count\n2,Jul-22,44.6,\n"
    preview_url = upload(analyst_client, "july.csv", content)["Location"]
    page = analyst_client.get(preview_url)
    html = unescape(page.content.decode())
    assert "Figures to check: 2" in html
    assert "0.4% looks like a fraction of one — did you mean 40%?" in html
    assert "44.6 is outside the range of the last 12 figures (45.2 to 52.2)" in html
    assert "MASH count" in html  # the file's comment column, as each figure's note
    assert page.context["preview"]["summary"] == "2 new, 0 changed, 0 unchanged, 2 to check"
    fingerprint = page.context["form"].initial["fingerprint"]
    response = analyst_client.post(preview_url, {"fingerprint": fingerprint, "reason": ""})
    assert "Check the 2 figures listed under “Figures to check”" in unescape(
        response.content.decode()
    )
    assert not Observation.objects.filter(month="2022-07-01").exists()
    analyst_client.post(preview_url, {"fingerprint": fingerprint, "reason": "", "confirm": "on"})
    stored = Observation.objects.get(kpi__ref="1", month="2022-07-01")
    assert (stored.value, stored.note) == (Decimal("0.4"), "MASH count")


def test_refused_rows_are_not_counted_as_new_and_problems_come_in_file_order(demo_kpis, analyst):
    content = b"ref,month,value\n1,Jul-22,175\n99,Jul-22,5\n2,Jul-22,lots\n3,Jul-22,60.0\n"
    plan = imports.plan(imports.read("july.csv", content), by=analyst)
    assert [p.place.row if p.place else None for p in plan.problems] == [2, 3, 4]
    assert [c.kpi.ref for c in plan.new] == ["3"]
    assert plan.summary.startswith("1 new, 0 changed, 0 unchanged")


def test_symbols_are_imported_as_symbols(demo_kpis, analyst):
    content = b"ref,month,value\n5,Jul-22,c\n1,Jul-22,n/a\n2,Jul-22,<5\n"
    outcome = imports.import_file(name="july.csv", content=content, by=analyst)
    assert outcome.ok, outcome.problems
    stored = dict(Observation.objects.filter(month="2022-07-01").values_list("kpi__ref", "symbol"))
    assert stored == {"1": "n/a", "2": "<5", "5": "c"}


def test_a_comment_column_in_the_report_layout_is_the_latest_figure_s_note(demo_kpis, analyst):
    content = (
        b"Ref\tDescription\tJun-22\tJul-22\tComments\n1\tMASH\t74.9\t75.5\tTwo late referrals\n"
    )
    outcome = imports.import_file(name="july.tsv", content=content, by=analyst, confirmed=True)
    assert outcome.ok, outcome.problems
    assert "imported as the note of each row's latest figure" in outcome.plan.reading.notes[0]
    assert Observation.objects.get(kpi__ref="1", month="2022-07-01").note == "Two late referrals"
    assert Observation.objects.get(kpi__ref="1", month="2022-06-01").note == ""
