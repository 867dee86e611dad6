"""Every page needs a login; roles limit what each user can do; responses carry a strict CSP."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from kpis.models import Observation

pytestmark = pytest.mark.django_db

PAGES = ["/", "/kpis/1/", "/admin/", "/admin/kpis/observation/", "/admin/kpis/kpi/"]


@pytest.mark.parametrize("path", PAGES)
def test_an_anonymous_request_is_sent_to_the_login_page(client, demo_kpis, path):
    response = client.get(path, follow=True)
    assert response.redirect_chain, path
    assert response.request["PATH_INFO"] == reverse("login")
    assert b"Sign in" in response.content


def test_the_login_page_itself_is_open(client):
    assert client.get(reverse("login")).status_code == 200


def test_a_viewer_cannot_reach_the_admin(viewer_client, demo_kpis):
    for path in ("/admin/", "/admin/kpis/observation/"):
        response = viewer_client.get(path, follow=True)
        assert response.status_code == 403
        assert b"Your role does not include data entry" in response.content


def test_a_viewer_cannot_change_a_figure_in_the_admin(viewer_client, demo_kpis):
    figure = Observation.objects.get(kpi__ref="1", month="2022-06-01")
    url = f"/admin/kpis/observation/{figure.pk}/change/"
    response = viewer_client.post(url, {"value": "99.9"})
    assert response.status_code in (302, 403)
    figure.refresh_from_db()
    assert figure.value == Decimal("74.9")


def test_a_manager_reads_but_cannot_change_figures(manager_client, demo_kpis):
    figure = Observation.objects.get(kpi__ref="1", month="2022-06-01")
    url = f"/admin/kpis/observation/{figure.pk}/change/"
    assert manager_client.get(url).status_code == 200
    assert manager_client.get("/admin/kpis/observation/add/").status_code == 403
    manager_client.post(url, {"value": "99.9"})
    figure.refresh_from_db()
    assert figure.value == Decimal("74.9")


def test_an_analyst_changes_a_figure_and_the_history_shows_who_and_why(
    analyst_client, analyst, demo_kpis
):
    figure = Observation.objects.get(kpi__ref="1", month="2022-06-01")
    url = f"/admin/kpis/observation/{figure.pk}/change/"
    response = analyst_client.post(
        url,
        {
            "figure": "75.0",
            "seen_version": figure.version,
            "note": "",
            "change_reason": "late return from the MASH",
        },
    )
    assert response.status_code == 302, response.content
    figure.refresh_from_db()
    assert figure.value == Decimal("75.0")
    page = analyst_client.get(url).content.decode()
    assert "74.9% → 75.0%" in page
    assert "late return from the MASH" in page
    assert analyst.username in page


def test_repeated_failed_logins_lock_the_account_for_the_cool_off(client, viewer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": viewer.username, "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": viewer.username, "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_responses_carry_a_strict_content_security_policy(manager_client, demo_kpis):
    policy = manager_client.get("/").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert directives["object-src"] == "'none'"


def test_deploy_checks_are_clean_under_production_settings():
    env = {
        # The browser tests allow sync database calls under Playwright's loop; a
        # deployment must not (async.E001), so that setting is not passed on.
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 64 + "-production-like-secret-for-the-deploy-check",
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_a_secret_key_production_settings_refuse_to_start():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env["DJANGO_DEBUG"] = "false"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_signing_out_lands_on_the_sign_in_page_saying_so(manager_client, demo_kpis):
    response = manager_client.post(reverse("logout"), follow=True)
    assert response.request["PATH_INFO"] == reverse("login")
    assert b"You have signed out." in response.content
    assert manager_client.get("/").status_code == 302


def test_a_wrong_password_is_summarised_with_a_link_to_the_user_name(client, manager):
    response = client.post(reverse("login"), {"username": "manager", "password": "wrong"})
    page = response.content.decode()
    assert "There is a problem" in page
    assert '<a href="#id_username">Please enter a correct username and password.' in page
