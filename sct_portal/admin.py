from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    """The one organisation: recorded once, then changed; never deleted."""

    list_display = ["name", "kind", "area", "portal_name"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "area", "la_code"]}),
        ("The portal", {"fields": ["portal_name", "uses_finance", "uses_contract"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not Organisation.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
