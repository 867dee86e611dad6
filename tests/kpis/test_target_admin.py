"""Targets as councils write them, set up in a fresh database through the admin as a new
council's analyst would, then judged at their boundaries on the overview and the trend table.
Also the target form's checks, each naming its field, and the rule shown as a sentence."""

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest

from kpis.models import Kpi, Section, Target
from tests.recording import delete, record

pytestmark = pytest.mark.django_db

MANAGEMENT = {
    "TOTAL_FORMS": "0",
    "INITIAL_FORMS": "0",
    "MIN_NUM_FORMS": "0",
    "MAX_NUM_FORMS": "1000",
}
NO_TARGET = {
    "comparison": "at-least",
    "basis": "fixed",
    "value": "",
    "upper": "",
    "comparator": "",
    "statistic": "",
    "baseline_month": "",
    "amber": "none",
    "amber_value": "",
    "valid_from": "01/04/2021",
    "valid_to": "",
    "source": "local-plan",
    "source_detail": "",
}


def text(html: str) -> str:
    html = re.sub(r'<(span|svg)[^>]*aria-hidden="true"[^>]*>.*?</\1>', " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def inline(prefix: str, forms: list[dict[str, str]]) -> dict[str, str]:
    data = {f"{prefix}-{key}": value for key, value in MANAGEMENT.items()}
    data[f"{prefix}-TOTAL_FORMS"] = str(len(forms))
    for index, form in enumerate(forms):
        data |= {f"{prefix}-{index}-{name}": value for name, value in form.items()}
    return data


def add_kpi(client, section: Section, spec: dict[str, Any]):
    """Post the KPI's add page with its targets and benchmarks, as the analyst fills it in."""
    kpi = {key: value for key, value in spec.items() if key not in ("targets", "benchmarks")}
    targets, benchmarks = spec["targets"], spec.get("benchmarks", [])
    data = {
        "description": f"KPI {kpi['ref']}",
        "short_name": "",
        "section": str(section.pk),
        "order": "0",
        "is_active": "on",
        "decimals": "0",
        "frequency": "monthly",
        "in_kpi_table": "on",
        "definition": "",
        **kpi,
    }
    data |= inline("targets", [NO_TARGET | target for target in targets])
    data |= inline("goals", [])
    data |= {"chart": "xmr", "baseline_length": ""}
    for prefix in ("change_points", "baseline_exclusions", "annotations"):
        data |= inline(prefix, [])
    data |= inline("benchmarks", benchmarks)
    return client.post("/admin/kpis/kpi/add/", data)


def figures(ref: str, values: dict[str, str]) -> None:
    kpi = Kpi.objects.get(ref=ref)
    for month, value in values.items():
        record(kpi, dt.date.fromisoformat(f"{month}-01"), value)


@pytest.fixture
def council(analyst_client):
    """A council's framework keyed into an empty portal: six KPIs, one target of each kind."""
    assert not Kpi.objects.exists()
    response = analyst_client.post("/admin/kpis/section/add/", {"name": "Early help", "order": "1"})
    assert response.status_code == 302
    section = Section.objects.get()
    kpis: list[dict[str, Any]] = [
        # "Fewer than 85" re-referrals a month: 85 is not green.
        {
            "ref": "EH1",
            "unit": "count",
            "polarity": "lower",
            "targets": [{"comparison": "fewer-than", "value": "85"}],
        },
        # "Target 45%, tolerance 40": an amber floor of 40%.
        {
            "ref": "EH2",
            "unit": "percent",
            "decimals": "1",
            "polarity": "higher",
            "targets": [{"value": "45", "amber": "limit", "amber_value": "40"}],
        },
        # "Less than 22%" of re-referrals within 12 months.
        {
            "ref": "EH3",
            "unit": "percent",
            "decimals": "1",
            "polarity": "lower",
            "targets": [{"comparison": "fewer-than", "value": "22"}],
        },
        # Caseloads "between 15 and 20": neither higher nor lower is better.
        {
            "ref": "EH4",
            "unit": "average",
            "decimals": "2",
            "polarity": "neither",
            "targets": [{"comparison": "between", "value": "15", "upper": "20"}],
        },
        # "Above the statistical-neighbour average", with the averages as benchmarks.
        {
            "ref": "EH5",
            "unit": "rate",
            "decimals": "1",
            "polarity": "higher",
            "targets": [{"comparison": "more-than", "basis": "benchmark", "comparator": "sn"}],
            "benchmarks": [
                {
                    "month": "01/03/2022",
                    "comparator": "sn",
                    "statistic": "mean",
                    "group": "10 authorities",
                    "value": "60.0",
                    "source": "DfE",
                },
                {  # a median is not the average the target names
                    "month": "01/05/2022",
                    "comparator": "sn",
                    "statistic": "median",
                    "group": "",
                    "value": "99.0",
                    "source": "DfE",
                },
            ],
        },
        # "An additional 800" episodes on March 2022's figure, from April 2022.
        {
            "ref": "EH6",
            "unit": "count",
            "polarity": "higher",
            "targets": [
                {
                    "value": "800",
                    "basis": "own-figure",
                    "baseline_month": "01/03/2022",
                    "valid_from": "01/04/2022",
                }
            ],
        },
    ]
    for spec in kpis:
        response = add_kpi(analyst_client, section, spec)
        assert response.status_code == 302, spec["ref"]
    figures("EH1", {"2022-04": "84", "2022-05": "85", "2022-06": "86"})
    figures("EH2", {"2022-04": "45", "2022-05": "40", "2022-06": "39.3"})
    figures("EH3", {"2022-04": "21.9", "2022-05": "22", "2022-06": "22.1"})
    figures("EH4", {"2022-03": "14.99", "2022-04": "15", "2022-05": "20", "2022-06": "20.01"})
    figures("EH5", {"2022-02": "70", "2022-03": "60", "2022-06": "60.1"})
    figures("EH6", {"2022-03": "1000", "2022-04": "1799", "2022-05": "1800", "2022-06": "2000"})
    return section


def trend_row(page: str, ref: str) -> list[str]:
    body = page.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>.*?</td>", row, re.S)
        if text(cells[0]) == ref:
            return [text(cell) for cell in cells]
    raise AssertionError(ref)


def test_the_trend_table_judges_each_target_as_written_at_its_boundaries(council, manager_client):
    page = manager_client.get("/trend/2022-23/q1/").content.decode()
    months = slice(12, 16)  # Mar-22 to Jun-22 of Apr-21 … Jun-22, after the Ref column
    assert trend_row(page, "EH1")[months] == ["no data", "84 , green", "85 , red", "86 , red"]
    assert trend_row(page, "EH2")[months] == [
        "no data",
        "45.0% , green",
        "40.0% , amber",
        "39.3% , red",
    ]
    assert trend_row(page, "EH3")[months][1:] == ["21.9% , green", "22.0% , red", "22.1% , red"]
    assert trend_row(page, "EH4")[months] == [
        "14.99 , red",
        "15.00 , green",
        "20.00 , green",
        "20.01 , red",
    ]
    eh5 = trend_row(page, "EH5")
    assert eh5[11] == "70.0 , not judged: no benchmark"  # Feb-22: before the first average
    assert eh5[12] == "60.0 , red"  # the average itself is not above it
    assert eh5[15] == "60.1 , green"  # the median of May-22 is not the average
    assert trend_row(page, "EH6")[months] == [
        "1,000",  # the starting month: no target yet
        "1,799 , red",
        "1,800 , green",
        "2,000 , green",
    ]
    targets = {ref: trend_row(page, ref)[16] for ref in ("EH1", "EH2", "EH3", "EH4", "EH5", "EH6")}
    assert targets == {
        "EH1": "fewer than 85",
        "EH2": "at least 45.0% (amber from 40.0%)",
        "EH3": "less than 22.0%",
        "EH4": "between 15.00 and 20.00",
        "EH5": "more than the statistical-neighbour average (60.0)",
        "EH6": "at least the figure for March 2022 plus 800 (1,800)",
    }
    assert "not judged: no benchmark, or no starting figure" in text(page)  # the key says "?"


def overview_rag(client, month: str) -> dict[str, str]:
    page = client.get("/", {"month": month}).content.decode()
    found = {}
    for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', page, re.S):
        if ref := re.search(r'data-kpi="([^"]+)"', row):
            tag = re.search(r'<strong class="sct-rag sct-rag--[^"]+">([^<]+)</strong>', row)
            assert tag, ref[1]
            found[ref[1]] = tag[1]
    return found


def test_the_overview_judges_the_latest_figure_by_the_rule_as_written(council, manager_client):
    assert overview_rag(manager_client, "2022-04") == {
        "EH1": "Green",
        "EH2": "Green",
        "EH3": "Green",
        "EH4": "Green",
        "EH5": "Red",  # March's 60.0, not above the average of 60.0
        "EH6": "Red",
    }
    assert overview_rag(manager_client, "2022-05") == {
        "EH1": "Red",  # fewer than 85, at 85
        "EH2": "Amber",  # at the amber floor of 40%
        "EH3": "Red",  # less than 22%, at 22%
        "EH4": "Green",  # between 15 and 20, at 20
        "EH5": "Red",
        "EH6": "Green",  # 1,000 and an additional 800
    }
    assert overview_rag(manager_client, "2022-06")["EH2"] == "Red"  # 39.3%, under the floor
    february = overview_rag(manager_client, "2022-02")
    assert february["EH5"] == "Not judged: no benchmark"


def test_the_kpi_page_says_the_rule_and_why_a_figure_is_not_judged(council, manager_client):
    page = text(manager_client.get("/kpis/EH1/").content.decode())
    assert "fewer than 85 (local plan) Red Green under 85; red at 85 or more." in page
    assert "86 in June 2022: worse than May 2022 (85)" in page
    assert "above its target of fewer than 85 (red)" in page
    delete("EH5", dt.date(2022, 6, 1))
    delete("EH5", dt.date(2022, 3, 1))
    page = text(manager_client.get("/kpis/EH5/").content.decode())
    assert (
        "70.0 in February 2022: no figure for January 2022 and no figure for February 2021; "
        "not judged: no benchmark for February 2022 (its target: more than the "
        "statistical-neighbour average)"
    ) in page
    assert (
        "Not judged No assurance: the target is measured from a benchmark, and there is none yet."
    ) in page
    page = text(manager_client.get("/kpis/EH4/").content.decode())
    assert (
        "No assurance: a process is assured against a target on one side, not against a range "
        "(between 15.00 and 20.00)."
    ) in page


# ---------------------------------------------------------------------------------------
# The target form's checks, each naming its field


@pytest.fixture
def percent_kpi(db):
    section = Section.objects.create(name="Front door")
    return Kpi.objects.create(
        ref="A1", description="Timeliness", section=section, unit="percent", decimals=1,
        polarity="higher",
    )  # fmt: skip


def post_target(client, kpi: Kpi, **fields: str):
    return client.post("/admin/kpis/target/add/", NO_TARGET | {"kpi": str(kpi.pk)} | fields)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"comparison": "between", "value": "15"},
            "upper",
            "Target for KPI A1: a range needs both ends; give its upper end.",
        ),
        (
            {"comparison": "between", "value": "20", "upper": "15"},
            "upper",
            "Target for KPI A1: the upper end (15.0%) must be above the lower end (20.0%).",
        ),
        (
            {"value": "45", "amber": "limit", "amber_value": "50"},
            "amber_value",
            "Target for KPI A1: the amber floor (50.0%) must be below the target (45.0%).",
        ),
        (
            {"value": "45", "amber": "distance"},
            "amber_value",
            "Target for KPI A1: give the amber distance.",
        ),
        (
            {"value": "45", "amber_value": "40"},
            "amber_value",
            "Target for KPI A1: there is no amber band; clear this value, or say how the band "
            "is given.",
        ),
        (
            {"value": "104"},
            "value",
            "Target for KPI A1: a percentage must be between 0 and 100, not 104.",
        ),
        (
            {"comparison": "fewer-than", "value": "22"},
            "comparison",
            "Target for KPI A1: KPI A1 is higher-is-better, so “fewer than / less than” would "
            "call a worse figure green; choose “at least” or “more than”.",
        ),
        ({"value": ""}, "value", "Target for KPI A1: give the target value."),
        (
            {"value": "0", "basis": "benchmark"},
            "comparator",
            "Target for KPI A1: say which benchmark it is relative to.",
        ),
        (
            {"value": "5", "basis": "own-figure", "baseline_month": "01/04/2021"},
            "baseline_month",
            "Target for KPI A1: the starting month must be before the target's first month in "
            "force.",
        ),
        (
            {"value": "5", "comparator": "sn"},
            "comparator",
            "Target for KPI A1: only a target relative to a benchmark names one; clear it.",
        ),
        (
            {"value": "5", "upper": "6"},
            "upper",
            "Target for KPI A1: only “between” has an upper end; clear it.",
        ),
    ],
)
def test_a_target_that_cannot_be_meant_is_refused_naming_its_field(
    analyst_client, percent_kpi, fields, field, message
):
    response = post_target(analyst_client, percent_kpi, **fields)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors.keys() == {field}
    assert errors[field] == [message]
    assert not Target.objects.exists()


