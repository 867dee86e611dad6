from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import ManyToManyField
from django.http import HttpRequest

from .forms import UserWithRoleForm
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


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin[User]):
    """Users: added with their role in one step; the role's group gives them their pages."""

    add_form = UserWithRoleForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "email",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("username", "email", "first_name", "last_name", "roles", "is_active")
    list_filter = ("groups", "is_active", "is_superuser")
    filter_horizontal = ()

    @admin.display(description="Role")
    def roles(self, user: User) -> str:
        return ", ".join(group.name for group in user.groups.all()) or "none"

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("groups")

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name in ("groups", "user_permissions"):
            kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups" and field is not None:
            field.label = "Roles"
            field.help_text = (
                "Analyst: enters figures and drafts the quarterly report. Manager: reviews and "
                "publishes it. Viewer: reads. Analysts and Managers use the admin pages by "
                "their role: no staff status is needed."
            )
        return field

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "is_staff" and field is not None:
            field.help_text = (
                "Not needed for Analysts and Managers (their role gives them the admin pages): "
                "only for someone with no role who must use the admin."
            )
        return field
