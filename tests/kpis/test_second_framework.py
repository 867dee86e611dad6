"""A second council's framework, set up on a fresh database as its analyst would: no demo
data, the organisation and its report's sections recorded in the admin, KPIs and targets
through the admin's forms, the figures through the import (upload, preview, confirm).

The framework is a children's services quarterly scorecard as councils publish them (the
council is a made-up "Example Borough Council"; the measures and the way their targets are
written follow councils' published quarterly performance reports): quarterly KPIs; a strict
target ("fewer than 85", at which 85 is not green); an amber floor ("target 45%, tolerance
40", at which 39.3% is red); a target relative to a benchmark (above the statistical-
neighbour average); a status the council states itself; a suppressed figure ("c"); a
year-to-date measure; a rate per 100,000. The overview, trend table, report page and report
workbook must read right for that council."""

import io
import re
from html import unescape
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.test import Client

from kpis.models import Benchmark, ImportedFile, Kpi, Observation, Section, Target
from reports.models import SectionTemplate
from sct_portal.models import current

pytestmark = pytest.mark.django_db

COUNCIL = "Example Borough Council"
PORTAL = "Example Borough Children's Services Performance"

FIGURES_CSV = """\
ref,period,value,status,stated reason
CS01,Q1 2021/22,92,,
CS01,Q2 2021/22,90,,
CS01,Q3 2021/22,88,,
CS01,Q4 2021/22,84,,
CS01,Q1 2022/23,85,,
CS02,Q1 2021/22,47.5,,
CS02,Q2 2021/22,46.1,,
CS02,Q3 2021/22,42.0,,
CS02,Q4 2021/22,44.8,,
CS02,Q1 2022/23,39.3,Amber: recovering after staff changes,"Assistant Director, QA Board 14 July"
CS03,Q1 2021/22,50.2,,
CS03,Q2 2021/22,51.0,,
CS03,Q3 2021/22,53.4,,
CS03,Q4 2021/22,54.0,,
CS03,Q1 2022/23,55.1,,
CS04,Q1 2021/22,312.4,,
CS04,Q2 2021/22,298.0,,
CS04,Q3 2021/22,301.7,,
CS04,Q4 2021/22,287.9,,
CS04,Q1 2022/23,276.3,good performance,"Youth Justice Board, 20 July 2022"
CS05,Q1 2021/22,41,,
CS05,Q2 2021/22,83,,
CS05,Q3 2021/22,120,,
CS05,Q4 2021/22,158,,
CS05,Q1 2022/23,36,,
CS06,Q1 2021/22,7,,
CS06,Q2 2021/22,9,,
CS06,Q3 2021/22,8,,
CS06,Q4 2021/22,c,,
CS06,Q1 2022/23,6,,
"""


def post_admin_form(client: Client, url: str, **fields: Any) -> Any:
    """Open an admin add page, fill in its form as shown (initial values, every inline's
    management form), change `fields`, and post it. Inline rows are given as
    "<prefix>-0-<field>"; the inline's TOTAL_FORMS is raised to cover them."""
    page = client.get(url)
    assert page.status_code == 200, url
    data: dict[str, Any] = {}
    form = page.context["adminform"].form
    for name, bound in ((n, form[n]) for n in form.fields):
        value = bound.value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    for inline in page.context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management[name].html_name] = management[name].value()
        prefix = formset.prefix
        given = {int(k.split("-")[-2]) for k in fields if k.startswith(f"{prefix}-")}
        if given:
            data[f"{prefix}-TOTAL_FORMS"] = str(max(given) + 1)
    data.update(fields)
    data = {name: value for name, value in data.items() if value is not None}  # None: unticked
    response = client.post(url, data)
    if response.status_code != 302:
        errors = []
        context = response.context or {}
        if "adminform" in context:
            errors.append(context["adminform"].form.errors)
        for inline in context.get("inline_admin_formsets", []):
            errors.append(inline.formset.errors)
        pytest.fail(f"{url} was not saved: {errors}")
    return response


