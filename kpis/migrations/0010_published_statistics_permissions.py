from django.db import migrations

from sct_portal.roles import ANALYST, MANAGER, VIEWER, grant, model_permissions

# Published statistics are public: every role reads them. Analysts keep the mappings and
# comparator groups, import files (adding a release) and say when a neighbour model is in
# force. Imported values, releases and neighbours are the files' own: nobody edits them.
PUBLISHED = "geography release publishedvalue benchmarkmapping comparatorgroup neighbourmodel"


def grant_roles(apps, schema_editor):
    grant(
        apps,
        "kpis",
        {
            VIEWER: model_permissions("view", PUBLISHED + " neighbour"),
            MANAGER: model_permissions("view", PUBLISHED + " neighbour"),
            ANALYST: model_permissions("view", PUBLISHED + " neighbour")
            + model_permissions("add change", "benchmarkmapping comparatorgroup")
            + model_permissions("delete", "comparatorgroup")
            + ["add_release", "change_neighbourmodel"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("kpis", "0009_published_statistics"), ("sct_portal", "0001_roles")]
    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
