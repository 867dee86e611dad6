from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from reports import assemble, excel, pdf
from reports.models import QuarterReport
from sct_portal.periods import Quarter

RENDERINGS = {"xlsx": excel.render, "pdf": pdf.render}


class Command(BaseCommand):
    help = (
        "Write a quarter's report as an Excel workbook or an accessible PDF: as published, "
        "or, for a report not yet published, as the data stands (marked as a draft). "
        "Example: manage.py export_quarter 2022-23 Q1 -o report.xlsx "
        "(or --format pdf -o report.pdf)"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("year", help="The financial year: 2022-23 or 2022/23")
        parser.add_argument("quarter", help="The quarter: Q1 to Q4")
        parser.add_argument("-o", "--output", required=True, help="Where to write the file")
        parser.add_argument(
            "--format",
            choices=sorted(RENDERINGS),
            help="xlsx or pdf; by default, the output's extension (.xlsx if it has neither)",
        )

    def handle(
        self, *args: Any, year: str, quarter: str, output: str, format: str | None, **options: Any
    ) -> None:
        try:
            period = Quarter.parse(year, quarter)
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        path = Path(output)
        chosen = format or (path.suffix.lower().lstrip(".") if path.suffix else "xlsx")
        if chosen not in RENDERINGS:
            raise CommandError(f"Cannot write {path.name}: give --format xlsx or --format pdf.")
        report = QuarterReport.objects.for_quarter(period).select_related("published_by").first()
        if report is None:
            raise CommandError(f"There is no report for {period}.")
        content = assemble.content(report)
        path.write_bytes(RENDERINGS[chosen](content))
        state = "as published" if report.is_published else "a draft: figures may change"
        self.stdout.write(f"Wrote {period} report to {path} ({state}).")
