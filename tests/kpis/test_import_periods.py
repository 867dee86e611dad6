"""Imports read the periods councils paste: quarters ("Q1 2022/23", "2022/23 Q1",
"Quarter 1 2022-23", "Apr–Jun 2022", "Apr-Jun 22") as columns of the report's layout and
as rows of the long one, and dates ("30/06/2022", "end June 2022", "as at 30 June 2022").
A quarterly KPI's figure is recorded at its quarter's last month; a quarter given for a
monthly KPI is refused saying so."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from kpis import imports
from kpis.models import Observation
from tests.kpis.conftest import workbook_bytes

pytestmark = pytest.mark.django_db


def figure(ref: str, month: dt.date) -> Decimal | None:
    return Observation.objects.get(kpi__ref=ref, month=month).value


@pytest.mark.parametrize(
    "label", ["Q4 2021/22", "2021/22 Q4", "Quarter 4 2021-22", "Jan–Mar 2022", "Jan-Mar 22"]
)
def test_a_quarter_column_in_the_report_layout_is_the_quarter_s_last_month(
    demo_kpis, analyst, label
):
    content = f"Ref\tDescription\t{label}\nCIC\tChildren in care\t801\n".encode()
    outcome = imports.import_file(name="q4.tsv", content=content, by=analyst, confirmed=True)
    assert outcome.ok, outcome.problems
    assert figure("CIC", dt.date(2022, 3, 1)) == Decimal("801")


@pytest.mark.parametrize(
    "label", ["Q1 2022/23", "2022/23 Q1", "Quarter 1 2022-23", "Apr–Jun 2022", "Apr-Jun 22"]
)
def test_a_quarter_in_the_long_layout_is_the_quarter_s_last_month(demo_kpis, analyst, label):
    content = f"ref,quarter,value\nCICR,{label},101.9\n".encode()
    outcome = imports.import_file(name="q1.csv", content=content, by=analyst, confirmed=True)
    assert outcome.ok, outcome.problems
    assert figure("CICR", dt.date(2022, 6, 1)) == Decimal("101.9")


@pytest.mark.parametrize(
    "label", ["30/06/2022", "end June 2022", "as at 30 June 2022", "30 June 2022", "2022-06-30"]
)
def test_a_date_in_the_long_layout_is_its_month(demo_kpis, analyst, label):
    content = f'ref,date,value\n1,"{label}",75.3\n'.encode()
    outcome = imports.import_file(name="june.csv", content=content, by=analyst, confirmed=True)
    assert outcome.ok, outcome.problems
    assert figure("1", dt.date(2022, 6, 1)) == Decimal("75.3")


def test_months_and_quarters_side_by_side_each_go_to_their_kpis(demo_kpis, analyst):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Ref", "Description", "Apr-22", "May-22", "Jun-22", "Q1 2022/23"])
    sheet.append(["1", "Contacts", 0.755, 0.771, 0.749, None])
    sheet.append(["CIC", "Children in care", None, None, None, 812])
    for cell in sheet[2][2:5]:
        cell.number_format = "0.0%"
    outcome = imports.import_file(
        name="q1.xlsx", content=workbook_bytes(workbook), by=analyst, confirmed=True
    )
    assert outcome.ok, outcome.problems
    assert figure("CIC", dt.date(2022, 6, 1)) == Decimal("812")
    assert figure("1", dt.date(2022, 5, 1)) == Decimal("77.1")


def test_a_quarter_column_for_a_monthly_kpi_is_refused_saying_so(demo_kpis, analyst):
    content = b"Ref\tDescription\tQ1 2022/23\n1\tContacts\t75.0%\nCIC\tChildren in care\t812\n"
    outcome = imports.import_file(name="q1.tsv", content=content, by=analyst, confirmed=True)
    assert [str(p) for p in outcome.problems] == [
        "line 2, Jun-22: Q1 2022/23 is a quarter, but KPI 1 is monthly: give its figures by "
        "month (Apr-22, May-22 and Jun-22)"
    ]
    assert figure("1", dt.date(2022, 6, 1)) == Decimal("74.9")
    assert figure("CIC", dt.date(2022, 6, 1)) != Decimal("812")


def test_a_month_for_a_quarterly_kpi_says_which_months_it_takes(demo_kpis, analyst):
    content = b"ref,month,value\nCIC,May-22,812\n"
    outcome = imports.import_file(name="may.csv", content=content, by=analyst)
    assert [str(p) for p in outcome.problems] == [
        "line 2, May-22: a quarterly KPI takes figures only at quarter ends (Jun, Sep, Dec, Mar)"
    ]


@pytest.mark.parametrize(
    ("label", "words"),
    [
        (
            "Q1 2022",
            '"Q1 2022" does not say which financial year: write Q1 2022/23 (April to June '
            "2022) or the months, Apr–Jun 2022",
        ),
        (
            "May–Jul 2022",
            '"May–Jul 2022" is not a quarter: quarters run Apr–Jun, Jul–Sep, Oct–Dec or Jan–Mar',
        ),
        ("31/06/2022", '"31/06/2022" is not a date: June 2022 has no day 31'),
        (
            "Midsummer",
            '"Midsummer" is not a month, quarter or date (expected e.g. Jun-22, Q1 2022/23, '
            "Apr–Jun 2022 or 30/06/2022)",
        ),
    ],
)
def test_a_period_that_cannot_be_read_says_what_would_be(demo_kpis, analyst, label, words):
    content = f"ref,period,value\nCIC,{label},812\n".encode()
    outcome = imports.import_file(name="q1.csv", content=content, by=analyst)
    assert [str(p) for p in outcome.problems] == [f"line 2: {words}"]


def test_a_quarter_heading_that_cannot_be_read_is_named_with_its_reason(demo_kpis, analyst):
    content = b"Ref\tDescription\tJun-22\tQ2 2022\n1\tContacts\t75.0%\t76.0%\n"
    outcome = imports.import_file(name="q.tsv", content=content, by=analyst)
    assert [str(p) for p in outcome.problems] == [
        'line 2: column 4 has figures but its heading is not a month or quarter: "Q2 2022" '
        "does not say which financial year: write Q1 2022/23 (April to June 2022) or the "
        "months, Apr–Jun 2022, so it is not clear which period they are for"
    ]


def test_two_columns_for_one_quarter_are_refused(demo_kpis, analyst):
    content = b"Ref\tDescription\tQ1 2022/23\tApr-Jun 22\nCIC\tChildren in care\t812\t813\n"
    outcome = imports.import_file(name="q.tsv", content=content, by=analyst)
    assert str(outcome.problems[0]) == (
        "line 1: Q1 2022/23 has two columns (the other is line 1); keep one"
    )
