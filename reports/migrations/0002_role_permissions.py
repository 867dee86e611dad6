from django.db import migrations

from sct_portal.roles import ANALYST, MANAGER, VIEWER, grant, model_permissions


def grant_roles(apps, schema_editor):
    reading = model_permissions("view", "quarterreport narrativesection reportevent")
    grant(
        apps,
        "reports",
        {
            # Viewers read published reports only (the views filter drafts out).
            VIEWER: ["view_quarterreport"],
            ANALYST: [
                *reading,
                "view_draft_quarterreport",
                "add_quarterreport",
                "change_quarterreport",
                "change_narrativesection",
            ],
            MANAGER: [*reading, "view_draft_quarterreport", "publish_quarterreport"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("sct_portal", "0001_roles")]
    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
