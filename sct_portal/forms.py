from django import forms
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import User

from .roles import ROLE_PURPOSES, ROLES, give_role

ROLE_CHOICES = [("", "No role yet")] + [
    (role, f"{role}: {purpose}") for role, purpose in ROLE_PURPOSES.items()
]


class UserWithRoleForm(AdminUserCreationForm[User]):
    """Adding a user in one step: their name, password and role (the role is all the
    access they need: no staff status to set)."""

    role = forms.ChoiceField(
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        help_text="Analysts and Managers use the admin pages through their role.",
    )

    class Meta(AdminUserCreationForm.Meta):
        fields = ("username", "email")

    def _save_m2m(self) -> None:
        super()._save_m2m()  # type: ignore[misc]
        role = self.cleaned_data.get("role")
        if role in ROLES:
            give_role(user=self.instance, role=role)
