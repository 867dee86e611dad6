import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kpis.models import Frequency, Kpi, Observation, ObservationRevision, Section, Target

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


def observe(k, month="2022-06-01", value="59.1", **extra):
    return Observation(kpi=k, month=dt.date.fromisoformat(month), value=Decimal(value), **extra)


def messages(error: ValidationError) -> str:
    return " ".join(m for ms in error.message_dict.values() for m in ms)


@pytest.mark.parametrize(
    ("unit", "decimals", "value", "expected"),
    [
        ("percent", 1, "104", "KPI 3, Jun-22: a percentage must be between 0 and 100, not 104."),
        ("count", 0, "-2", "KPI 3, Jun-22: a count cannot be negative (-2)."),
        ("count", 0, "2.5", "KPI 3, Jun-22: a count must be a whole number, not 2.5."),
        (
            "percent",
            1,
            "59.12",
            "KPI 3, Jun-22: 59.12 has 2 decimal places; this KPI is kept to 1.",
        ),
    ],
)
def test_a_bad_value_is_refused_naming_the_kpi_and_month(section, unit, decimals, value, expected):
    with pytest.raises(ValidationError) as caught:
        observe(kpi(section, unit=unit, decimals=decimals), value=value).save()
    assert expected in messages(caught.value)
    assert not Observation.objects.exists()
    assert not ObservationRevision.objects.exists()


def test_one_value_per_kpi_per_month(section):
    k = kpi(section)
    observe(k).save()
    with pytest.raises(ValidationError, match="already a figure for this KPI and month"):
        observe(k, value="60.0").save()
    assert Observation.objects.get().value == Decimal("59.1")


def test_no_figure_for_a_month_that_has_not_started(section):
    next_month = (timezone.localdate().replace(day=28) + dt.timedelta(days=5)).replace(day=1)
    with pytest.raises(ValidationError, match="has not started yet"):
        observe(kpi(section), month=next_month.isoformat()).save()


def test_a_quarterly_kpi_takes_figures_at_quarter_ends_only(section):
    k = kpi(section, ref="CIC", unit="count", decimals=0, frequency=Frequency.QUARTERLY)
    observe(k, month="2022-06-01", value="848").save()
    with pytest.raises(ValidationError, match=r"quarterly KPI takes figures only at quarter ends"):
        observe(k, month="2022-05-01", value="846").save()


def test_numerator_and_denominator_must_agree_with_the_value(section):
    k = kpi(section)
    observe(k, value="75.6", numerator=34, denominator=45).save()  # 34/45 = 75.56
    with pytest.raises(ValidationError, match=r"34 of 45 is 75\.6%, not 80\.0%"):
        observe(k, month="2022-05-01", value="80.0", numerator=34, denominator=45).save()
    with pytest.raises(ValidationError, match="give both numerator and denominator"):
        observe(k, month="2022-04-01", value="80.0", numerator=34).save()


def test_every_change_is_kept_in_the_history_with_who_and_why(section, analyst):
    k = kpi(section)
    figure = observe(k, entered_by=analyst)
    figure.save()
    figure.value = Decimal("61.0")
    figure.changed_by = analyst
    figure.change_reason = "late conferences added"
    figure.save()
    figure.save()  # nothing changed: nothing recorded
    history = list(ObservationRevision.objects.order_by("id"))
    assert [(r.action, r.old_value, r.new_value, r.version) for r in history] == [
        ("created", None, Decimal("59.1"), 1),
        ("changed", Decimal("59.1"), Decimal("61.0"), 2),
    ]
    assert history[1].changed_by == analyst
    assert history[1].reason == "late conferences added"
    assert history[1].summary == "59.1% → 61.0%"


def test_a_deleted_figure_stays_in_the_history(section):
    figure = observe(kpi(section))
    figure.save()
    figure.delete()
    assert ObservationRevision.objects.latest("id").summary == "59.1% deleted"


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
