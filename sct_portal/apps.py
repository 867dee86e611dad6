from typing import Any

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    name = "sct_portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(say_signed_out, dispatch_uid="sct_portal.signed_out")


class PortalAdminConfig(admin_apps.AdminConfig):
    """The admin, as the portal's own site (sct_portal.sites.PortalAdminSite)."""

    default = False
    default_site = "sct_portal.sites.PortalAdminSite"


def say_signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """The sign-in page, where signing out lands, says that it worked."""
    from django.contrib import messages

    if request is not None:
        messages.info(request, "You have signed out.")
