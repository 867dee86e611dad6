"""The portal's roles (Django groups) and how each app's data migration grants them
permissions. A fresh database has the groups; each app adds its own permissions."""

from typing import Any

ANALYST = "Analyst"
MANAGER = "Manager"
VIEWER = "Viewer"
ROLES = (ANALYST, MANAGER, VIEWER)

# Roles that work in the admin (Viewer reads the portal's pages only).
STAFF_ROLES = (ANALYST, MANAGER)


def grant(apps: Any, app_label: str, grants: dict[str, list[str]]) -> None:
    """Give each role the named permissions of one app; for use in a data migration."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in grants.items():
        group, _ = Group.objects.get_or_create(name=role)
        found = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        missing = set(codenames) - set(found.values_list("codename", flat=True))
        if missing:
            raise LookupError(f"No such permissions in {app_label}: {sorted(missing)}")
        group.permissions.add(*found)


def model_permissions(actions: str, models: str) -> list[str]:
    """model_permissions("view change", "kpi target") → view_kpi, change_kpi, …"""
    return [f"{action}_{model}" for model in models.split() for action in actions.split()]