@pytest.fixture
def council(db, analyst, analyst_client: Client) -> Client:
    """Example Borough Council's portal, set up through the admin and the import."""
    administrator = User.objects.create_superuser("council.admin", password="x")
    admin = Client()
    admin.force_login(administrator)
    assert not Kpi.objects.exists()
    assert not Observation.objects.exists()

    # The organisation: a council, with no finance or contract pages.
    post_admin_form(
        admin,
        "/admin/sct_portal/organisation/add/",
        name=COUNCIL,
        kind="council",
        area="Example Borough",
        la_code="",
        portal_name=PORTAL,
        uses_finance=None,
        uses_contract=None,
    )
    # Its own report: three sections, not the seed report's five.
    for template in SectionTemplate.objects.all():
        response = admin.post(
            f"/admin/reports/sectiontemplate/{template.pk}/delete/", {"post": "yes"}
        )
        assert response.status_code == 302
    for order, (heading, blocks) in enumerate(
        [
            ("Summary of performance", ["headlines"]),
            ("Children's services scorecard", ["kpi-table"]),
            ("Areas for improvement", []),
        ],
        1,
    ):
        post_admin_form(
            admin,
            "/admin/reports/sectiontemplate/add/",
            heading=heading,
            key="",
            order=str(order),
            blocks=blocks,
        )

    # The analyst defines the scorecard.
    for order, name in enumerate(["Early help and safeguarding", "Children in care"], 1):
        post_admin_form(analyst_client, "/admin/kpis/section/add/", name=name, order=str(order))
    safeguarding = Section.objects.get(name="Early help and safeguarding").pk
    in_care = Section.objects.get(name="Children in care").pk

    def kpi(ref: str, description: str, section: int, **fields: Any) -> None:
        post_admin_form(
            analyst_client,
            "/admin/kpis/kpi/add/",
            ref=ref,
            description=description,
            section=str(section),
            order=ref[-1],
            frequency="quarterly",
            **fields,
        )

    target = "targets"  # the target inline's prefix
    kpi(
        "CS01",
        "Children subject to a child protection plan for two years or more",
        safeguarding,
        unit="count",
        decimals="0",
        polarity="lower",
        is_headline="on",
        **{
            f"{target}-0-comparison": "fewer-than",
            f"{target}-0-basis": "fixed",
            f"{target}-0-value": "85",
            f"{target}-0-amber": "none",
            f"{target}-0-valid_from": "2021-04-01",
            f"{target}-0-source": "local-plan",
        },
    )
    kpi(
        "CS02",
        "Single assessments completed within 45 working days",
        safeguarding,
        unit="percent",
        decimals="1",
        polarity="higher",
        **{
            f"{target}-0-comparison": "at-least",
            f"{target}-0-basis": "fixed",
            f"{target}-0-value": "45",
            f"{target}-0-amber": "limit",
            f"{target}-0-amber_value": "40",
            f"{target}-0-valid_from": "2021-04-01",
            f"{target}-0-source": "local-plan",
        },
    )
    kpi(
        "CS03",
        "Care leavers aged 19 to 21 in education, employment or training",
        in_care,
        unit="percent",
        decimals="1",
        polarity="higher",
        **{
            f"{target}-0-comparison": "more-than",
            f"{target}-0-basis": "benchmark",
            f"{target}-0-comparator": "sn",
            f"{target}-0-statistic": "mean",
            f"{target}-0-value": "0",
            f"{target}-0-amber": "none",
            f"{target}-0-valid_from": "2021-04-01",
            f"{target}-0-source": "local-plan",
        },
    )
    kpi(
        "CS04",
        "First-time entrants to the youth justice system, rate per 100,000 aged 10 to 17",
        safeguarding,
        unit="rate-100000",
        decimals="1",
        polarity="lower",
    )
    kpi(
        "CS05",
        "Episodes of children missing from care, year to date",
        in_care,
        unit="count",
        decimals="0",
        polarity="lower",
        cumulative="on",
    )
    kpi(
        "CS06",
        "Private fostering arrangements notified",
        in_care,
        unit="count",
        decimals="0",
        polarity="neither",
    )
    for month, value in (("2021-03-01", "51.5"), ("2022-03-01", "52.0")):
        post_admin_form(
            analyst_client,
            "/admin/kpis/benchmark/add/",
            kpi=str(Kpi.objects.get(ref="CS03").pk),
            month=month,
            comparator="sn",
            statistic="mean",
            group="10 statistical neighbours",
            value=value,
            source="DfE, Children looked after in England, care leavers' activity",
        )

    # The figures, from the council's own sheet: uploaded, previewed, confirmed.
    file = io.BytesIO(FIGURES_CSV.encode())
    file.name = "scorecard-q1-2022-23.csv"
    response = analyst_client.post("/admin/kpis/importedfile/add/", {"file": file, "reason": ""})
    assert response.status_code == 302
    preview_url = response["Location"]
    preview = analyst_client.get(preview_url)
    assert "Stated: good performance — Youth Justice Board" in text_of(preview.content.decode())
    fingerprint = preview.context["form"].initial["fingerprint"]
    committed = analyst_client.post(
        preview_url, {"fingerprint": fingerprint, "reason": "", "confirm": "on"}
    )
    assert committed.status_code == 302
    assert Observation.objects.count() == 30
    assert ImportedFile.objects.get().summary.startswith("30 new, 0 changed, 0 unchanged")
    return analyst_client


