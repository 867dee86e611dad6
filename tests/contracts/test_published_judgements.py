"""Ofsted's published judgements of every authority: imported from the .ods file Ofsted
publishes, and shown on the contract page beside the statistical neighbours'."""

import csv
import datetime as dt
import io
import re
import zipfile

import pytest

from contracts.models import PublishedInspection
from kpis import demo, published
from kpis.models import Release
from tests.kpis.test_published import DATA, SN_2025

OUTCOMES = "LA_Inspection_Outcomes_as_at_31_March_2025.ods"
RI = "Requires improvement to be good"


@pytest.fixture
def benchmarks(demo_kpis) -> None:
    demo.load_benchmarks()


def test_the_outcomes_are_imported_with_their_dates_and_judgements(benchmarks):
    release = Release.objects.get(file_name=OUTCOMES)
    assert release.publisher == "Ofsted"
    assert release.label == "Local authority inspection outcomes as at 31 March 2025"
    assert release.published_on == dt.date(2025, 9, 25)  # from the file's cover
    # Ofsted's own facts (data/dfe/README): Sandwell inspected 9 May 2022, published 5 July
    # 2022, requires improvement overall and in the three sub-judgements then in use.
    sandwell = PublishedInspection.objects.get(
        ons_code="E08000028", kind="ILACS Standard Inspection"
    )
    assert (sandwell.inspected_on, sandwell.published_on) == (
        dt.date(2022, 5, 9),
        dt.date(2022, 7, 5),
    )
    assert [sandwell.get_overall_display(), sandwell.get_leadership_display()] == [RI, RI]
    assert [sandwell.get_help_and_protection_display(), sandwell.get_in_care_display()] == [RI, RI]
    assert sandwell.care_leavers == ""  # a sub-judgement only from 1 January 2023
    visit = PublishedInspection.objects.get(ons_code="E08000028", kind="ILACS Focused Visit")
    assert (visit.inspected_on, visit.theme, visit.overall) == (
        dt.date(2024, 10, 30),
        "Front door",
        "",
    )
    # authorities that no longer exist are kept with their history
    assert PublishedInspection.objects.filter(
        la_name="Cumbria", la_status="No longer exists"
    ).exists()


def test_the_contract_page_shows_the_judgements_beside_the_statistical_neighbours(
    benchmarks, viewer_client
):
    with open(DATA / SN_2025, encoding="utf-8-sig", newline="") as handle:
        names = {row["old_la_code"]: row["la_name"] for row in csv.DictReader(handle)}
        handle.seek(0)
        sandwell = next(row for row in csv.DictReader(handle) if row["old_la_code"] == "333")
    neighbours = [sandwell[f"SN_{n}"] for n in range(1, 11)]
    page = viewer_client.get("/contracts/?on=2026-01-31").content.decode()
    table = page.split('id="judgements-table"')[1].split("</table>")[0]
    rows = re.findall(r'data-authority="(\d{3})"', table)
    assert rows == ["333", *neighbours]  # the 2025 model is in force by January 2026
    first = table.split('data-authority="333"')[1].split("</tr>")[0]
    cells = [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", first, re.S)
    ]
    assert cells == [
        "9 May 2022 ILACS Standard Inspection",
        "5 Jul 2022",
        RI,
        RI,
        RI,
        RI,
        "not judged then",
    ]
    assert names["336"] in table
    assert "Sandwell: every inspection and visit since 2018 (2)" in page
    assert "Theme: Front door (a visit gives no judgement)" in page
    assert "Open Government Licence v3.0" in page
    # as at 2022 the 2021 groupings are in force: Birmingham (330) was a neighbour then
    earlier = viewer_client.get("/contracts/?on=2022-08-31").content.decode()
    assert 'data-authority="330"' in earlier


def test_the_neighbours_judgements_take_a_fixed_number_of_queries(
    benchmarks, django_assert_max_num_queries
):
    from contracts.summary import neighbour_judgements

    with django_assert_max_num_queries(6):
        found = neighbour_judgements(on=dt.date(2026, 1, 31))
    assert found is not None
    assert len(found.authorities) == 11
    assert found.own is not None
    assert found.own.latest is not None
    assert found.own.latest.overall == RI


def test_without_the_outcomes_the_page_says_nothing_of_them(demo_contracts, viewer_client):
    assert b"judgements-table" not in viewer_client.get("/contracts/").content


def with_content(replace: tuple[bytes, bytes]) -> bytes:
    """The .ods file with one piece of its content.xml replaced (once)."""
    source = zipfile.ZipFile(DATA / OUTCOMES)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "content.xml":
                history = data.index(b'table:name="ILACS_inspection_history"')
                at = data.index(replace[0], history)
                data = data[:at] + replace[1] + data[at + len(replace[0]) :]
            target.writestr(info, data)
    return buffer.getvalue()


def test_a_judgement_not_on_ofsted_s_scale_is_refused_with_its_cell(demo_kpis):
    content = with_content((b">Requires improvement to be good<", b">Requires improvment<"))
    plan = published.prepare(OUTCOMES, content)
    (problem,) = plan.problems
    assert str(problem) == (
        "The file: ILACS_inspection_history!I4: “Requires improvment” is not one of Ofsted's "
        "judgements (Outstanding, Good, Requires improvement to be good, Inadequate)"
    )
    with pytest.raises(published.ImportRefused):
        published.commit(plan, by=None)
    assert not PublishedInspection.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused(db):
    plan = published.prepare(OUTCOMES, b"not a zip file")
    assert [str(p) for p in plan.problems] == [
        "The file: it is not an OpenDocument spreadsheet (File is not a zip file)"
    ]


def test_next_year_s_outcomes_file_supersedes_this_year_s_whatever_its_name(benchmarks):
    current = Release.objects.get(file_name=OUTCOMES)
    content = with_content((b">Ofsted Local Authority Webpage<", b">Ofsted webpage<"))
    plan = published.prepare("LA_Inspection_Outcomes_as_at_31_March_2026.ods", content)
    assert not plan.problems, plan.problems
    assert plan.supersedes == current
    newer = published.commit(plan, by=None)
    current.refresh_from_db()
    assert current.superseded_by == newer
    assert PublishedInspection.objects.filter(release=current).exists()  # kept as history
