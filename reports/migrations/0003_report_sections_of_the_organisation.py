from django.db import migrations, models

# The seed report's five sections: a fresh database's report template, which the
# organisation then edits (Admin › Reports › Report sections).
SEED_SECTIONS = [
    ("Workforce", "workforce", []),
    ("Children in care", "children-in-care", ["headlines", "benchmark", "headline-charts"]),
    ("Key performance indicators", "kpis", ["kpi-table"]),
    ("Finances", "finance", ["finance"]),
    ("Contractual matters", "contract", ["contract"]),
]


def seed_template_and_sections(apps, schema_editor):
    SectionTemplate = apps.get_model("reports", "SectionTemplate")
    NarrativeSection = apps.get_model("reports", "NarrativeSection")
    for order, (heading, key, blocks) in enumerate(SEED_SECTIONS, 1):
        SectionTemplate.objects.create(heading=heading, key=key, order=order, blocks=blocks)
        # Reports started before sections were the organisation's held these five keys.
        NarrativeSection.objects.filter(key=key).update(heading=heading, order=order, blocks=blocks)


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_role_permissions")]

    operations = [
        migrations.CreateModel(
            name="SectionTemplate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("heading", models.CharField(max_length=100, unique=True)),
                (
                    "key",
                    models.SlugField(
                        blank=True,
                        help_text="The section's name in the report's address (#section-workforce); made from the heading when blank.",
                        unique=True,
                    ),
                ),
                (
                    "order",
                    models.PositiveSmallIntegerField(
                        default=0, help_text="Lower numbers come first."
                    ),
                ),
                (
                    "blocks",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="What the section holds besides its narrative.",
                        verbose_name="tables and charts",
                    ),
                ),
            ],
            options={
                "verbose_name": "report section",
                "verbose_name_plural": "report sections (the organisation's report)",
                "ordering": ["order", "pk"],
            },
        ),
        migrations.AlterModelOptions(
            name="narrativesection", options={"ordering": ["order", "pk"]}
        ),
        migrations.AlterField(model_name="narrativesection", name="key", field=models.SlugField()),
        migrations.AddField(
            model_name="narrativesection",
            name="heading",
            field=models.CharField(default="", max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="narrativesection",
            name="order",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="narrativesection",
            name="blocks",
            field=models.JSONField(blank=True, default=list, verbose_name="tables and charts"),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("created", "Created"),
                    ("edited", "Narrative edited"),
                    ("submitted", "Sent for review"),
                    ("sent-back", "Sent back to draft"),
                    ("published", "Published"),
                    ("section-added", "Section added"),
                    ("section-renamed", "Section renamed"),
                    ("section-moved", "Section moved"),
                    ("section-removed", "Section removed"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="reportevent",
            name="changes",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="For a narrative edit: each section changed, with its text before and after.",
            ),
        ),
        migrations.RunPython(seed_template_and_sections, migrations.RunPython.noop),
    ]
