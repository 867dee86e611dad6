"""Chart data for the finance page: plain JSON-able values read by static/js/charts/finance.mjs.

Amounts go as strings (exact decimals) with their written form for tooltips; every chart also
has a table twin and a sentence on the page.
"""

from decimal import Decimal
from typing import Any

from .money import format_money
from .summary import QuarterMonitoring, RecoverySummary


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def recovery_chart(recovery: RecoverySummary) -> dict[str, Any]:
    lines = recovery.repayments
    return {
        "kind": "recovery",
        "title": recovery.title,
        "labels": [line.year.label for line in lines],
        "series": [
            {
                "name": "Planned repayment",
                "style": "outline",
                "values": [_amount(line.planned) for line in lines],
                "texts": [format_money(line.planned) for line in lines],
            },
            {
                "name": "Actual repayment",
                "style": "solid",
                "values": [_amount(line.actual) for line in lines],
                "texts": [format_money(line.actual) for line in lines],
            },
        ],
    }


def monitoring_chart(monitoring: QuarterMonitoring) -> dict[str, Any]:
    lines = monitoring.lines
    return {
        "kind": "monitoring",
        "title": f"Budget and forecast outturn by area, {monitoring.quarter}",
        "labels": [line.area for line in lines],
        "series": [
            {
                "name": "Budget",
                "style": "outline",
                "values": [_amount(line.budget) for line in lines],
                "texts": [format_money(line.budget) for line in lines],
            },
            {
                "name": "Forecast outturn",
                "style": "solid",
                "values": [_amount(line.forecast_outturn) for line in lines],
                "texts": [
                    f"{format_money(line.forecast_outturn)}: {line.variance.description}"
                    for line in lines
                ],
            },
        ],
    }
