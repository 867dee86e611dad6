from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from kpis import figures

from . import models
from .roles import ROLES, works_in_admin

# The portal's sections: (label, URL name, permission needed to see it).
NAVIGATION = [
    ("Overview", "kpis:overview", "kpis.view_kpi"),
    ("Trend table", "kpis:trend-latest", "kpis.view_kpi"),
    ("Finance", "finance:latest", "finance.view_financeyear"),
    ("Contract", "contracts:overview", "contracts.view_contract"),
    ("Reports", "reports:list", "reports.view_quarterreport"),
]


def portal(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    organisation = models.of_request(request)
    roles = _roles(user)
    unused = {
        "finance:latest": not organisation.uses_finance,
        "contracts:overview": not organisation.uses_contract,
    }
    navigation = []
    if user.is_authenticated:
        for text, name, permission in NAVIGATION:
            if user.has_perm(permission) and not unused.get(name):
                href = reverse(name)
                navigation.append(
                    {"text": text, "href": href, "current": _is_current(request.path, href)}
                )
        if works_in_admin(user, roles=roles):
            # Analysts enter figures in the admin: its way in stands with the portal's
            # sections, not only in the footer.
            href = reverse("admin:index")
            enters = user.has_perms(figures.WRITE_PERMISSIONS)  # who enters figures
            navigation.append(
                {"text": "Data entry" if enters else "Admin", "href": href, "current": False}
            )
    return {
        "organisation": organisation,
        "portal_name": organisation.portal_name,
        "portal_organisation": organisation.name,
        "navigation": navigation,
        "user_role": ", ".join(role.lower() for role in roles) if roles else "",
        "uses_admin": works_in_admin(user, roles=roles),
    }


def _is_current(path: str, href: str) -> bool:
    return path == href if href == "/" else path.startswith(href)


def _roles(user: Any) -> list[str]:
    """The user's roles as the header names them (one query)."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return ["Administrator"]
    names = {group.name for group in user.groups.all()}
    return [role for role in ROLES if role in names]
