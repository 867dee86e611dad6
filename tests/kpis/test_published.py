"""Importing published statistics and reading positions from them: real files (the ones
shipped in kpis/published_data/, as DfE publishes them), a real database.

The expected figures are computed here from the files themselves with the csv and
statistics modules, never with the importer's code."""

import csv
import datetime as dt
import io
import re
import statistics
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kpis import comparisons, demo, published
from kpis.models import (
    BenchmarkMapping,
    ComparatorGroup,
    Geography,
    Kpi,
    Neighbour,
    NeighbourModel,
    PublishedValue,
    Release,
)

DATA = Path(demo.__file__).resolve().parent / "published_data"
CLA = "cla_number_and_rate_per_10k_children.csv"
CSWW = "csww_indicators_2017_to_2025.csv"
C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
SN_2021 = "New_Statistical_Neighbour_Groupings_April_2021.csv"
SN_2025 = "sn_model_2025_wide.csv"
IN_CARE = "Children looked after on 31 March each year"
MARCH_2022 = dt.date(2022, 3, 1)
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def rates(year: str) -> dict[str, str]:
    """Every local authority's published rate of children looked after at 31 March."""
    return {
        row["old_la_code"]: row["rate_per_10000"]
        for row in rows(CLA)
        if row["time_period"] == year
        and row["population_type"] == IN_CARE
        and row["geographic_level"] == "Local authority"
    }


