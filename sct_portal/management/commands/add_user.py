"""Add someone to the portal with their role, in one step, and say how they sign in."""

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from sct_portal.roles import ROLE_PURPOSES, give_role, works_in_admin


class Command(BaseCommand):
    help = (
        "Add a user with a role (analyst, manager or viewer); prints a first password and "
        "how to sign in. The role gives them every page it needs, the admin included."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The name they sign in with, e.g. ann.analyst")
        parser.add_argument(
            "--role", required=True, choices=[role.lower() for role in ROLE_PURPOSES]
        )
        parser.add_argument("--email", default="", help="Their email address (optional)")

    @transaction.atomic
    def handle(self, *args: Any, username: str, role: str, email: str, **options: Any) -> None:
        User = get_user_model()
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(
                f"There is already a user {username!r}: change their role in the admin "
                "(Users), or choose another name."
            )
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"{email!r} is not an email address.") from None
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username=username, email=email, password=password)
        role_name = role.capitalize()
        give_role(user=user, role=role_name)
        lines = [
            f"Added {username} as {role_name} ({ROLE_PURPOSES[role_name]}).",
            "They sign in on the portal's sign-in page (/accounts/login/) with",
            f"  user name: {username}",
            f"  password:  {password}",
            "This password is shown once: give it to them privately. To set another, run "
            f"`manage.py changepassword {username}`.",
        ]
        if works_in_admin(user):
            lines.append("Their role also opens the admin pages (Data entry) to them.")
        self.stdout.write("\n".join(lines))
