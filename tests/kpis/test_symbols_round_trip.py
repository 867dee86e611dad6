"""Values that are not numbers survive the round trip: a file of symbols (c, k, low, u, x, z,
n/a, <5 and what people type for them) imported through the admin, exported as the admin's
workbook and the report's CSV, and imported back changes nothing — no figure, no symbol, no
history row. The overview says what each symbol on it means."""

import csv
import datetime as dt
import io
from html import unescape

import openpyxl
import pytest

from kpis.models import Observation, ObservationRevision

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/kpis/importedfile/add/"
EXPORT_URL = "/admin/kpis/observation/export/"

# ref → (month, typed, stored): the seed's KPIs, counts and percentages alike.
TYPED = [
    ("1", "Jun-22", "c", "c"),
    ("2", "Jun-22", "k", "k"),
    ("3", "Jun-22", "low", "low"),
    ("4", "Jun-22", "u", "u"),
    ("5", "Jun-22", "x", "x"),
    ("6a", "Jun-22", "z", "z"),
    ("12", "Jun-22", "n/a", "n/a"),
    ("7", "Jun-22", "<5", "<5"),
    ("8", "Jun-22", "N/A", "n/a"),
    ("9", "Jun-22", "-", "x"),
    ("10", "Jun-22", "suppressed", "c"),
    ("11", "Jun-22", "< 10", "<10"),
    ("5", "May-22", "112", ""),
    ("1", "May-22", "77.6", ""),
]


def figures() -> dict[tuple[str, dt.date], tuple[object, ...]]:
    return {
        (o.kpi.ref, o.month): (o.value, o.symbol, o.numerator, o.denominator, o.note, o.version)
        for o in Observation.objects.select_related("kpi")
    }


def upload_and_confirm(client, name: str, content: bytes) -> str:
    """Upload a file, open its preview, confirm it; the preview's page."""
    file = io.BytesIO(content)
    file.name = name
    response = client.post(UPLOAD_URL, {"file": file, "reason": ""})
    assert response.status_code == 302
    preview_url = response["Location"]
    page = client.get(preview_url)
    html = unescape(page.content.decode())
    form = page.context.get("form") if page.context else None
    if form is not None and "fingerprint" in form.initial:
        committed = client.post(
            preview_url,
            {"fingerprint": form.initial["fingerprint"], "reason": "", "confirm": "on"},
        )
        assert committed.status_code == 302, unescape(committed.content.decode())[:2000]
    return html


def latest_summary() -> str:
    from kpis.models import ImportedFile

    return ImportedFile.objects.latest("id").summary


@pytest.fixture
def imported(kpi_definitions, analyst_client):
    lines = ["ref,month,value"] + [f"{ref},{month},{typed}" for ref, month, typed, _ in TYPED]
    upload_and_confirm(analyst_client, "symbols.csv", "\n".join(lines).encode())
    return analyst_client


def test_symbols_are_imported_as_their_codes_never_as_numbers(imported):
    stored = figures()
    for ref, month, _, symbol in TYPED:
        key = (ref, dt.datetime.strptime(month, "%b-%y").date())
        value, code = stored[key][:2]
        if symbol:
            assert (value, code) == (None, symbol), key
        else:
            assert value is not None, key
            assert code == "", key
    assert ObservationRevision.objects.count() == len(TYPED)


def test_the_admin_export_and_import_back_change_nothing(imported):
    before = figures()
    history = ObservationRevision.objects.count()
    response = imported.get(EXPORT_URL, {"first": "2022-04", "last": "2022-06"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["Figures"]
    texts = {cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert {"c", "k", "low", "u", "x", "z", "n/a", "<5", "<10"} <= texts
    # The key says what each symbol means.
    assert "c: suppressed to protect confidentiality" in texts
    assert "<10: suppressed: fewer than 10" in texts
    upload_and_confirm(imported, "kpi-figures.xlsx", response.content)
    assert latest_summary() == f"0 new, 0 changed, {len(TYPED)} unchanged"
    assert figures() == before
    assert ObservationRevision.objects.count() == history


def test_the_report_csv_and_import_back_change_nothing(imported, kpi_definitions):
    before = figures()
    history = ObservationRevision.objects.count()
    assert imported.post("/reports/start/", {"quarter": "2022-23/q1"}).status_code == 302
    response = imported.get("/reports/2022-23/q1/report.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    by_key = {(row[0], row[header.index("Month")]): row for row in rows[1:]}
    assert by_key[("1", "2022-06")][header.index("Value")] == "c"
    assert by_key[("7", "2022-06")][header.index("Symbols")] == "<5 = suppressed: fewer than 5"
    written = {row[header.index("Value")] for row in rows[1:]}
    assert {"c", "k", "low", "u", "x", "z", "n/a", "<5", "<10"} <= written
    upload_and_confirm(imported, "report.csv", response.content)
    assert latest_summary() == f"0 new, 0 changed, {len(TYPED)} unchanged"
    assert figures() == before
    assert ObservationRevision.objects.count() == history


def test_the_overview_and_its_downloads_show_each_symbol_with_its_meaning(imported):
    html = unescape(imported.get("/?month=2022-06").content.decode())
    key = html[html.index('id="symbol-key"') :]
    key = key[: key.index("</dl>")]
    for code in ("c", "k", "low", "u", "x", "z", "n/a", "<5", "<10"):
        assert f">{code}<" in key.replace("&lt;", "<"), code
    assert "suppressed to protect confidentiality" in key
    download = imported.get("/?month=2022-06&download=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(download)))
    header = rows[0]
    first = next(row for row in rows if row[0] == "1")
    assert first[header.index("Latest value")] == "c"
    assert first[header.index("Symbols")].startswith("c = suppressed to protect confidentiality")
    workbook = openpyxl.load_workbook(
        io.BytesIO(imported.get("/?month=2022-06&download=xlsx").content)
    )
    sheet = workbook.worksheets[0]
    values = {cell.value for row in sheet.iter_rows() for cell in row}
    assert {"c", "<5", "n/a"} <= values


def test_the_overview_has_no_symbol_key_without_symbols(demo_kpis, manager_client):
    html = manager_client.get("/?month=2022-06").content.decode()
    assert 'id="symbol-key"' not in html
