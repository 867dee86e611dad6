"""Targets as councils write them: a comparison, what it is relative to, and an amber band
given as a distance or as a floor or ceiling.

Each existing target becomes the rule it always meant: "at least" its value for a KPI where
higher is better, "at most" where lower is better (and "at least" for a context measure,
which stays unjudged), with its amber tolerance as the amber distance (none when it was 0).
Figures are judged exactly as before.
"""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models


def rules_from_thresholds(apps, schema_editor):
    Target = apps.get_model("kpis", "Target")
    for target in Target.objects.select_related("kpi"):
        target.comparison = "at-most" if target.kpi.polarity == "lower" else "at-least"
        target.basis = "fixed"
        if target.tolerance and target.tolerance > 0:
            target.amber = "distance"
            target.amber_value = target.tolerance
        else:
            target.amber = "none"
            target.amber_value = None
        target.save(update_fields=["comparison", "basis", "amber", "amber_value"])


def thresholds_from_rules(apps, schema_editor):
    """Back to value and tolerance: a distance is the tolerance; a floor or ceiling becomes
    its distance from the target. Rules the old model cannot hold (ranges, strict
    comparisons, relative targets) stop the reversal rather than change meaning."""
    Target = apps.get_model("kpis", "Target")
    for target in Target.objects.select_related("kpi"):
        if target.basis != "fixed" or target.comparison not in ("at-least", "at-most"):
            raise RuntimeError(
                f"Target {target.pk} of KPI {target.kpi.ref} ({target.comparison}, "
                f"{target.basis}) cannot be written as a value and a tolerance."
            )
        if target.amber == "distance":
            tolerance = target.amber_value
        elif target.amber == "limit":
            tolerance = abs(target.value - target.amber_value)
        else:
            tolerance = Decimal(0)
        target.tolerance = tolerance
        target.save(update_fields=["tolerance"])


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0007_frequencies_year_to_date_rates_and_published_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="target",
            name="amber",
            field=models.CharField(
                choices=[
                    ("none", "No amber band"),
                    ("distance", "A distance from the target"),
                    ("limit", "A floor or ceiling value"),
                ],
                default="none",
                max_length=10,
                verbose_name="amber band given as",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="amber_value",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                help_text="A distance: how far from the target is still amber (5 for “amber within 5 points”). A floor or ceiling: the value amber reaches (40 for “target 45%, tolerance 40”); relative to a benchmark or a starting figure, the amount above or below it, like the target.",
                max_digits=16,
                null=True,
                verbose_name="amber distance, floor or ceiling",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="baseline_month",
            field=models.DateField(
                blank=True,
                help_text="Only relative to the KPI's own figure: the month whose figure the target adds to, before the target comes into force.",
                null=True,
                verbose_name="starting month",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="basis",
            field=models.CharField(
                choices=[
                    ("fixed", "Fixed values"),
                    ("benchmark", "A benchmark (statistical neighbours, region or England)"),
                    ("own-figure", "The KPI's own figure at a starting month"),
                ],
                default="fixed",
                help_text="What the values are measured from: fixed values, or an amount above or below a benchmark or the KPI's own figure at a starting month.",
                max_length=12,
                verbose_name="relative to",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="comparator",
            field=models.CharField(
                blank=True,
                choices=[
                    ("sn", "Statistical neighbours"),
                    ("region", "Region"),
                    ("england", "England"),
                ],
                help_text="Only relative to a benchmark: which one. The latest benchmark at or before each month is used.",
                max_length=10,
                verbose_name="benchmark",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="comparison",
            field=models.CharField(
                choices=[
                    ("at-least", "At least (the target or more is green)"),
                    ("more-than", "More than (strictly above the target is green)"),
                    ("at-most", "At most (the target or less is green)"),
                    ("fewer-than", "Fewer than / less than (strictly below the target is green)"),
                    ("between", "Between two values (both ends are green)"),
                ],
                default="at-least",
                max_length=12,
                verbose_name="green when the figure is",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="statistic",
            field=models.CharField(
                blank=True,
                choices=[("mean", "Mean (average)"), ("median", "Median")],
                help_text="Only relative to a benchmark: its mean (average) or its median.",
                max_length=10,
                verbose_name="benchmark statistic",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="upper",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                help_text="Only for “between”: the range's upper end (both ends are green).",
                max_digits=16,
                null=True,
                verbose_name="upper end of the range",
            ),
        ),
        migrations.AlterField(
            model_name="target",
            name="value",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                help_text="In the KPI's unit. For a range, its lower end. Relative to a benchmark or a starting figure: the amount above it (negative: below it); blank for the benchmark or figure itself. “An additional 800”: 800.",
                max_digits=16,
                verbose_name="target",
            ),
        ),
        migrations.AlterField(
            model_name="target",
            name="kpi",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="targets",
                to="kpis.kpi",
                verbose_name="KPI",
            ),
        ),
        migrations.RunPython(rules_from_thresholds, thresholds_from_rules),
        migrations.RemoveField(
            model_name="target",
            name="tolerance",
        ),
    ]