def text_of(html: str) -> str:
    """A page's words, without its markup."""
    body = html[html.index("<body") :] if "<body" in html else html
    body = re.sub(r"<script.*?</script>|<svg.*?</svg>", " ", body, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_the_council_is_set_up_through_the_admin(council):
    organisation = current()
    assert (organisation.name, organisation.kind) == (COUNCIL, "council")
    assert (organisation.uses_finance, organisation.uses_contract) == (False, False)
    assert list(SectionTemplate.objects.values_list("heading", flat=True)) == [
        "Summary of performance",
        "Children's services scorecard",
        "Areas for improvement",
    ]
    assert Target.objects.count() == 3
    assert Kpi.objects.filter(frequency="quarterly").count() == 6
    assert Benchmark.objects.count() == 2
    suppressed = Observation.objects.get(kpi__ref="CS06", month="2022-03-01")
    assert (suppressed.value, suppressed.symbol) == (None, "c")
    stated = Observation.objects.get(kpi__ref="CS04", month="2022-06-01")
    assert (stated.stated_rag, stated.stated_words, stated.stated_reason) == (
        "",
        "good performance",
        "Youth Justice Board, 20 July 2022",
    )


def overview_row(html: str, ref: str) -> str:
    start = html.index(f'data-kpi="{ref}"')
    return html[start : html.index("</tr>", start)]


def test_the_overview_reads_right_for_the_council(council):
    html = council.get("/?month=2022-06").content.decode()
    words = text_of(html)
    assert PORTAL in words
    assert "trust" not in words.lower()
    assert "{#" not in html
    assert ">Finance<" not in html  # the council uses neither finance nor contract pages
    # Fewer than 85: 85 is not green (no amber band: red).
    assert "Red" in text_of(overview_row(html, "CS01"))
    assert "Green" not in text_of(overview_row(html, "CS01"))
    # Target 45%, amber floor 40: 39.3% is red; the council's own amber is stated beside it.
    cs02 = text_of(overview_row(html, "CS02"))
    assert "39.3%" in cs02
    assert "Red" in cs02
    assert "Stated: Amber: recovering after staff changes" in cs02
    # Above the statistical-neighbour average (52.0): 55.1% is green.
    assert "Green" in text_of(overview_row(html, "CS03"))
    # A rate per 100,000, with no target: no RAG, and the council's stated status.
    cs04 = text_of(overview_row(html, "CS04"))
    assert "276.3" in cs04
    assert "No target" in cs04
    assert "Stated: good performance" in cs04
    # Year to date: not given to SPC, compared with the same point last year.
    assert "Not analysed: year to date" in text_of(overview_row(html, "CS05"))
    # Quarterly: shown as quarters, compared with the previous quarter.
    cs01 = text_of(overview_row(html, "CS01"))
    assert "85 Q1 2022/23 84 Q4 2021/22" in cs01


def test_the_trend_table_has_quarter_columns_not_a_monthly_grid(council):
    html = council.get("/trend/2022-23/q1/").content.decode()
    words = text_of(html)
    assert "Quarterly KPIs, Q1 2021/22 to Q1 2022/23" in words
    for label in ("Q1 2021/22", "Q2 2021/22", "Q3 2021/22", "Q4 2021/22", "Q1 2022/23"):
        assert label in words
    headers = re.findall(r'<th scope="col"[^>]*sct-month[^>]*>([^<]+)</th>', html)
    assert headers == ["Q1 2021/22", "Q2 2021/22", "Q3 2021/22", "Q4 2021/22", "Q1 2022/23"]
    # Every KPI has a figure in every quarter: no cell says "no data".
    assert '<span class="govuk-visually-hidden">no data</span>' not in html
    assert "Against the previous quarter" in words
    assert "c : suppressed to protect confidentiality" in words
    assert "Stated: good performance" in words
    assert "trust" not in words.lower()
    # Year to date: the latest quarter against the same quarter last year (36 against 41).
    cs05 = text_of(html[html.index(">CS05<") : html.index("</tr>", html.index(">CS05<"))])
    assert "Better" in cs05
    assert "year to date: against the same quarter last year" in cs05


@pytest.fixture
def report(council):
    assert council.post("/reports/start/", {"quarter": "2022-23/q1"}).status_code == 302
    return council


def test_the_report_page_has_the_councils_sections_and_name(report):
    html = report.get("/reports/2022-23/q1/").content.decode()
    words = text_of(html)
    assert COUNCIL in words
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html, flags=re.S)
    headings = [" ".join(unescape(re.sub(r"<[^>]+>", "", h)).split()) for h in headings]
    for heading in ("Summary of performance", "Children's services scorecard"):
        assert heading in headings
    for seed in ("Workforce", "Finances", "Contractual matters"):
        assert seed not in headings
    assert "trust" not in words.lower()
    # The scorecard's figures, with the suppressed one as its symbol and the stated status.
    assert "39.3%" in words
    assert "Stated: Amber: recovering after staff changes" in words


