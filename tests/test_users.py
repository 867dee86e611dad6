"""Adding a user is one step: their role is all the access they need."""

import io
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.test import Client

from sct_portal.roles import MANAGER

pytestmark = pytest.mark.django_db


def add_user(*args: str) -> str:
    out = io.StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue()


def test_add_user_makes_an_analyst_who_signs_in_and_uses_the_admin(db):
    printed = add_user("ann.new", "--role", "analyst", "--email", "ann@example.org")
    user = User.objects.get(username="ann.new")
    assert [g.name for g in user.groups.all()] == ["Analyst"]
    assert not user.is_staff  # no separate flag to know about
    assert user.email == "ann@example.org"
    assert "/accounts/login/" in printed
    password = re.search(r"password:\s+(\S+)", printed)
    assert password
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "ann.new", "password": password[1]}, follow=True
    )
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/kpis/monthlyreturn/").status_code in (200, 302)
    assert 'href="/admin/">Data entry (admin)</a>' in client.get("/").content.decode()


def test_putting_someone_in_the_manager_group_is_enough_for_the_admin(db):
    user = User.objects.create_user("mo.new", password="x")
    user.groups.add(Group.objects.get(name=MANAGER))
    client = Client()
    client.force_login(user)
    assert client.get("/admin/").status_code == 200


def test_a_viewer_refused_the_admin_is_told_why_and_how_to_get_access(viewer_client):
    response = viewer_client.get("/admin/", follow=True)
    page = response.content.decode()
    assert response.status_code == 403
    assert "Your role does not include data entry." in page
    assert "ask the portal's administrator" in page.replace("&#x27;", "'")
    assert "<strong>Analyst</strong> to enter figures" in page


def test_add_user_refuses_a_name_taken_and_a_role_unknown(db):
    add_user("vi.new", "--role", "viewer")
    with pytest.raises(CommandError, match=r"There is already a user 'VI\.NEW'"):
        add_user("VI.NEW", "--role", "viewer")
    with pytest.raises(CommandError, match="invalid choice: 'boss'"):
        add_user("bo.new", "--role", "boss")


def test_the_admins_add_user_page_takes_the_role_in_the_same_step(db):
    admin = User.objects.create_superuser("root", password="x")
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/auth/user/add/").content.decode()
    assert 'name="role"' in page
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "cat.new",
            "email": "",
            "role": "Analyst",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase-9",
            "password2": "a-long-enough-passphrase-9",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="cat.new")
    assert [g.name for g in user.groups.all()] == ["Analyst"]
    signed_in = Client()
    signed_in.force_login(user)
    assert signed_in.get("/admin/").status_code == 200
