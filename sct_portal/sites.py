"""The portal's admin site: named after the organisation's portal, open to the staff roles."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import of_request
from .roles import works_in_admin


class PortalAdminSite(admin.AdminSite):
    index_title = "Data and definitions"

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        portal_name = of_request(request).portal_name
        context["site_title"] = portal_name
        context["site_header"] = f"{portal_name} administration"
        return context

    def has_permission(self, request: HttpRequest) -> bool:
        """Analysts and managers use the admin by their role alone: no separate staff flag."""
        return works_in_admin(request.user)