def test_a_saved_target_shows_its_rule_as_a_sentence_without_javascript(
    analyst_client, percent_kpi
):
    response = post_target(analyst_client, percent_kpi, value="45", amber="limit", amber_value="40")
    assert response.status_code == 302
    target = Target.objects.get()
    listing = text(analyst_client.get("/admin/kpis/target/").content.decode())
    assert "Green at 45.0% or more; amber from 40.0% to under 45.0%; red under 40.0%." in listing
    page = analyst_client.get(f"/admin/kpis/target/{target.pk}/change/").content.decode()
    output = re.search(
        r'<output class="target-rule" aria-live="polite" data-url="([^"]+)">(.*?)</output>', page
    )
    assert output
    assert output[1] == "/admin/kpis/target/rule/"
    assert unescape(output[2]) == (
        "Green at 45.0% or more; amber from 40.0% to under 45.0%; red under 40.0%."
    )
    kpi_page = analyst_client.get(f"/admin/kpis/kpi/{percent_kpi.pk}/change/").content.decode()
    assert "Green at 45.0% or more; amber from 40.0% to under 45.0%" in kpi_page
    assert re.search(
        r'<script src="/static/js/admin/target-rule.mjs"[^>]* type="module">', kpi_page
    )


def test_the_preview_says_the_rule_as_typed_or_what_stops_it(analyst_client, percent_kpi):
    url = "/admin/kpis/target/rule/"
    rule = NO_TARGET | {"kpi": str(percent_kpi.pk), "value": "45", "amber": "limit"}
    found = analyst_client.get(url, rule | {"amber_value": "40"}).json()
    assert found == {
        "sentence": "Green at 45.0% or more; amber from 40.0% to under 45.0%; red under 40.0%.",
        "problems": [],
    }
    found = analyst_client.get(url, rule | {"amber_value": "46"}).json()
    assert found["sentence"] == ""
    assert found["problems"] == [
        "Target for KPI A1: the amber floor (46.0%) must be below the target (45.0%)."
    ]
    # On a KPI's own page, the KPI as typed so far (not saved yet): a count, lower is better.
    typed = {"ref": "B7", "unit": "count", "decimals": "0", "polarity": "lower"}
    found = analyst_client.get(
        url, NO_TARGET | typed | {"comparison": "fewer-than", "value": "85"}
    ).json()
    assert found["sentence"] == "Green under 85; red at 85 or more."


def test_only_those_who_keep_targets_may_ask_for_the_preview(
    manager_client, viewer_client, percent_kpi
):
    url = "/admin/kpis/target/rule/"
    assert manager_client.get(url, {"kpi": str(percent_kpi.pk)}).status_code == 403
    assert viewer_client.get(url).status_code in (302, 403)


def test_without_its_starting_figure_an_additional_800_is_not_judged(council, manager_client):
    delete("EH6", dt.date(2022, 3, 1))
    page = manager_client.get("/trend/2022-23/q1/").content.decode()
    assert trend_row(page, "EH6")[13:16] == [
        "1,799 , not judged: no starting figure",
        "1,800 , not judged: no starting figure",
        "2,000 , not judged: no starting figure",
    ]
    assert trend_row(page, "EH6")[16] == "at least the figure for March 2022 plus 800"
    page = text(manager_client.get("/kpis/EH6/").content.decode())
    assert (
        "not judged: no figure for March 2022, the starting month (its target: at least the "
        "figure for March 2022 plus 800)"
    ) in page
    assert overview_rag(manager_client, "2022-06")["EH6"] == "Not judged: no starting figure"
