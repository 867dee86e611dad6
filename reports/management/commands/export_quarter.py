from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from reports import assemble, excel
from reports.models import QuarterReport
from sct_portal.periods import Quarter


class Command(BaseCommand):
    help = (
        "Write a quarter's report as an Excel workbook: as published, or, for a report not "
        "yet published, as the data stands (marked as a draft). "
        "Example: manage.py export_quarter 2022-23 Q1 -o report.xlsx"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("year", help="The financial year: 2022-23 or 2022/23")
        parser.add_argument("quarter", help="The quarter: Q1 to Q4")
        parser.add_argument("-o", "--output", required=True, help="Where to write the .xlsx")

    def handle(self, *args: Any, year: str, quarter: str, output: str, **options: Any) -> None:
        try:
            period = Quarter.parse(year, quarter)
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        report = QuarterReport.objects.for_quarter(period).select_related("published_by").first()
        if report is None:
            raise CommandError(f"There is no report for {period}.")
        content = assemble.content(report)
        path = Path(output)
        path.write_bytes(excel.render(content))
        state = "as published" if report.is_published else "a draft: figures may change"
        self.stdout.write(f"Wrote {period} report to {path} ({state}).")
