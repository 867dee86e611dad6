"""The figures in the report's wide layout as an .xlsx workbook, for editing and importing
back: one row per KPI (reference, description), one column per month, numbers as numbers
in each KPI's own number format. Imported again, it changes exactly the edited cells."""

import dataclasses
import datetime as dt

from django.conf import settings
from django.db.models import Q

from sct_portal import periods, spreadsheets
from sct_portal.spreadsheets import Figure, Measure

from .models import Kpi, Observation

HEADER_ROW = 4
TITLE = "KPI figures"


def filename(months: list[dt.date]) -> str:
    return f"kpi-figures-{periods.month_slug(months[0])}-to-{periods.month_slug(months[-1])}.xlsx"


def wide_workbook(
    *,
    months: list[dt.date],
    today: dt.date,
    portal_name: str = settings.PORTAL_NAME,
    exported_by: str = "",
) -> bytes:
    """Every active KPI (and any other with figures in the months), one column per month.
    A figure's note, where it has one, is the cell's comment."""
    months = sorted(set(months))
    kpis = list(
        Kpi.objects.filter(Q(is_active=True) | Q(observations__month__in=months))
        .distinct()
        .order_by("order", "ref")
    )
    figures = {
        (o.kpi_id, o.month): o
        for o in Observation.objects.filter(month__in=months, kpi__in=kpis).only(
            "kpi_id", "month", "value", "symbol", "note"
        )
    }
    span = f"{periods.month_label(months[0])} to {periods.month_label(months[-1])}"
    with spreadsheets.Book(title=f"{TITLE}, {span}", author=portal_name) as book:
        sheet = book.sheet("Figures")
        sheet.column_widths({1: 8, 2: 60, **dict.fromkeys(range(3, len(months) + 3), 10)})
        sheet.text(1, 1, f"{TITLE}, {span}", spreadsheets.TITLE)
        sheet.merged_text(
            2,
            1,
            2,
            f"Exported from the {portal_name} on {spreadsheets.long_date(today)}"
            + (f" by {exported_by}" if exported_by else "")
            + ". Change figures in the month columns and import the file back in the admin "
            "(Spreadsheet imports). Blank cells are left as they are.",
        )
        rule = spreadsheets.Style(bold=True, border=True)
        headings = ["Ref", "Description"] + [periods.month_label(m) for m in months]
        for column, heading in enumerate(headings, 1):
            style = dataclasses.replace(rule, align="right") if column > 2 else rule
            sheet.text(HEADER_ROW, column, heading, style)
        row = HEADER_ROW
        for kpi in kpis:
            row += 1
            measure = Measure(kpi.unit, kpi.decimals)
            sheet.text(row, 1, kpi.ref)
            sheet.text(row, 2, kpi.description, spreadsheets.WRAPPED)
            for column, month in enumerate(months, 3):
                observation = figures.get((kpi.pk, month))
                value = observation.value if observation is not None else None
                symbol = observation.symbol if observation is not None else ""
                # A blank keeps the KPI's format, so a figure typed there is read as meant.
                sheet.figure(row, column, Figure(measure, value, symbol), absent="")
                if observation is not None and observation.note:
                    sheet.note(row, column, observation.note)
        sheet.symbol_key(row + 2, last_column=2)
        sheet.freeze(HEADER_ROW + 1, 3)
        sheet.print_setup(
            spreadsheets.PrintSetup(
                title_rows=(HEADER_ROW, HEADER_ROW), title_columns=(1, 2), fit_width=False
            ),
            document=f"{TITLE}, {span}",
        )
        return book.close()
