"""Parameters outside the calendar the portal keeps (years 1900 to 2999) are a page not
found or a message on the page, never a server error."""

import pytest

from sct_portal import periods


@pytest.mark.parametrize(
    ("read", "text"),
    [
        (periods.parse_month, "0001-01"),
        (periods.parse_month, "Jan 0001"),
        (periods.parse_month, "01/0000"),
        (periods.FinancialYear.parse, "0000-01"),
        (periods.FinancialYear.parse, "9999-00"),
        (periods.parse_day, "01/01/0001"),
        (periods.parse_day, "0001-01-01"),
        (periods.parse_quarter, "Q1 0000/01"),
    ],
)
def test_a_year_outside_the_calendar_is_refused_in_words(read, text):
    with pytest.raises(ValueError, match="1900 to 2999"):
        read(text)


@pytest.mark.parametrize("text", ["1900-04", "2999-12", "Apr-22"])
def test_the_calendar_s_own_edges_are_months(text):
    assert periods.parse_month(text).day == 1


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/admin/kpis/monthlyreturn/?month=0001-01", {200, 302}),
        ("/admin/kpis/monthlyreturn/?month=2999-12", {200, 302}),
        ("/trend/0000-01/q1/", {404}),
        ("/trend/2999-00/q4/", {404}),
        ("/kpis/%00/", {404}),
        ("/kpis/%00/benchmarks/", {404}),
        ("/reports/0000-01/q1/", {404}),
        ("/finance/0000-01/", {404}),
        ("/?month=0001-01", {200}),
        ("/admin/kpis/observation/?month__gte=99999-01-01", {200, 302}),
        ("/admin/kpis/observation/?month__lt=0000-01-01", {200, 302}),
        ("/admin/kpis/observation/?month=0001-01", {200, 302}),
        ("/admin/kpis/observation/?year=0000-01", {200, 302}),
        ("/admin/kpis/observation/?changed_at__gte=99999-01-01", {200, 302}),
        ("/admin/kpis/observation/?q=%00", {200, 302}),
        ("/admin/kpis/kpi/?q=%00", {200, 302}),
        ("/admin/kpis/observation/export/?first=0001-01&last=99999-01", {200, 400}),
    ],
)
def test_odd_parameters_are_not_found_or_a_message(url, allowed, demo_kpis, analyst_client):
    response = analyst_client.get(url)
    assert response.status_code in allowed, (url, response.status_code)
