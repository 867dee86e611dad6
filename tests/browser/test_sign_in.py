"""Signing in, being locked out, and what a viewer cannot reach, in a real browser."""

from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.conftest import make_user


def test_an_anonymous_visitor_is_sent_to_sign_in_and_lands_on_the_overview(page: Page):
    call_command("load_demo", verbosity=0)
    make_user("mo.manager", "Manager", staff=True)
    page.goto("/kpis/1/")
    expect(page).to_have_url("/accounts/login/?next=/kpis/1/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "sign-in")
    sign_in(page, "mo.manager")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("overview")
    assert_accessible(page)
    screenshot(page, "overview")


def test_repeated_failed_sign_ins_lock_the_account_for_the_cool_off(page: Page, settings):
    make_user("vi.viewer", "Viewer", staff=False)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(page, "vi.viewer", password=f"wrong-{attempt}")
        if attempt < settings.AXES_FAILURE_LIMIT - 1:
            expect(page.get_by_role("alert")).to_contain_text("correct username and password")
            assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many failed sign-in attempts")
    assert_accessible(page)
    # Even the right password is refused during the cool-off.
    sign_in(page, "vi.viewer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many failed sign-in attempts")
    assert "_auth_user_id" not in str(page.context.cookies())
    screenshot(page, "locked-out")


def test_a_viewer_cannot_reach_the_admin(page: Page):
    make_user("vi.viewer", "Viewer", staff=False)
    sign_in(page, "vi.viewer")
    response = page.goto("/admin/")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    assert_accessible(page)
    assert not User.objects.get(username="vi.viewer").is_staff
