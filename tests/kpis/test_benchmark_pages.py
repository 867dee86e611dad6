"""The benchmark pages and the admin's import of published statistics, as an analyst and a
reader use them: a file of another indicator imports with a new mapping only, made in the
admin, and its KPI gets the same page."""

import csv
import re
import statistics
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kpis.models import BenchmarkMapping, Kpi, PublishedValue, Release, Section
from tests.kpis.test_published import C1, CLA, DATA, SN_2021, import_file, mapping_for_rate

RE_REFERRALS = "Re-referrals within 12 months"


def c1_rows(year: str) -> dict[str, dict[str, str]]:
    with open(DATA / C1, encoding="utf-8", newline="") as handle:
        return {
            row["old_la_code"]: row
            for row in csv.DictReader(handle)
            if row["time_period"] == year and row["geographic_level"] == "Local authority"
        }


def neighbours_2021(code: str) -> list[str]:
    with open(DATA / SN_2021, encoding="utf-8-sig", newline="") as handle:
        row = next(r for r in csv.reader(handle) if r and r[0] == code)
    return row[5:25:2]


@pytest.fixture
def re_referral_kpi(demo_kpis) -> Kpi:
    """A KPI the demo does not have, for an indicator the demo does not map."""
    return Kpi.objects.create(
        ref="RR",
        description="Re-referrals to children's social care within 12 months",
        section=Section.objects.get(name="Front door and assessment"),
        unit="percent",
        decimals=1,
        polarity="lower",
        frequency="monthly",
    )


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_new_indicator_imports_with_a_mapping_made_in_the_admin_and_gets_its_page(
    re_referral_kpi, analyst_client, viewer_client
):
    import_file(SN_2021)
    response = analyst_client.post(
        "/admin/kpis/benchmarkmapping/add/",
        {
            "name": RE_REFERRALS,
            "kpi": re_referral_kpi.pk,
            "file_name": C1,
            "publisher": "Department for Education",
            "publication": "Characteristics of children in need",
            "publication_url": "",
            "filters": "category = Referrals and Re-referrals",
            "value_column": "rereferral_percent",
            "time_periods": "2019-2025",
            "period_month": 3,
            "period_phrase": "in the year to 31 March",
            "definition_note": "DfE: referrals within 12 months of a previous referral, as a "
            "percentage of the year's referrals; ours: the same, month by month.",
            "time_column": "time_period",
            "level_column": "geographic_level",
            "la_code_column": "old_la_code",
            "ons_code_column": "new_la_code",
            "la_name_column": "la_name",
            "region_code_column": "region_code",
            "region_name_column": "region_name",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert BenchmarkMapping.objects.get(name=RE_REFERRALS).kpi == re_referral_kpi

    upload = SimpleUploadedFile(C1, (DATA / C1).read_bytes(), content_type="text/csv")
    response = analyst_client.post(
        "/admin/kpis/release/add/",
        {"file": upload, "label": "Characteristics of children in need, 2025"},
    )
    assert response.status_code == 302
    preview = analyst_client.get(response["Location"])
    page = text_of(preview.content.decode())
    assert f"Mapping “{RE_REFERRALS}”: KPI RR" in page
    assert "Time periods 2019, 2020, 2021, 2022, 2023, 2024, 2025" in page
    assert not PublishedValue.objects.exists()  # a preview writes nothing

    response = analyst_client.post(response["Location"])
    assert response.status_code == 302
    release = Release.objects.get(file_name=C1)
    assert release.imported_at is not None
    assert release.label == "Characteristics of children in need, 2025"

    la = c1_rows("2022")
    values = [Decimal(la[code]["rereferral_percent"]) for code in neighbours_2021("333")]
    numbers = [
        Decimal(r["rereferral_percent"])
        for r in la.values()
        if re.fullmatch(r"\d+(\.\d+)?", r["rereferral_percent"])
    ]
    own = Decimal(la["333"]["rereferral_percent"])
    assert own == Decimal("19.2")
    rank = 1 + sum(1 for v in numbers if v < own)  # lower is better
    html = viewer_client.get("/kpis/RR/benchmarks/?period=2022").content.decode()
    median = f"{statistics.median(values):.2f}".rstrip("0").rstrip(".")
    assert (
        f"19.2% in the year to 31 March 2022: below the median of its 10 statistical "
        f"neighbours ({median}%"
    ) in html
    assert (
        f"{rank}th lowest of {len(numbers)} authorities with a figure, where lowest is best" in html
    )
    assert "Characteristics of children in need" in html
    assert "File c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv" in html
    assert "Open Government Licence v3.0" in html


def test_a_problem_in_the_upload_is_shown_with_its_line_and_nothing_is_imported(
    demo_kpis, analyst_client
):
    mapping_for_rate(Kpi.objects.get(ref="CICR"))
    national_2022 = b"2022,Reporting year,National,E92000001,England,,,,,,Children looked after on"
    content = (DATA / CLA).read_bytes().replace(national_2022, b"2022/23" + national_2022[4:])
    upload = SimpleUploadedFile(CLA, content, content_type="text/csv")
    response = analyst_client.post("/admin/kpis/release/add/", {"file": upload})
    preview = analyst_client.get(response["Location"]).content.decode()
    assert "<title>Error:" in preview
    assert "Nothing can be imported from this file" in preview
    assert (
        '<th scope="row" class="entry-place">line 1506, column time_period</th><td><span '
        'class="entry-tag">Error:</span> “2022/23” is not a time period: a year (2022) or two '
        "years (202223) is expected"
    ) in preview
    assert 'value="Import' not in preview
    analyst_client.post(response["Location"])
    assert not Release.objects.imported().exists()
    assert not PublishedValue.objects.exists()


def test_the_kpi_page_links_to_its_benchmarks_only_when_mapped(demo_kpis, viewer_client):
    assert b"benchmarks-link" not in viewer_client.get("/kpis/CICR/").content
    page = viewer_client.get("/kpis/CICR/benchmarks/").content.decode()
    assert "No published statistics are compared with this KPI yet." in page
    mapping_for_rate(Kpi.objects.get(ref="CICR"))
    assert b'href="/kpis/CICR/benchmarks/"' in viewer_client.get("/kpis/CICR/").content


def test_an_unknown_period_says_so_and_shows_the_latest(demo_kpis, viewer_client):
    mapping_for_rate(Kpi.objects.get(ref="CICR"))
    import_file(CLA)
    page = viewer_client.get("/kpis/CICR/benchmarks/?period=1999").content.decode()
    assert "There is no published period “1999”: here is the latest." in page
    assert "at 31 March 2025" in page
    # without a statistical-neighbour model the page still ranks against England
    assert "highest of 151 authorities with a figure" in page


def test_only_analysts_import_and_everyone_signed_in_reads(demo_kpis, viewer_client, client):
    assert viewer_client.get("/admin/kpis/release/add/").status_code in (302, 403)
    assert viewer_client.get("/kpis/CICR/benchmarks/").status_code == 200
    assert client.get("/kpis/CICR/benchmarks/").status_code == 302  # sign in first


def test_the_published_file_record_names_what_it_superseded(demo_kpis, analyst_client):
    mapping_for_rate(Kpi.objects.get(ref="CICR"))
    older = import_file(CLA)
    content = (
        (DATA / CLA)
        .read_bytes()
        .replace(b",840,99\r\n", b",840,98\r\n")
        .replace(b",840,99\n", b",840,98\n")
    )
    newer = import_file(CLA, content)
    page = text_of(analyst_client.get(f"/admin/kpis/release/{older.pk}/change/").content.decode())
    assert f"Superseded by {newer}" in page
    page = text_of(analyst_client.get(f"/admin/kpis/release/{newer.pk}/change/").content.decode())
    assert "In force" in page
    assert f"It supersedes {older}" in page
    history = analyst_client.get("/admin/kpis/publishedvalue/?release=superseded")
    assert f"{PublishedValue.objects.filter(release=older).count()} published values" in (
        history.content.decode()
    )
