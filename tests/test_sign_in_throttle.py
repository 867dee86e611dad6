"""Sign-in throttling: a user name locks after five failures; an address trying many user
names locks after fifteen (README: Signing in to the demo); colleagues on one address are
not locked out by one another."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, make_user

OFFICE = "203.0.113.7"
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36"


def _sign_in(username: str, password: str, *, address: str = OFFICE, browser: str = BROWSER):
    client = Client(REMOTE_ADDR=address, HTTP_USER_AGENT=browser)
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response, client


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_one_password_sprayed_across_twenty_user_names_is_throttled(settings):
    users = [make_user(f"user.{n:02d}", None, staff=False) for n in range(20)]
    answers = []
    for number, user in enumerate(users):
        response, _ = _sign_in(user.username, "Summer2024!", browser=f"Browser/{number}")
        answers.append(response.status_code)
    assert answers.count(429) >= 20 - settings.PORTAL_ADDRESS_FAILURE_LIMIT
    # Locked by address: even a right password from there waits for the cool-off.
    response, client = _sign_in(users[-1].username, PASSWORD)
    assert response.status_code == 429
    assert not _signed_in(client)
    # Another address is not held up.
    response, client = _sign_in(users[-1].username, PASSWORD, address="198.51.100.2")
    assert _signed_in(client)


@pytest.mark.django_db
def test_one_colleague_s_failures_do_not_lock_another_on_the_same_address(settings):
    ann = make_user("ann.analyst", None, staff=False)
    bob = make_user("bob.analyst", None, staff=False)
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        _sign_in(ann.username, "wrong password")
    response, client = _sign_in(ann.username, PASSWORD)
    assert response.status_code == 429  # Ann's user name is locked…
    response, client = _sign_in(bob.username, PASSWORD)
    assert _signed_in(client)  # …and Bob, same office and browser, signs in


@pytest.mark.django_db
def test_a_user_name_locks_after_five_failures_from_any_addresses(settings):
    ann = make_user("ann.analyst", None, staff=False)
    for number in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(ann.username, "wrong password", address=f"192.0.2.{number + 1}")
    response, client = _sign_in(ann.username, PASSWORD, address="192.0.2.99")
    assert response.status_code == 429
    assert not _signed_in(client)


@pytest.mark.django_db
def test_signing_in_does_not_clear_the_address_s_failures(settings):
    make_user("ann.analyst", None, staff=False)
    names = [f"guess.{n}" for n in range(settings.PORTAL_ADDRESS_FAILURE_LIMIT - 1)]
    for name in names[:-1]:
        _sign_in(name, "Summer2024!")
    response, client = _sign_in("ann.analyst", PASSWORD)
    assert _signed_in(client)
    for name in ("guess.x", "guess.y"):
        _sign_in(name, "Summer2024!")
    response, _ = _sign_in("guess.z", "Summer2024!")
    assert response.status_code == 429
