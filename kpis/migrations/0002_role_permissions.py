from django.db import migrations

from sct_portal.roles import ANALYST, MANAGER, VIEWER, grant, model_permissions

DATA = "section kpi observation target goal benchmark"


def grant_roles(apps, schema_editor):
    grant(
        apps,
        "kpis",
        {
            VIEWER: model_permissions("view", DATA),
            MANAGER: model_permissions("view", DATA + " observationrevision"),
            ANALYST: model_permissions("view", DATA + " observationrevision")
            + model_permissions("add change", DATA)
            + model_permissions("delete", "target goal benchmark"),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("kpis", "0001_initial"), ("sct_portal", "0001_roles")]
    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
