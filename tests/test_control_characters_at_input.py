"""Control characters (a vertical tab pasted from Word, a NUL, an escape) are refused where
KPI definitions and report narrative are typed, with the field named; nothing is saved.
(That stored text never breaks a download is tests/test_downloads.py's
test_control_characters_in_stored_text_never_break_a_download.)"""

import pytest
from django.core.exceptions import ValidationError

from kpis.models import Kpi
from reports import workflow
from reports.models import NarrativeSection
from sct_portal.periods import Quarter
from tests.test_downloads import EVERY_CONTROL

EACH = [pytest.param(c, id=f"U+{ord(c):04X}") for c in EVERY_CONTROL]


@pytest.mark.parametrize("control", EACH)
def test_a_kpi_s_texts_refuse_each_control_character(control, demo_kpis):
    kpi = Kpi.objects.get(ref="1")
    kpi.description = f"Contacts{control}to MASH"
    kpi.short_name = f"contacts{control}to MASH"
    kpi.definition = f"Counted{control}monthly"
    with pytest.raises(ValidationError) as refused:
        kpi.full_clean()
    for field in ("description", "short_name", "definition"):
        assert f"U+{ord(control):04X}" in " ".join(refused.value.message_dict[field])


def test_the_admin_names_the_field_and_saves_nothing(demo_kpis, analyst_client):
    kpi = Kpi.objects.get(ref="1")
    response = analyst_client.post(
        f"/admin/kpis/kpi/{kpi.pk}/change/", {"ref": "1", "description": "Pasted\x0bfrom Word"}
    )
    errors = response.context["adminform"].form.errors
    assert "control characters (U+000B)" in " ".join(errors["description"])
    assert Kpi.objects.get(pk=kpi.pk).description == kpi.description


@pytest.mark.parametrize("control", EACH)
def test_the_narrative_editor_refuses_each_control_character(control, analyst_client, analyst, db):
    report = workflow.start_report(quarter=Quarter.parse("2022-23", "q1"), by=analyst)
    section = report.sections.first()
    assert section is not None
    page = analyst_client.get(report.edit_url)
    based_on = page.context["form"][section.key + "-based-on"].value()
    response = analyst_client.post(
        report.edit_url,
        {section.key: f"Typed in Word{control}and pasted", section.key + "-based-on": based_on},
    )
    assert response.status_code == 400
    assert "control characters" in " ".join(response.context["form"].errors[section.key])
    assert NarrativeSection.objects.get(pk=section.pk).body == section.body


def test_a_section_heading_refuses_control_characters(analyst_client, analyst, db):
    report = workflow.start_report(quarter=Quarter.parse("2022-23", "q1"), by=analyst)
    response = analyst_client.post(
        report.sections_url, {"action": "add", "new-heading": "Pasted heading\x1b"}
    )
    assert response.status_code == 400
    assert not report.sections.filter(heading__startswith="Pasted heading").exists()
