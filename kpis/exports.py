"""The figures in the report's wide layout as an .xlsx workbook, for editing and importing
back: one row per KPI (reference, description), one column per month, numbers as numbers
in each KPI's own number format. Imported again, it changes exactly the edited cells."""

import datetime as dt
import io
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from sct_portal import periods

from .models import Kpi, Observation
from .units import Unit

HEADER_ROW = 4
TITLE = "KPI figures"


def number_format(unit: str, decimals: int) -> str:
    """Excel's number format for a KPI: 0.0% (the cell holds 0.749 for 74.9%), #,##0, 0.00."""
    places = "." + "0" * decimals if decimals else ""
    if unit == Unit.PERCENT:
        return f"0{places}%"
    if unit == Unit.COUNT:
        return f"#,##0{places}"
    if unit == Unit.MONEY:
        return f'"£"#,##0{places}'
    return f"0{places}"


def cell_value(value: Decimal, unit: str) -> int | float:
    """A stored figure as the workbook keeps it: a percentage as a fraction (Excel's way),
    a whole number as an integer. The float's shortest form reads back as the same Decimal."""
    if unit == Unit.PERCENT:
        return float(value / 100)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def filename(months: list[dt.date]) -> str:
    return f"kpi-figures-{periods.month_slug(months[0])}-to-{periods.month_slug(months[-1])}.xlsx"


def wide_workbook(
    *,
    months: list[dt.date],
    today: dt.date,
    portal_name: str = settings.PORTAL_NAME,
    exported_by: str = "",
) -> bytes:
    """Every active KPI (and any other with figures in the months), one column per month."""
    months = sorted(set(months))
    kpis = list(
        Kpi.objects.filter(Q(is_active=True) | Q(observations__month__in=months))
        .distinct()
        .order_by("order", "ref")
    )
    figures = {
        (o.kpi_id, o.month): o.value
        for o in Observation.objects.filter(month__in=months, kpi__in=kpis).only(
            "kpi_id", "month", "value"
        )
    }
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Figures"
    span = f"{periods.month_label(months[0])} to {periods.month_label(months[-1])}"
    _text(sheet.cell(1, 1), f"{TITLE}, {span}").font = Font(bold=True, size=14)
    _text(
        sheet.cell(2, 1),
        f"Exported from the {portal_name} on {today:%d %B %Y}"
        + (f" by {exported_by}" if exported_by else "")
        + ". Change figures in the month columns and import the file back in the admin "
        "(Spreadsheet imports). Blank cells are left as they are.",
    )
    bold = Font(bold=True)
    rule = Border(bottom=Side(style="thin"))
    for column, heading in enumerate(
        ["Ref", "Description"] + [periods.month_label(m) for m in months], 1
    ):
        cell = _text(sheet.cell(HEADER_ROW, column), heading)
        cell.font = bold
        cell.border = rule
        if column > 2:
            cell.alignment = Alignment(horizontal="right")
    for row, kpi in enumerate(kpis, HEADER_ROW + 1):
        _text(sheet.cell(row, 1), kpi.ref)
        _text(sheet.cell(row, 2), kpi.description).alignment = Alignment(wrap_text=True)
        fmt = number_format(kpi.unit, kpi.decimals)
        for column, month in enumerate(months, 3):
            cell = sheet.cell(row, column)
            cell.number_format = fmt
            value = figures.get((kpi.pk, month))
            if value is not None:
                cell.value = cell_value(value, kpi.unit)
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 60
    for column in range(3, len(months) + 3):
        sheet.column_dimensions[get_column_letter(column)].width = 10
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 3)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.properties.title = f"{TITLE}, {span}"
    workbook.properties.creator = portal_name
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(cell: Cell, text: str) -> Cell:
    """Write text as text: never as a formula, whatever it starts with."""
    cell.value = text
    cell.data_type = "s"
    return cell
