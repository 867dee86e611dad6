"""A database that cannot be reached gives "the portal is busy, try again" with HTTP 503 and
Retry-After — whether a view, a template or the sign-in check meets it — and no traceback.

The database is really unreachable here: the default connection is swapped for one to a
closed port (PostgreSQL) or to a file in a folder that does not exist (SQLite)."""

import socket
from collections.abc import Iterator

import pytest
from django.db import connections
from django.test import Client


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # free again once closed: nothing listens there


@pytest.fixture
def database_down(django_db_blocker, tmp_path) -> Iterator[None]:
    with django_db_blocker.unblock():
        working = connections["default"]
        settings = dict(working.settings_dict)
        if working.vendor == "sqlite":
            settings["NAME"] = str(tmp_path / "no-such-folder" / "portal.sqlite3")
        else:
            settings |= {"HOST": "127.0.0.1", "PORT": str(_closed_port())}
        unreachable = type(working)(settings, alias="default")
        connections["default"] = unreachable
        try:
            yield
        finally:
            unreachable.close()
            connections["default"] = working


def _busy(response) -> None:
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "The portal is busy, try again" in page
    assert "Traceback" not in page
    assert "OperationalError" not in page


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/login/?next=/trend/"])
def test_a_page_that_reads_the_database_says_the_portal_is_busy(database_down, url):
    _busy(Client(raise_request_exception=False).get(url))


@pytest.mark.parametrize("url", ["/", "/admin/kpis/observation/", "/reports/2022-23/q1/"])
def test_a_signed_in_request_whose_session_cannot_be_read_says_the_portal_is_busy(
    database_down, url
):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a-session-kept-in-the-database"
    _busy(client.get(url))


def test_a_sign_in_attempt_says_the_portal_is_busy(database_down):
    client = Client(raise_request_exception=False)
    _busy(client.post("/accounts/login/", {"username": "ann", "password": "whatever-it-is"}))
