"""The one write path for figures (kpis.figures): what every caller gets."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kpis import figures
from kpis.figures import UNCHANGED, Action, Code, Entry, Source, Stated
from kpis.locking import close_months
from kpis.models import Frequency, Kpi, Observation, ObservationRevision, Section
from sct_portal.models import data_version
from tests.recording import lead_analyst, record

pytestmark = pytest.mark.django_db

JUNE = dt.date(2022, 6, 1)


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


def refused(entries, *, by=None, reason=""):
    with pytest.raises(figures.Refused) as caught:
        figures.record_figures(
            entries=entries, by=by or lead_analyst(), source=Source.ADMIN, reason=reason
        )
    return caught.value.checked


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
        (
            "percent",
            1,
            "0.796",
            "KPI 3, Jun-22: 0.796 has 3 decimal places; this KPI is kept to 1 — did you mean "
            "79.6%?.",
        ),
    ],
)
def test_a_bad_value_is_refused_naming_the_kpi_and_month(section, unit, decimals, value, expected):
    k = kpi(section, unit=unit, decimals=decimals)
    checked = refused([Entry(kpi=k, month=JUNE, value=Decimal(value))])
    assert [p.message for p in checked.problems] == [expected]
    assert not Observation.objects.exists()
    assert not ObservationRevision.objects.exists()


def test_no_figure_for_a_month_that_has_not_started(section):
    next_month = (timezone.localdate().replace(day=28) + dt.timedelta(days=5)).replace(day=1)
    checked = refused([Entry(kpi=kpi(section), month=next_month, value=Decimal(50))])
    assert "has not started yet" in checked.problems[0].message


def test_a_quarterly_kpi_takes_figures_at_quarter_ends_only(section):
    k = kpi(section, ref="CIC", unit="count", decimals=0, frequency=Frequency.QUARTERLY)
    record(k, JUNE, "848")
    checked = refused([Entry(kpi=k, month=dt.date(2022, 5, 1), value=Decimal(846))])
    assert "quarterly KPI takes figures only at quarter ends" in checked.problems[0].message


def test_numerator_and_denominator_must_agree_with_the_value(section):
    k = kpi(section, uses_fraction=True)
    record(k, JUNE, "75.6", numerator=34, denominator=45)  # 34/45 = 75.56
    checked = refused(
        [
            Entry(
                kpi=k, month=dt.date(2022, 5, 1), value=Decimal(80), numerator=34, denominator=45
            ),
            Entry(kpi=k, month=dt.date(2022, 4, 1), value=Decimal(80), numerator=34),
        ]
    )
    assert [p.message for p in checked.problems] == [
        "KPI 3, May-22: 34 of 45 is 75.6%, not 80.0%.",
        "KPI 3, Apr-22: give both numerator and denominator, or neither.",
    ]


def test_what_a_caller_does_not_give_stays_as_it_is(section):
    """The monthly return's bug: a KPI whose row shows no fraction lost its imported one."""
    k = kpi(section, uses_fraction=True)
    record(k, JUNE, "75.0", numerator=30, denominator=40, note="two late")
    change = record(k, JUNE, note="two late; one moved")
    stored = Observation.objects.get()
    assert (stored.value, stored.numerator, stored.denominator, stored.note) == (
        Decimal("75.0"),
        30,
        40,
        "two late; one moved",
    )
    assert change.action == Action.CHANGED
    assert ObservationRevision.objects.count() == 2


def test_every_change_is_kept_in_the_history_with_who_where_from_and_why(section, analyst):
    k = kpi(section)
    record(k, JUNE, "59.1", by=analyst, source=Source.MONTHLY_RETURN, reason="June return")
    record(k, JUNE, "61.0", by=analyst, reason="late conferences added")
    unchanged = record(k, JUNE, "61.00", by=analyst)  # the same figure: nothing recorded
    assert unchanged.action == Action.UNCHANGED
    history = list(ObservationRevision.objects.order_by("id"))
    assert [(r.action, r.old_value, r.new_value, r.version) for r in history] == [
        ("created", None, Decimal("59.1"), 1),
        ("changed", Decimal("59.1"), Decimal("61.0"), 2),
    ]
    assert [(r.changed_by, r.changed_by_name, r.source, r.reason) for r in history] == [
        (analyst, "ann.analyst", "monthly return", "June return"),
        (analyst, "ann.analyst", "admin", "late conferences added"),
    ]
    assert history[1].summary == "59.1% → 61.0%"
    assert Observation.objects.get().entered_by == analyst


def test_a_figure_is_never_written_without_someone_who_may_write_it(section, viewer, manager):
    k = kpi(section)
    for nobody in (None, AnonymousUser(), User(username="unsaved")):
        with pytest.raises(PermissionDenied, match="written by someone"):
            figures.record_figure(
                kpi=k, month=JUNE, value=Decimal(50), by=nobody, source=Source.ADMIN
            )
    for reader in (viewer, manager):
        with pytest.raises(PermissionDenied, match="may not change figures"):
            figures.record_figure(
                kpi=k, month=JUNE, value=Decimal(50), by=reader, source=Source.ADMIN
            )
    assert not Observation.objects.exists()


def test_a_deleted_figure_stays_in_the_history(section, analyst):
    k = kpi(section)
    record(k, JUNE, "59.1")
    with pytest.raises(PermissionDenied):  # analysts correct figures; deleting is an admin's
        figures.delete_figure(kpi=k, month=JUNE, by=analyst, source=Source.ADMIN)
    admin = User.objects.create_superuser("admin")
    figures.delete_figure(kpi=k, month=JUNE, by=admin, source=Source.ADMIN)
    assert not Observation.objects.exists()
    assert ObservationRevision.objects.latest("id").summary == "59.1% deleted"


