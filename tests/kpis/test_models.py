import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import NotSupportedError

from kpis.models import Frequency, Kpi, Observation, Section, Target
from tests.recording import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def section():
    return Section.objects.create(name="Child protection")


def kpi(section, ref="3", unit="percent", decimals=1, **extra):
    return Kpi.objects.create(
        ref=ref,
        description=f"KPI {ref}",
        section=section,
        unit=unit,
        decimals=decimals,
        polarity="higher",
        **extra,
    )


def test_figures_are_never_saved_or_deleted_past_the_write_path(section):
    k = kpi(section)
    with pytest.raises(NotSupportedError, match=r"kpis\.figures"):
        Observation(kpi=k, month=dt.date(2022, 6, 1), value=Decimal("59.1")).save()
    record(k, "2022-06-01", "59.1")
    stored = Observation.objects.get()
    for write in (
        stored.delete,
        Observation.objects.all().delete,
        lambda: Observation.objects.update(value=1),
        lambda: Observation.objects.bulk_create([stored]),
    ):
        with pytest.raises(NotSupportedError, match=r"kpis\.figures"):
            write()
    assert Observation.objects.get().value == Decimal("59.1")


def test_targets_for_one_kpi_cannot_overlap(section):
    k = kpi(section)
    Target.objects.create(
        kpi=k,
        value=90,
        amber="distance",
        amber_value=5,
        valid_from=dt.date(2021, 4, 1),
        valid_to=dt.date(2022, 3, 1),
        source="contract",
    )
    Target(kpi=k, value=92, valid_from=dt.date(2022, 4, 1), source="contract").full_clean()
    with pytest.raises(ValidationError, match="overlaps another target"):
        Target(kpi=k, value=92, valid_from=dt.date(2022, 3, 1), source="contract").full_clean()


def test_kpi_due_by_frequency(section):
    kpi(section, ref="M")
    kpi(section, ref="Q", frequency=Frequency.QUARTERLY)
    kpi(section, ref="A", frequency=Frequency.ANNUAL)
    due = {
        m: sorted(Kpi.objects.due_in(dt.date(2022, m, 1)).values_list("ref", flat=True))
        for m in (5, 6, 3)
    }
    assert due == {5: ["M"], 6: ["M", "Q"], 3: ["A", "M", "Q"]}
