import pytest
from django.core.exceptions import ValidationError

from sct_portal.models import Kind, Organisation, current


@pytest.mark.django_db
def test_until_an_administrator_records_it_the_environment_names_the_organisation(settings):
    settings.PORTAL_ORGANISATION = "Anytown Council"
    settings.PORTAL_ORGANISATION_KIND = "council"
    found = current()
    assert found.pk is None
    assert found.name == "Anytown Council"
    assert found.kind_noun == "council"


@pytest.mark.django_db
def test_the_portal_serves_one_organisation():
    Organisation.objects.create(
        portal_name="P", name="Anytown Council", kind=Kind.COUNCIL, area="A"
    )
    with pytest.raises(ValidationError, match="one organisation"):
        Organisation.objects.create(portal_name="Q", name="Other", area="B")
    assert current().name == "Anytown Council"


@pytest.mark.django_db
def test_a_three_digit_code_or_none():
    with pytest.raises(ValidationError) as raised:
        Organisation(portal_name="P", name="N", area="A", la_code="33").full_clean()
    assert "three digits" in str(raised.value.message_dict["la_code"])


def test_pages_name_the_organisation_recorded_and_hide_what_it_does_not_use(manager_client):
    Organisation.objects.create(
        portal_name="Anytown Performance",
        name="Anytown Council",
        kind=Kind.COUNCIL,
        area="Anytown",
        uses_finance=False,
    )
    page = manager_client.get("/reports/").content.decode()
    assert "Anytown Performance" in page
    assert 'href="/finance/' not in page
    assert 'href="/contracts/' in page
