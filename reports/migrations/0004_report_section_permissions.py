from django.db import migrations

from sct_portal.roles import ANALYST, MANAGER, grant, model_permissions


def grant_roles(apps, schema_editor):
    grant(
        apps,
        "reports",
        {
            # Analysts keep the organisation's report, as they keep its KPI definitions.
            ANALYST: model_permissions("view add change delete", "sectiontemplate"),
            MANAGER: model_permissions("view", "sectiontemplate"),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_report_sections_of_the_organisation")]
    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