def neighbours_in(name: str, code: str) -> list[str]:
    """An authority's ten neighbours, closest first, read from a statistical-neighbour file."""
    with open(DATA / name, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        columns = [i for i, cell in enumerate(header) if re.fullmatch(r"SN_?\d+", cell)]
        row = next(row for row in reader if row and row[0] == code)
    return [row[i] for i in columns]


def mapping_for_rate(kpi: Kpi) -> BenchmarkMapping:
    return BenchmarkMapping.objects.create(
        name="Children looked after at 31 March: rate",
        kpi=kpi,
        file_name=CLA,
        publication="Children looked after in England including adoptions",
        filters=f"population_type | population_count = {IN_CARE}",
        value_column="rate_per_10000 | rate",
        period_month=3,
        period_phrase="at 31 March",
        definition_note="DfE: at 31 March, ONS population; ours: quarter end, our own base.",
    )


def import_file(name: str, content: bytes | None = None, **options) -> Release:
    plan = published.prepare(
        name, content if content is not None else (DATA / name).read_bytes(), **options
    )
    assert not plan.problems, plan.problems
    return published.commit(plan, by=None)


@pytest.fixture
def rate_kpi(demo_kpis) -> Kpi:
    kpi = Kpi.objects.get(ref="CICR")
    mapping_for_rate(kpi)
    for name in (SN_2021, CLA):
        import_file(name)
    return kpi


def test_sandwell_s_2022_position_is_what_the_files_say(rate_kpi, viewer_client):
    la = rates("2022")
    assert la["333"] == "99"
    # March 2022 is compared with the model in force then: the 2021 groupings (in force from
    # April 2021, the month in their file's name), not the 2025 model (from April 2025).
    codes = neighbours_in(SN_2021, "333")
    assert codes == ["336", "335", "330", "831", "331", "892", "874", "861", "821", "889"]
    values = [Decimal(la[code]) for code in codes]
    numbers = [Decimal(v) for v in la.values() if NUMBER.match(v)]
    q1, q2, q3 = statistics.quantiles(numbers, n=4, method="inclusive")
    own = 99  # a context measure: A is the highest quarter (above Q3)
    expected_band = "A" if own > q3 else "B" if own > q2 else "C" if own > q1 else "D"

    found = comparisons.positions([rate_kpi], [MARCH_2022])[(rate_kpi.pk, MARCH_2022)]

    assert found.own_value == 99
    assert found.neighbours is not None
    assert [m.code for m in found.neighbours.members] == codes
    assert found.neighbours.median == statistics.median(values) == 96
    assert found.neighbours.mean == statistics.mean(values)
    assert found.standing is not None
    assert found.standing.rank == 1 + sum(1 for v in numbers if v > 99) == 33
    assert found.standing.of == len(numbers) == 151
    assert found.standing.joint == (sum(1 for v in numbers if v == 99) > 1)
    assert found.standing.band == expected_band
    assert found.england is not None
    assert found.england.figure is not None
    assert found.england.figure.value == 70
    assert found.region is not None
    assert found.region.name == "West Midlands"

    page = viewer_client.get("/kpis/CICR/benchmarks/?period=2022").content.decode()
    mean = f"{statistics.mean(values):.1f}"
    assert (
        f"99 per 10,000 at 31 March 2022: above the median of its 10 statistical neighbours "
        f"(96; mean {mean}) and above England (70); joint 33rd highest of "
        f"151 authorities with a figure, quartile {expected_band}"
    ) in page
    row = page.split('data-period="2022"')[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells] == [
        "99",
        "96",
        mean,
        "88",
        "70",
        f"joint {found.standing.rank} of 151, band {expected_band}",
    ]


def test_a_later_model_takes_over_from_the_month_it_comes_into_force(rate_kpi):
    import_file(SN_2025)
    march_2025 = dt.date(2025, 3, 1)
    both = comparisons.positions([rate_kpi], [march_2025, dt.date(2025, 4, 1)])
    # Both ask for the period at 31 March 2025, compared with the model in force then.
    assert both[(rate_kpi.pk, march_2025)].neighbour_model == "DfE statistical neighbours, 2021"
    model = NeighbourModel.objects.get(name="DfE statistical neighbours, 2025")
    model.in_force_from = dt.date(2025, 3, 1)
    model.save()
    found = comparisons.positions([rate_kpi], [march_2025])[(rate_kpi.pk, march_2025)]
    assert found.neighbour_model == "DfE statistical neighbours, 2025"
    assert found.neighbours is not None
    assert [m.code for m in found.neighbours.members] == neighbours_in(SN_2025, "333")
    assert neighbours_in(SN_2025, "333") == [
        "336", "810", "861", "335", "354", "380", "806", "331", "353", "821"
    ]  # fmt: skip


def test_a_month_is_compared_with_the_latest_period_up_to_it(rate_kpi):
    june_2022 = dt.date(2022, 6, 1)
    found = comparisons.positions([rate_kpi], [june_2022, dt.date(2020, 6, 1)])
    assert found[(rate_kpi.pk, june_2022)].month == MARCH_2022
    assert (rate_kpi.pk, dt.date(2020, 6, 1)) not in found  # before every period


def test_importing_the_same_file_again_changes_nothing(rate_kpi):
    counts = (Release.objects.count(), PublishedValue.objects.count(), Neighbour.objects.count())
    for name in (CLA, SN_2021):
        plan = published.prepare(name, (DATA / name).read_bytes())
        assert plan.changes_nothing
        assert published.commit(plan, by=None) == plan.existing
    out = io.StringIO()
    call_command("import_benchmarks", str(DATA / CLA), str(DATA / SN_2021), stdout=out)
    assert out.getvalue().count("nothing changes") == 2
    after = (Release.objects.count(), PublishedValue.objects.count(), Neighbour.objects.count())
    assert after == counts


def edited(name: str, replace: dict[str, str], *, row_edits=()) -> bytes:
    """The file with words of its header replaced and cells of some rows changed:
    row_edits are (predicate on the row, column, new text)."""
    with open(DATA / name, encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    header = table[0]
    for index, row in enumerate(table[1:], 1):
        record = dict(zip(header, row, strict=True))
        for test, column, text in row_edits:
            if test(record):
                table[index][header.index(column)] = text
    table[0] = [replace.get(cell, cell) for cell in header]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(table)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def wolverhampton_2025(record: dict[str, str]) -> bool:
    return (
        record["old_la_code"] == "336"
        and record["time_period"] == "2025"
        and record.get("population_type") == IN_CARE
    )


def test_a_newer_release_with_renamed_columns_supersedes_the_older_which_is_kept(
    rate_kpi, viewer_client
):
    older = Release.objects.get(file_name=CLA)
    kept = PublishedValue.objects.filter(release=older).count()
    # An earlier release called the filter population_count and the rate "rate"; the mapping
    # names both. This release also suppresses one of Sandwell's neighbours.
    content = edited(
        CLA,
        {"population_type": "population_count", "rate_per_10000": "rate"},
        row_edits=[(wolverhampton_2025, "rate_per_10000", "c")],
    )
    plan = published.prepare(CLA, content)
    assert not plan.problems, plan.problems
    assert plan.supersedes == older
    (item,) = plan.mapped
    assert (item.changed, item.added, item.dropped) == (1, 0, 0)
    assert item.changes[0].where == "Wolverhampton, 2025"
    assert (item.changes[0].old, item.changes[0].new) == ("73.0000", "c")
    newer = published.commit(plan, by=None)

    older.refresh_from_db()
    assert older.superseded_by == newer
    assert PublishedValue.objects.filter(release=older).count() == kept  # history kept
    march_2025 = dt.date(2025, 3, 1)
    found = comparisons.positions([rate_kpi], [march_2025])[(rate_kpi.pk, march_2025)]
    assert found.neighbours is not None
    assert [m.name for m in found.neighbours.suppressed] == ["Wolverhampton"]
    others = [Decimal(rates("2025")[c]) for c in neighbours_in(SN_2021, "333") if c != "336"]
    assert found.neighbours.median == statistics.median(others)
    assert found.neighbours.mean == statistics.mean(others)

    page = viewer_client.get("/kpis/CICR/benchmarks/").content.decode()
    assert "median of 9 of its 10 statistical neighbours" in page
    assert (
        'Wolverhampton</th>\n      <td class="govuk-table__cell">Very close</td>\n      '
        '<td class="govuk-table__cell govuk-table__cell--numeric sct-value"><span '
        'class="sct-symbol">c</span> <span class="sct-symbol__meaning">(suppressed to protect '
        "confidentiality)</span>"
    ) in page
    assert "Left out of the median and mean: 1 of the 10 neighbours (Wolverhampton: c" in page
    assert '<span class="sct-symbol">c</span></dt><dd class="govuk-summary-list__value">' in page


def test_an_older_release_cannot_supersede_a_newer_one(rate_kpi):
    older = Release.objects.get(file_name=CLA)
    older.published_on = dt.date(2025, 11, 20)
    older.save()
    content = edited(CLA, {}, row_edits=[(wolverhampton_2025, "rate_per_10000", "74")])
    plan = published.prepare(CLA, content, published_on=dt.date(2024, 11, 21))
    assert [str(p) for p in plan.problems] == [
        "The file: this release is dated 21 November 2024, before the one in force (20 "
        "November 2025): an older release cannot supersede a newer one"
    ]


def sandwell_2022(record: dict[str, str]) -> bool:
    return (
        record["old_la_code"] == "333"
        and record["time_period"] == "2022"
        and record["population_type"] == IN_CARE
    )


def test_a_bad_value_names_its_line_and_column_and_nothing_is_written(rate_kpi, tmp_path):
    before = (Release.objects.imported().count(), PublishedValue.objects.count())
    content = edited(CLA, {}, row_edits=[(sandwell_2022, "rate_per_10000", "99a")])
    line = next(i for i, r in enumerate(rows(CLA), 2) if sandwell_2022(r))
    plan = published.prepare(CLA, content)
    assert [str(p) for p in plan.problems] == [
        f"line {line}, column rate_per_10000: Sandwell, 2022: “99a” is neither a number nor a "
        "symbol (c, k, low, u, x, z, n/a, <5)"
    ]
    with pytest.raises(published.ImportRefused):
        published.commit(plan, by=None)
    path = tmp_path / CLA
    path.write_bytes(content)
    errors = io.StringIO()
    with pytest.raises(CommandError, match=f"Nothing was imported from {CLA}"):
        call_command("import_benchmarks", str(path), stdout=io.StringIO(), stderr=errors)
    assert f"Problem: line {line}, column rate_per_10000" in errors.getvalue()
    assert (Release.objects.imported().count(), PublishedValue.objects.count()) == before


def test_a_missing_column_is_named_with_the_columns_the_file_has(rate_kpi):
    content = edited(CLA, {"rate_per_10000": "rate_per_10k"})
    plan = published.prepare(CLA, content)
    (problem,) = plan.problems
    assert problem.message.startswith(
        "mapping “Children looked after at 31 March: rate”: the file has no value column "
        "“rate_per_10000” or “rate”; its columns are: time_period, time_identifier"
    )
    assert "rate_per_10k" in problem.message


def test_a_mapping_that_leaves_two_rows_for_an_authority_says_which_column_differs(demo_kpis):
    mapping = mapping_for_rate(Kpi.objects.get(ref="CICR"))
    mapping.filters = ""
    mapping.save()
    plan = published.prepare(CLA, (DATA / CLA).read_bytes())
    first = plan.problems[0]
    assert "finds a second row for England, 2025 (the first is line 2)" in first.message
    assert "population_type (“Children ceasing to be looked after each year” and" in first.message
    assert first.line == 3


def test_rows_of_the_wrong_length_and_files_that_are_not_utf8_are_refused(rate_kpi):
    text = (DATA / CLA).read_text(encoding="utf-8-sig").splitlines()
    text[5] = text[5] + ",extra"
    plan = published.prepare(CLA, "\n".join(text).encode())
    assert str(plan.problems[0]).startswith(
        "line 6: the row has 15 values and the header 14 columns"
    )
    plan = published.prepare(CLA, "time_period,la_name\n2022,Bristol – City\n".encode("cp1252"))
    assert str(plan.problems[0]).startswith("The file: it is not UTF-8 text")


def test_quoted_commas_byte_order_marks_and_symbols_are_read_as_published(rate_kpi):
    bcp = Geography.objects.get(code="839")
    assert bcp.name == "Bournemouth, Christchurch and Poole"
    assert bcp.region is not None
    assert bcp.region.name == "South West"
    suppressed = [
        (r["la_name"], r["time_period"])
        for r in rows(CLA)
        if r["population_type"] == IN_CARE and r["rate_per_10000"] == "c"
    ]
    stored = PublishedValue.objects.filter(symbol="c").values_list("geography__name", "time_period")
    assert list(stored) == suppressed
    assert PublishedValue.objects.get(symbol="c").value is None
    # Cumberland (from 2023) is "z", not applicable, in the years before it existed
    cumberland = PublishedValue.objects.filter(geography__code="942").order_by("time_period")
    assert [(v.time_period, v.symbol or str(v.value)) for v in cumberland][:2] == [
        ("2021", "z"),
        ("2022", "z"),
    ]


def test_no_mapping_names_the_file(demo_kpis):
    plan = published.prepare(C1, (DATA / C1).read_bytes())
    assert str(plan.problems[0]).startswith(
        f"The file: no benchmark mapping names the file “{C1}”: add one in the admin"
    )


def test_the_statistical_neighbour_files_are_read_with_their_closeness(demo_kpis):
    plan = published.prepare(SN_2021, (DATA / SN_2021).read_bytes())
    assert plan.notes[0] == "line 155: “Old SNs:”, not an authority's row"
    import_file(SN_2021)
    import_file(SN_2025)
    model = NeighbourModel.objects.get(name="DfE statistical neighbours, 2025")
    assert model.in_force_from == dt.date(2025, 4, 1)
    sandwell = list(model.neighbours.filter(authority_code="333").order_by("rank"))
    assert [(n.neighbour_name, n.closeness) for n in sandwell[:3]] == [
        ("Wolverhampton", "Very close"),
        ("Kingston upon Hull, City of", "Very close"),
        ("Stoke-on-Trent", "Close"),
    ]
    older = NeighbourModel.objects.get(name="DfE statistical neighbours, 2021")
    assert older.in_force_from == dt.date(2021, 4, 1)
    # the pre-2021 authorities after "Old SNs:" are kept (Northamptonshire, before its split)
    assert older.neighbours.filter(authority_code="928").count() == 10


def test_positions_take_a_fixed_number_of_queries(rate_kpi, django_assert_max_num_queries):
    kpis = list(Kpi.objects.filter(ref__in=["13", "14"]))
    for kpi in kpis:
        BenchmarkMapping.objects.create(
            name=f"Workforce {kpi.ref}",
            kpi=kpi,
            file_name=CSWW,
            publication="Children's social work workforce",
            value_column="vacancy_rate_fte" if kpi.ref == "13" else "caseload_fte",
            period_month=9,
            period_phrase="at 30 September",
            definition_note="DfE: at 30 September.",
        )
    import_file(CSWW)
    months = [dt.date(2022, 3, 1), dt.date(2022, 9, 1), dt.date(2024, 12, 1)]
    with django_assert_max_num_queries(10):
        one = comparisons.positions([rate_kpi], months)
    every = list(Kpi.objects.all())
    with django_assert_max_num_queries(10):
        many = comparisons.positions(every, months)
    assert len(one) == 3
    assert len(many) == 9
    vacancy = many[(kpis[0].pk if kpis[0].ref == "13" else kpis[1].pk, dt.date(2022, 9, 1))]
    workforce = {r["old_la_code"]: r for r in rows(CSWW) if r["time_period"] == "2022"}
    assert vacancy.own_value == Decimal(workforce["333"]["vacancy_rate_fte"]) == Decimal("27.5")


def test_a_mapping_checks_its_filters_periods_and_month(demo_kpis):
    mapping = BenchmarkMapping(
        name="Wrong",
        kpi=Kpi.objects.get(ref="CICR"),  # quarterly
        file_name=CLA,
        publication="Children looked after",
        filters="population_type",
        value_column=" | ",
        time_periods="2025-2021",
        period_month=8,
        definition_note="x",
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        mapping.full_clean()
    errors = raised.value.message_dict
    assert errors["filters"][0].startswith("Filters, line 1 (“population_type”) is not of the form")
    assert errors["time_periods"] == ["Time periods: “2025-2021” ends before it starts."]
    assert errors["value_column"] == [
        "Value column: name the column (alternatives separated by |)."
    ]
    assert errors["period_month"] == [
        "KPI CICR is quarterly (recorded at the quarter's last month): it has no figure in "
        "August to compare with."
    ]


def test_the_demo_loads_the_published_statistics_once(demo_kpis):
    first = demo.load_benchmarks()
    assert first == {"files": 5, "mappings": 3, "groups": 1}
    counts = (
        Release.objects.count(),
        PublishedValue.objects.count(),
        Neighbour.objects.count(),
        Geography.objects.count(),
    )
    assert demo.load_benchmarks() == {"files": 0, "mappings": 0, "groups": 0}
    assert counts == (
        Release.objects.count(),
        PublishedValue.objects.count(),
        Neighbour.objects.count(),
        Geography.objects.count(),
    )
    group = ComparatorGroup.objects.get()
    march_2022 = comparisons.positions([Kpi.objects.get(ref="CICR")], [MARCH_2022])
    (found,) = march_2022.values()
    (five,) = found.groups
    la = rates("2022")
    assert sorted(m.code for m in five.members) == sorted(g.code for g in group.members.all())
    # the seed report's statistical-neighbour average for March 2022, from DfE's rates
    assert (
        five.mean == statistics.mean(Decimal(la[m.code]) for m in five.members) == Decimal("102.6")
    )


def test_where_a_file_publishes_no_region_or_england_their_authorities_mean_is_computed(
    demo_kpis, viewer_client
):
    kpi = Kpi.objects.get(ref="CICR")
    mapping_for_rate(kpi)
    lines = (DATA / CLA).read_text(encoding="utf-8-sig").splitlines()
    only_authorities = [lines[0]] + [line for line in lines[1:] if ",Local authority," in line]
    import_file(CLA, "\n".join(only_authorities).encode())
    found = comparisons.positions([kpi], [MARCH_2022])[(kpi.pk, MARCH_2022)]
    la = rates("2022")
    numbers = [Decimal(v) for v in la.values() if NUMBER.match(v)]
    assert found.england is not None
    assert found.england.figure is None
    assert found.england.value == statistics.mean(numbers)
    west_midlands = [
        Decimal(r["rate_per_10000"])
        for r in rows(CLA)
        if r["time_period"] == "2022"
        and r["population_type"] == IN_CARE
        and r["geographic_level"] == "Local authority"
        and r["region_name"] == "West Midlands"
    ]
    assert found.region is not None
    assert found.region.value == statistics.mean(west_midlands)
    assert "the mean of England's authorities (" in found.sentence
    assert "England's own figure is not in the file" in found.sentence
    page = viewer_client.get("/kpis/CICR/benchmarks/?period=2022").content.decode()
    assert "The file publishes no figure for England: the mean of every authority's" in page


def test_a_dry_run_says_what_would_change_and_writes_nothing(demo_kpis):
    mapping_for_rate(Kpi.objects.get(ref="CICR"))
    out = io.StringIO()
    call_command("import_benchmarks", str(DATA / CLA), "--dry-run", stdout=out)
    assert (
        "Mapping “Children looked after at 31 March: rate” (KPI CICR): 835 values, periods "
        "2021, 2022, 2023, 2024, 2025; 835 new, 0 changed, 0 unchanged, 0 no longer published."
    ) in out.getvalue()
    assert "Dry run: nothing was written." in out.getvalue()
    assert not Release.objects.exists()
    assert not PublishedValue.objects.exists()
