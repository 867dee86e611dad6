from django.db import migrations

from sct_portal.roles import ANALYST, MANAGER, grant


def grant_roles(apps, schema_editor):
    # Analysts and managers see which months are closed. Closing and reopening months is
    # done by publishing a report (or by an administrator), and the permission to amend
    # closed periods is granted per user, to lead analysts, never to a whole role.
    grant(apps, "kpis", {ANALYST: ["view_closedmonth"], MANAGER: ["view_closedmonth"]})


class Migration(migrations.Migration):
    dependencies = [("kpis", "0003_closed_months_imports_and_monthly_return")]
    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
