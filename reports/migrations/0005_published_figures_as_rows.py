import datetime as dt
from decimal import Decimal

from django.db import migrations


def rows_from_snapshots(apps, schema_editor):
    """Each published report's figures, as rows the dashboards read in one query."""
    QuarterReport = apps.get_model("reports", "QuarterReport")
    Kpi = apps.get_model("kpis", "Kpi")
    PublishedFigure = apps.get_model("kpis", "PublishedFigure")
    kpis = dict(Kpi.objects.values_list("ref", "pk"))
    for report in QuarterReport.objects.filter(status="published", snapshot__isnull=False):
        label = f"Q{report.quarter} {report.year_start}/{(report.year_start + 1) % 100:02d}"
        snapshot = report.snapshot
        printed = [
            (row["ref"], cell) for row in snapshot["kpi_table"]["rows"] for cell in row["cells"]
        ] + [
            (headline["ref"], cell)
            for headline in snapshot["headlines"]
            for cell in headline["series"]
        ]
        seen = set()
        for ref, cell in printed:
            month = dt.date.fromisoformat(cell["month"])
            if ref not in kpis or cell["value"] is None or (ref, month) in seen:
                continue
            seen.add((ref, month))
            PublishedFigure.objects.get_or_create(
                kpi_id=kpis[ref],
                month=month,
                report=label,
                defaults={
                    "value": Decimal(cell["value"]),
                    "shown": cell["shown"][:40],
                    "published_at": report.published_at,
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_report_section_permissions"),
        ("kpis", "0007_frequencies_year_to_date_rates_and_published_figures"),
    ]
    operations = [migrations.RunPython(rows_from_snapshots, migrations.RunPython.noop)]
