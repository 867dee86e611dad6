from django.db import migrations

from sct_portal.roles import ANALYST, MANAGER, VIEWER, grant


def grant_roles(apps, schema_editor):
    # Ofsted's published outcomes are public; they are imported, never edited.
    view = ["view_publishedinspection"]
    grant(apps, "contracts", {VIEWER: view, MANAGER: view, ANALYST: view})


class Migration(migrations.Migration):
    dependencies = [("contracts", "0005_published_inspections"), ("sct_portal", "0001_roles")]
    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