def test_the_report_page_lays_quarterly_kpis_in_quarter_columns(report):
    html = report.get("/reports/2022-23/q1/").content.decode()
    headers = re.findall(r'<th scope="col"[^>]*sct-month[^>]*>([^<]+)</th>', html)
    assert headers == ["Q1 2021/22", "Q2 2021/22", "Q3 2021/22", "Q4 2021/22", "Q1 2022/23"]
    assert '<span class="govuk-visually-hidden">no data</span>' not in html


def workbook_texts(report: Client) -> dict[str, list[str]]:
    response = report.get("/reports/2022-23/q1/report.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return {
        sheet.title: [
            str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None
        ]
        for sheet in workbook.worksheets
    } | {"(properties)": [workbook.properties.creator or "", workbook.properties.title or ""]}


def test_the_report_workbook_reads_right_for_the_council(report):
    texts = workbook_texts(report)
    every = " ".join(" ".join(values) for values in texts.values())
    assert COUNCIL in every
    assert "trust" not in every.lower()
    assert not any(name.lower().startswith(("finance", "contract")) for name in texts)
    assert "CS06" in every
    assert "c" in texts.get("Data", texts.get("KPI data", []))


def test_the_report_workbook_lays_quarterly_kpis_in_quarter_columns(report):
    texts = workbook_texts(report)
    table = next(values for name, values in texts.items() if "KPI" in name)
    assert "Q1 2021/22" in table
    assert "Jul-21" not in table
