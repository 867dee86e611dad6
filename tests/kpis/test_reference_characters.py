"""A KPI reference is letters and digits with . - _ after the first: one that would make
the KPI's page unreachable (a slash, a space, a NUL) is refused with the field named."""

import pytest
from django.core.exceptions import ValidationError

from kpis.models import Kpi

BAD = ["3/a", "3 a", "3\x00", "", "-3", "3?", "3#", "é"]


@pytest.mark.parametrize("ref", BAD)
def test_a_reference_that_would_break_its_page_is_refused(ref, kpi_definitions):
    kpi = Kpi.objects.get(ref="1")
    kpi.ref = ref
    with pytest.raises(ValidationError) as refused:
        kpi.full_clean()
    assert "ref" in refused.value.message_dict


@pytest.mark.parametrize("ref", ["1", "6b", "CH01", "2.1", "EH-3", "A_2"])
def test_references_as_reports_print_them_are_accepted(ref, kpi_definitions, analyst_client):
    kpi = Kpi.objects.get(ref="1")
    kpi.ref = ref
    kpi.full_clean()
    kpi.save()
    assert analyst_client.get(kpi.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("ref", ["3/a", "3 a", "3\x00"])
def test_the_admin_names_the_reference_field(ref, kpi_definitions, analyst_client):
    kpi = Kpi.objects.get(ref="1")
    response = analyst_client.post(f"/admin/kpis/kpi/{kpi.pk}/change/", {"ref": ref})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["ref"]  # "letters and digits …", or Django's own word for a NUL
    assert Kpi.objects.filter(pk=kpi.pk, ref="1").exists()
