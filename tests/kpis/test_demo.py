"""The demo data is the seed report: every figure of its KPI table, read independently."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from kpis.models import Benchmark, Goal, Kpi, Observation, ObservationRevision, Target
from tests.conftest import SEED_REPORT
from tests.recording import record

MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}


def seed_kpi_table() -> dict[tuple[str, str], tuple[str, str]]:
    """(ref, 'YYYY-MM') → (description, value as printed), parsed from the seed's text."""
    lines = SEED_REPORT.read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if "Apr-21" in line)
    months = []
    for label in (c for c in header.split("\t") if c.strip()):
        match = re.match(r"\s*([A-Za-z]{3})[a-z]*\s*\W*\s*(\d\d)", label)
        assert match, label
        word, year = match.groups()
        months.append(f"20{year}-{MONTHS[word]:02d}")
    table = {}
    for line in lines[lines.index(header) + 1 :]:
        cells = line.split("\t")
        if len(cells) == len(months) + 2 and re.fullmatch(r"\d+[a-z]?", cells[0]):
            for month, printed in zip(months, cells[2:], strict=True):
                table[(cells[0], month)] = (cells[1].strip(), printed.strip())
    return table


def test_the_seed_table_has_225_figures():
    table = seed_kpi_table()
    assert len(table) == 225
    assert len({ref for ref, _ in table}) == 15


@pytest.mark.django_db
def test_load_demo_loads_every_seed_figure_exactly():
    call_command("load_demo", verbosity=0)
    table = seed_kpi_table()
    loaded = {
        (o.kpi.ref, o.month.strftime("%Y-%m")): o
        for o in Observation.objects.select_related("kpi").filter(kpi__in_kpi_table=True)
    }
    assert loaded.keys() == table.keys()
    for key, (description, printed) in table.items():
        observation = loaded[key]
        assert observation.kpi.description == description
        assert observation.value == Decimal(printed.rstrip("%")), key


@pytest.mark.django_db
def test_load_demo_defines_units_and_decimals_as_the_report_prints_them():
    call_command("load_demo", verbosity=0)
    june = {o.kpi.ref: o.formatted for o in Observation.objects.filter(month="2022-06-01")}
    printed = {
        ref: value for (ref, month), (_, value) in seed_kpi_table().items() if month == "2022-06"
    }
    # Counts are whole numbers; the rest are shown as printed.
    printed["5"] = str(int(Decimal(printed["5"])))
    assert {ref: june[ref] for ref in printed} == printed


@pytest.mark.django_db
def test_load_demo_loads_the_headline_measures_goal_and_benchmark():
    call_command("load_demo", verbosity=0)
    text = SEED_REPORT.read_text(encoding="utf-8")
    cic = {o.month.strftime("%b-%y"): o.value for o in Observation.objects.filter(kpi__ref="CIC")}
    assert cic == {"Mar-22": Decimal("844"), "Jun-22": Decimal("848")}
    assert "as of June 2022, is 848" in text
    assert "844 children were in care" in text
    rate = {o.month.strftime("%b-%y"): o.value for o in Observation.objects.filter(kpi__ref="CICR")}
    assert rate == {"Mar-22": Decimal("101.7"), "Jun-22": Decimal("102.2")}
    goal = Goal.objects.get(kpi__ref="CIC")
    assert (goal.value, goal.due.isoformat()) == (Decimal("796"), "2023-03-01")
    benchmark = Benchmark.objects.get(kpi__ref="CICR")
    assert benchmark.value == Decimal("102.6")
    assert benchmark.label == "Statistical neighbour average (5 authorities)"
    assert Kpi.objects.get(ref="2").is_headline
    assert Kpi.objects.get(ref="2").polarity == "neither"


@pytest.mark.django_db
def test_every_target_the_report_does_not_give_is_marked_illustrative():
    call_command("load_demo", verbosity=0)
    assert Target.objects.exists()
    assert set(Target.objects.values_list("source", flat=True)) == {"illustrative"}


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing():
    call_command("load_demo", verbosity=0)

    def snapshot():
        return (
            sorted(Observation.objects.values_list("kpi__ref", "month", "value", "version")),
            ObservationRevision.objects.count(),
            sorted(Kpi.objects.values_list("ref", "description", "unit", "decimals")),
            Target.objects.count(),
            Goal.objects.count(),
            Benchmark.objects.count(),
        )

    before = snapshot()
    call_command("load_demo", verbosity=0)
    assert snapshot() == before


@pytest.mark.django_db
def test_load_demo_never_overwrites_a_revised_figure():
    call_command("load_demo", verbosity=0)
    # June 2022 is closed by the demo's published Q1 report: the lead analyst amends it.
    record("1", "2022-06-01", "75.0", by=User.objects.get(username="analyst"), reason="late")
    call_command("load_demo", verbosity=0)
    figure = Observation.objects.get(kpi__ref="1", month="2022-06-01")
    assert figure.value == Decimal("75.0")


@pytest.mark.django_db
def test_load_demo_creates_the_demo_users_with_their_roles(monkeypatch, capsys):
    monkeypatch.setenv("DEMO_PASSWORD", "a-demo-password-for-tests")
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "a-demo-password-for-tests" in out
    from django.contrib.auth.models import User

    roles = {u.username: (u.is_staff, [g.name for g in u.groups.all()]) for u in User.objects.all()}
    assert roles == {
        "analyst": (True, ["Analyst"]),
        "manager": (True, ["Manager"]),
        "viewer": (False, ["Viewer"]),
        # Who the seed report's figures are recorded under: it cannot sign in.
        "demo-data": (False, ["Analyst"]),
    }
    assert not User.objects.get(username="demo-data").has_usable_password()
    assert User.objects.get(username="viewer").check_password("a-demo-password-for-tests")


@pytest.mark.django_db
def test_load_demo_generates_a_password_and_shows_it_once(monkeypatch, capsys):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("load_demo")
    first = capsys.readouterr().out
    found = re.search(r"password: (\S+)", first)
    assert found
    password = found[1]
    from django.contrib.auth.models import User

    assert User.objects.get(username="manager").check_password(password)
    call_command("load_demo")
    assert password not in capsys.readouterr().out