def test_a_symbol_is_kept_as_a_symbol_never_as_zero(section):
    k = kpi(section, unit="count", decimals=0)
    record(k, JUNE, "c", note="fewer than 5 children")
    stored = Observation.objects.get()
    assert (stored.value, stored.symbol, stored.formatted) == (None, "c", "c")
    record(k, JUNE, "4")
    revision = ObservationRevision.objects.latest("id")
    assert (revision.old_symbol, revision.new_value, revision.summary) == (
        "c",
        Decimal(4),
        "c → 4",
    )
    checked = refused([Entry(kpi=k, month=JUNE, value="cc")])
    assert '"cc" is not a symbol' in checked.problems[0].message


def test_a_stated_status_is_recorded_with_or_without_a_figure(section, analyst):
    k = kpi(section)
    stated = Stated(rag="amber", words="potential concern", reason="Performance board, 5 July")
    record(k, JUNE, None, stated=stated, by=analyst)
    stored = Observation.objects.get()
    assert (stored.has_figure, stored.stated_rag, stored.stated_words) == (
        False,
        "amber",
        "potential concern",
    )
    assert stored.stated_by == analyst
    assert ObservationRevision.objects.get().new_stated == "Amber: potential concern"
    checked = refused([Entry(kpi=k, month=JUNE, stated=Stated(rag="amber"))])
    assert "say why the status is stated" in checked.problems[0].message
    record(k, "2022-05-01", "45.0")
    checked = refused([Entry(kpi=k, month=dt.date(2022, 5, 1), value=None)])
    assert "give a number, a symbol" in checked.problems[0].message


def test_a_lost_update_is_refused_with_the_figure_as_it_now_stands(section, analyst):
    k = kpi(section)
    record(k, JUNE, "59.1")  # version 1
    record(k, JUNE, "60.0")  # someone else: version 2
    checked = refused([Entry(kpi=k, month=JUNE, value=Decimal("61.0"), version=1)])
    assert checked.problems[0].code == Code.CONFLICT
    assert "now 60.0%, version 2" in checked.problems[0].message
    assert Observation.objects.get().value == Decimal("60.0")


def test_plausibility_asks_for_confirmation_and_a_fraction_of_one_is_flagged(section):
    k = kpi(section)
    for month, value in (("2022-03-01", "40.0"), ("2022-04-01", "45.0"), ("2022-05-01", "42.0")):
        record(k, month, value)
    checked = refused([Entry(kpi=k, month=JUNE, value=Decimal("0.4"))])
    assert not checked.problems
    (change,) = checked.unconfirmed
    assert change.warnings[0].startswith("0.4% looks like a fraction of one — did you mean 40%?")
    assert not Observation.objects.filter(month=JUNE).exists()
    figures.record_figures(
        entries=[Entry(kpi=k, month=JUNE, value=Decimal("0.4"), confirmed=True)],
        by=lead_analyst(),
        source=Source.IMPORT,
    )
    assert Observation.objects.get(month=JUNE).value == Decimal("0.4")


def test_a_closed_month_needs_the_permission_and_a_reason(section, analyst):
    k = kpi(section)
    record(k, JUNE, "59.1")
    close_months(months=[JUNE], by=analyst, reason="Q1 2022/23 report published")
    entry = Entry(kpi=k, month=JUNE, value=Decimal("60.0"))
    assert refused([entry], by=analyst).problems[0].code == Code.CLOSED_PERMISSION
    assert refused([entry]).problems[0].code == Code.CLOSED_REASON
    figures.record_figures(
        entries=[entry], by=lead_analyst(), source=Source.ADMIN, reason="Late return"
    )
    revision = ObservationRevision.objects.latest("id")
    assert (revision.closed_period, revision.reason) == (True, "Late return")


def test_a_batch_is_all_or_nothing_and_bumps_the_data_version_once(section):
    k = kpi(section)
    other = kpi(section, ref="4")
    before = data_version()
    refused(
        [
            Entry(kpi=k, month=JUNE, value=Decimal(50), confirmed=True),
            Entry(kpi=other, month=JUNE, value=Decimal(500), confirmed=True),
        ]
    )
    assert not Observation.objects.exists()
    assert data_version() == before
    recorded = figures.record_figures(
        entries=[
            Entry(kpi=k, month=JUNE, value=Decimal(50), confirmed=True),
            Entry(kpi=other, month=JUNE, value=Decimal(55), confirmed=True),
            Entry(kpi=other, month=dt.date(2022, 5, 1), value=UNCHANGED, note=UNCHANGED),
        ],
        by=lead_analyst(),
        source=Source.IMPORT,
    )
    assert [c.action for c in recorded.changes] == ["created", "created", "unchanged"]
    assert Observation.objects.count() == 2
    assert data_version() == before + 1


def test_a_batch_takes_a_fixed_number_of_queries(section, django_assert_max_num_queries):
    kpis = [kpi(section, ref=f"K{n}") for n in range(20)]
    months = [dt.date(2020, 4, 1) + dt.timedelta(days=31 * i) for i in range(24)]
    entries = [
        Entry(kpi=k, month=m.replace(day=1), value=Decimal(50), confirmed=True)
        for k in kpis
        for m in months
    ]
    by = lead_analyst()
    # Savepoint, permissions, stored figures, closed months, the inserts (a batch each 500
    # rows), the history, the data version.
    with django_assert_max_num_queries(12):
        recorded = figures.record_figures(entries=entries, by=by, source=Source.IMPORT)
    assert len(recorded.created) == 480
    assert ObservationRevision.objects.count() == 480
