from django.db import migrations

from sct_portal.roles import ANALYST, MANAGER, VIEWER, grant, model_permissions

DATA = "financeyear surplusforecast deficitrecoveryplan repayment monitoringline financialrisk"


def grant_roles(apps, schema_editor):
    grant(
        apps,
        "finance",
        {
            VIEWER: model_permissions("view", DATA),
            MANAGER: model_permissions("view", DATA),
            ANALYST: model_permissions("view add change", DATA)
            # A year or a plan is not deleted (its lines refer to it); its lines may be.
            + model_permissions("delete", "surplusforecast repayment monitoringline financialrisk"),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial"), ("sct_portal", "0001_roles")]
    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
