"""The portal's roles (Django groups) and how each app's data migration grants them
permissions. A fresh database has the groups; each app adds its own permissions."""

from collections.abc import Iterable
from typing import Any

ANALYST = "Analyst"
MANAGER = "Manager"
VIEWER = "Viewer"
ROLES = (ANALYST, MANAGER, VIEWER)

# Roles that work in the admin (Viewer reads the portal's pages only).
STAFF_ROLES = (ANALYST, MANAGER)


def works_in_admin(user: Any, *, roles: Iterable[str] | None = None) -> bool:
    """Whether the user uses the admin: an administrator, a user marked staff, or anyone in a
    staff role (Analyst, Manager) — putting someone in the group is enough. `roles`, when
    the caller has read the user's group names already, saves a query."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.is_staff:
        return True
    if roles is None:
        return bool(user.groups.filter(name__in=STAFF_ROLES).exists())
    return any(role in STAFF_ROLES for role in roles)


# What each role is for, as the add-user form and the refusal page say it.
ROLE_PURPOSES = {
    ANALYST: "enters figures and KPI definitions in the admin, drafts the quarterly report",
    MANAGER: "reads the dashboards, reviews and publishes the quarterly report",
    VIEWER: "reads the dashboards and published reports",
}


def give_role(*, user: Any, role: str) -> None:
    """Put the user in one role's group (and out of the other roles'): nothing else is
    needed for the pages the role uses, the admin included."""
    from django.contrib.auth.models import Group

    if role not in ROLES:
        raise ValueError(f"No such role: {role!r} (one of {', '.join(ROLES)})")
    user.groups.remove(*Group.objects.filter(name__in=ROLES).exclude(name=role))
    user.groups.add(Group.objects.get(name=role))


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
