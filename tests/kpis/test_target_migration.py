"""The migration to targets as written turns each existing target into the rule it meant, so
that every figure is judged as before; and back, where the old model can say the rule."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("kpis", "0007_frequencies_year_to_date_rates_and_published_figures")]
AFTER = [("kpis", "0008_target_rules")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


# The data migrations' groups and permissions are restored after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def at_the_old_model():
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def old_targets(apps):
    Section, Kpi, Target = (apps.get_model("kpis", name) for name in ("Section", "Kpi", "Target"))
    section = Section.objects.create(name="Front door")

    def target(ref, polarity, value, tolerance):
        kpi = Kpi.objects.create(
            ref=ref, description=ref, section=section, unit="percent", decimals=1,
            polarity=polarity,
        )  # fmt: skip
        return Target.objects.create(
            kpi=kpi,
            value=Decimal(value),
            tolerance=Decimal(tolerance),
            valid_from=dt.date(2021, 4, 1),
            source="illustrative",
        )

    return {
        "higher": target("1", "higher", "85", "5"),
        "lower": target("5", "lower", "20", "10"),
        "no amber": target("7", "higher", "95", "0"),
        "context": target("2", "neither", "40", "2"),
    }


def test_each_target_becomes_the_rule_it_meant(at_the_old_model):
    made = old_targets(at_the_old_model)
    Target = migrate(AFTER).get_model("kpis", "Target")
    found = {
        name: Target.objects.values("comparison", "basis", "value", "amber", "amber_value").get(
            pk=old.pk
        )
        for name, old in made.items()
    }
    assert found == {
        "higher": {
            "comparison": "at-least",
            "basis": "fixed",
            "value": Decimal("85"),
            "amber": "distance",
            "amber_value": Decimal("5"),
        },
        "lower": {
            "comparison": "at-most",
            "basis": "fixed",
            "value": Decimal("20"),
            "amber": "distance",
            "amber_value": Decimal("10"),
        },
        "no amber": {
            "comparison": "at-least",
            "basis": "fixed",
            "value": Decimal("95"),
            "amber": "none",
            "amber_value": None,
        },
        "context": {  # a context measure stays unjudged (kpis.dashboard.judge)
            "comparison": "at-least",
            "basis": "fixed",
            "value": Decimal("40"),
            "amber": "distance",
            "amber_value": Decimal("2"),
        },
    }


def test_the_migration_goes_back_to_value_and_tolerance(at_the_old_model):
    made = old_targets(at_the_old_model)
    migrate(AFTER)
    Target = migrate(BEFORE).get_model("kpis", "Target")
    assert Target.objects.get(pk=made["higher"].pk).tolerance == Decimal("5")
    assert Target.objects.get(pk=made["no amber"].pk).tolerance == Decimal("0")
