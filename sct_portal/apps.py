from typing import Any

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    name = "sct_portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import m2m_changed, post_delete, post_save

        user_logged_out.connect(say_signed_out, dispatch_uid="sct_portal.signed_out")
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(data_changed, dispatch_uid=f"sct_portal.data_changed.{id(signal)}")


class PortalAdminConfig(admin_apps.AdminConfig):
    """The admin, as the portal's own site (sct_portal.sites.PortalAdminSite)."""

    default = False
    default_site = "sct_portal.sites.PortalAdminSite"


def say_signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """The sign-in page, where signing out lands, says that it worked."""
    from django.contrib import messages

    if request is not None:
        messages.info(request, "You have signed out.")


# The apps whose records the pages show: a change to any of them raises the data version,
# in the change's own transaction, so that no kept page outlives what it shows.
SHOWN_APPS = {"kpis", "reports", "finance", "contracts", "sct_portal"}


def data_changed(sender: Any, **kwargs: Any) -> None:
    from django.apps import apps

    from .models import DataVersion, bump_data_version

    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in SHOWN_APPS or sender is DataVersion:
        return
    if kwargs.get("raw") or meta.apps is not apps:
        return  # fixtures being loaded, or a migration's historical model
    bump_data_version()
