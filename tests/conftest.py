from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from sct_portal.roles import ANALYST, MANAGER, VIEWER

SEED_REPORT = (
    Path(__file__).resolve().parent.parent
    / "sct_portal"
    / "seed"
    / ("sandwell-q1-2022-performance-report.txt")
)
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def fresh_periods():
    """Each test starts with no kept periods or pages: its database starts again from the
    same data version that an earlier test's rolled-back writes had reached."""
    from django.core.cache import cache

    from kpis import dashboard

    dashboard.forget()
    cache.clear()
    yield
    dashboard.forget()
    cache.clear()


@pytest.fixture(autouse=True)
def lazy_loads_raise(settings):
    """What the dashboards and the report read raises if a page reaches for anything not read
    with it (Django 6.1's FETCH_RAISE): an accidental query per KPI fails the test."""
    settings.PORTAL_FETCH_RAISE = True


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    """Tests create users by the dozen; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Background tasks run as they are enqueued, inside the test (Django's immediate
    backend); tests/kpis/test_import_tasks.py runs them through the real database worker."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def make_user(username: str, role: str | None, *, staff: bool) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=staff)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def analyst(db) -> User:
    return make_user("ann.analyst", ANALYST, staff=True)


@pytest.fixture
def manager(db) -> User:
    return make_user("mo.manager", MANAGER, staff=True)


@pytest.fixture
def viewer(db) -> User:
    return make_user("vi.viewer", VIEWER, staff=False)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def analyst_client(analyst) -> Client:
    return client_for(analyst)


@pytest.fixture
def manager_client(manager) -> Client:
    return client_for(manager)


@pytest.fixture
def viewer_client(viewer) -> Client:
    return client_for(viewer)


@pytest.fixture
def demo_kpis(db) -> dict[str, int]:
    """The seed report's KPIs, figures, targets, goal and benchmark."""
    from kpis import demo

    return demo.load()
