from django.db import migrations

from sct_portal.roles import ANALYST, MANAGER, VIEWER, grant, model_permissions

DATA = "contract milestone inspection subjudgement actionplan action"


def grant_roles(apps, schema_editor):
    grant(
        apps,
        "contracts",
        {
            VIEWER: model_permissions("view", DATA),
            MANAGER: model_permissions("view", DATA),
            ANALYST: model_permissions("view add change", DATA)
            # The contract, an inspection and a plan stay on record; their parts may go.
            + model_permissions("delete", "milestone subjudgement action"),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial"), ("sct_portal", "0001_roles")]
    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
