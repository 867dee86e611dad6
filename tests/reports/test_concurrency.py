"""Two analysts on one report's narrative: nothing either typed is lost or silently replaced."""

import html
import re

import pytest
from django.test import Client

from reports.models import Action, NarrativeSection
from sct_portal.roles import ANALYST
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


TEXTAREA = re.compile(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', re.S)
BASED_ON = re.compile(r'<input type="hidden" name="([^"]+-based-on)" value="([^"]*)"')


def fields_of(page: str) -> dict[str, str]:
    """What the edit page's form would post unchanged: each section's text and fingerprint."""
    fields = {name: html.unescape(text).removeprefix("\n") for name, text in TEXTAREA.findall(page)}
    fields.update(BASED_ON.findall(page))
    return fields


def opened(client: Client, url: str) -> dict[str, str]:
    return fields_of(client.get(url).content.decode())


@pytest.fixture
def colleague(db) -> Client:
    return client_for(make_user("bo.analyst", ANALYST, staff=True))


def body(report, key: str) -> str:
    return NarrativeSection.objects.get(report=report, key=key).body


def test_two_analysts_editing_different_sections_both_keep_their_text(
    draft, analyst_client, colleague
):
    mine, theirs = opened(analyst_client, draft.edit_url), opened(colleague, draft.edit_url)
    mine["workforce"] = "Ann's new workforce paragraph."
    theirs["kpis"] = "Bo's new KPI paragraph."
    assert analyst_client.post(draft.edit_url, mine).status_code == 302
    assert colleague.post(draft.edit_url, theirs).status_code == 302  # still holds old workforce
    assert body(draft, "workforce") == "Ann's new workforce paragraph."
    assert body(draft, "kpis") == "Bo's new KPI paragraph."
    edits = draft.events.filter(action=Action.EDITED).order_by("-id")[:2]
    assert [[c["key"] for c in e.changes] for e in edits] == [["kpis"], ["workforce"]]


def test_the_later_save_of_the_same_section_is_refused_with_both_texts_shown(
    draft, analyst_client, colleague
):
    mine, theirs = opened(analyst_client, draft.edit_url), opened(colleague, draft.edit_url)
    mine["finance"] = "Ann: the surplus is on plan."
    theirs["finance"] = "Bo: the surplus is behind plan."
    theirs["workforce"] = "Bo also changed the workforce."
    analyst_client.post(draft.edit_url, mine)
    response = colleague.post(draft.edit_url, theirs)
    raw = response.content.decode()
    page = html.unescape(raw)
    assert response.status_code == 400
    assert "ann.analyst changed “Finances”" in page
    assert "Ann: the surplus is on plan." in page  # theirs, shown
    assert "Bo: the surplus is behind plan." in page  # yours, still in the box
    assert "Bo also changed the workforce." in page
    assert body(draft, "finance") == "Ann: the surplus is on plan."
    assert "Bo also" not in body(draft, "workforce")  # nothing of the refused save written
    # Saving again from the page that showed both texts stands.
    again = fields_of(raw)
    assert colleague.post(draft.edit_url, again).status_code == 302
    assert body(draft, "finance") == "Bo: the surplus is behind plan."
    assert body(draft, "workforce") == "Bo also changed the workforce."
