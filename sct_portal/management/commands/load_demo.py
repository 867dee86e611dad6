import os
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from contracts import demo as contract_demo
from finance import demo as finance_demo
from kpis import demo as kpi_demo
from reports import demo as report_demo
from sct_portal.roles import ANALYST, MANAGER, STAFF_ROLES, VIEWER

DEMO_USERS = [("analyst", ANALYST), ("manager", MANAGER), ("viewer", VIEWER)]
# The demo analyst is a lead analyst: they may amend figures in closed (published) months.
LEAD_ANALYST = "analyst"


class Command(BaseCommand):
    help = (
        "Load the Q1 2022/23 seed report as demo data and create the demo users analyst, "
        "manager and viewer. Safe to run again: it adds only what is missing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Set the demo users' password again (from DEMO_PASSWORD, or a new one).",
        )

    @transaction.atomic
    def handle(self, *args: Any, reset_passwords: bool = False, **options: Any) -> None:
        counts = kpi_demo.load()
        self.stdout.write(f"KPIs: {counts['kpis']} added. Figures: {counts['observations']} added.")
        benchmarks = kpi_demo.load_benchmarks()
        self.stdout.write(
            f"Published statistics: {benchmarks['files']} files imported, "
            f"{benchmarks['mappings']} benchmark mappings and {benchmarks['groups']} comparator "
            "group added (no demo KPI measures re-referrals: that file is shipped, not mapped)."
        )
        for area, loader in (("Finance", finance_demo.load), ("Contract", contract_demo.load)):
            added = ", ".join(f"{name} {count}" for name, count in loader().items())
            self.stdout.write(f"{area} added: {added}.")
        users = self._users(reset_passwords)
        reports = report_demo.load(author=users["analyst"], publisher=users["manager"])
        self.stdout.write(
            f"Reports added: {reports['reports']} ({report_demo.QUARTER} report, published)."
        )

    def _users(self, reset_passwords: bool) -> dict[str, Any]:
        User = get_user_model()
        password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(12)
        created_any = False
        users = {}
        for username, role in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            users[username] = user
            if created or reset_passwords:
                user.set_password(password)
                created_any = True
            user.is_staff = role in STAFF_ROLES
            user.save()
            user.groups.add(Group.objects.get(name=role))
            if username == LEAD_ANALYST:
                user.user_permissions.add(
                    Permission.objects.get(
                        content_type__app_label="kpis", codename="amend_closed_period"
                    )
                )
        if created_any:
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo users analyst, manager and viewer can sign in with the password: "
                    f"{password}"
                )
            )
            if not os.environ.get("DEMO_PASSWORD"):
                self.stdout.write("(Generated now and shown only this once.)")
        else:
            self.stdout.write(
                "Demo users analyst, manager and viewer already exist; their password is "
                "unchanged (use --reset-passwords to set a new one)."
            )
        return users
