"""The finance page's tables (django-tables2, GOV.UK markup from finance/table.html)."""

from decimal import Decimal
from typing import Any

import django_tables2 as tables

from .money import Variance, format_money, format_percent
from .summary import LineSummary, RepaymentSummary, RiskSummary

NUMERIC = {
    "th": {"class": "govuk-table__header govuk-table__header--numeric"},
    "td": {"class": "govuk-table__cell govuk-table__cell--numeric sct-value"},
    "tf": {"class": "govuk-table__header govuk-table__header--numeric sct-value"},
}
TEXT = {
    "th": {"class": "govuk-table__header"},
    "td": {"class": "govuk-table__cell"},
    "tf": {"class": "govuk-table__header"},
}


class MoneyColumn(tables.Column):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("attrs", NUMERIC)
        kwargs.setdefault("default", "not recorded")
        super().__init__(*args, **kwargs)

    def render(self, value: Decimal) -> str:
        return format_money(value)


class TextColumn(tables.Column):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("attrs", TEXT)
        super().__init__(*args, **kwargs)


class PortalTable(tables.Table):  # type: ignore[misc]
    """A GOV.UK table with a caption; the first column is each row's header."""

    caption = ""
    caption_id = ""

    def __init__(self, data: Any, *, caption: str, caption_id: str, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.caption = caption
        self.caption_id = caption_id

    class Meta:
        template_name = "finance/table.html"
        orderable = False


class RepaymentTable(PortalTable):
    year = TextColumn("Financial year", accessor="year__label")
    planned = MoneyColumn("Planned repayment")
    actual = MoneyColumn("Actual repayment")
    note = TextColumn("Note", default="")

    class Meta(PortalTable.Meta):
        empty_text = "No repayments are recorded for this plan."

    def __init__(self, data: list[RepaymentSummary], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)


class MonitoringTable(PortalTable):
    area = TextColumn("Area", footer="Total")
    budget = MoneyColumn("Budget", footer=lambda table: format_money(table.total.budget))
    forecast_outturn = MoneyColumn(
        "Forecast outturn", footer=lambda table: format_money(table.total.forecast)
    )
    variance = tables.Column(
        "Variance",
        accessor="variance",
        attrs=NUMERIC,
        empty_values=(),
        footer=lambda table: format_money(table.total.amount),
    )
    variance_percent = tables.Column(
        "Variance %",
        accessor="variance",
        attrs=NUMERIC,
        empty_values=(),
        footer=lambda table: format_percent(table.total.percent),
    )
    meaning = TextColumn(
        "Over or under budget",
        accessor="variance",
        empty_values=(),
        footer=lambda table: table.total.kind.capitalize(),
    )

    class Meta(PortalTable.Meta):
        empty_text = "No monitoring lines are recorded for this quarter."

    def __init__(self, data: list[LineSummary], *, total: Variance, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.total = total

    def render_variance(self, value: Variance) -> str:
        return format_money(value.amount)

    def render_variance_percent(self, value: Variance) -> str:
        return format_percent(value.percent)

    def render_meaning(self, value: Variance) -> str:
        return value.kind.capitalize()


class RiskTable(PortalTable):
    title = TextColumn("Risk")
    description = TextColumn("Description")
    owner = TextColumn("Owner", default="not recorded")
    status_label = TextColumn("Status")
    score = TextColumn("Score (likelihood × impact)", default="not assessed")
    value_at_risk = MoneyColumn("Value at risk")
    mitigation = TextColumn("Mitigation", default="none recorded")

    class Meta(PortalTable.Meta):
        empty_text = "No financial risks are recorded for this year."

    def __init__(self, data: list[RiskSummary], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)

    def render_score(self, value: Any) -> str:
        return str(value.description)
