"""Demo data: the KPIs, figures, goal and benchmark of the Q1 2022/23 Sandwell report.

The figures are read from the report itself (sct_portal/seed/), not copied here, by the
same importer that analysts use for their spreadsheets (kpis/imports.py). What the
report does not give (definitions, sections, targets) is written here, and every target
that the report does not state is marked "illustrative".
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import transaction

from sct_portal import periods
from sct_portal.roles import ANALYST
from sct_portal.seed import REPORT_NAME, SEED_REPORT

from . import figures, imports, published
from .ees import GeographicLevel
from .models import (
    Benchmark,
    BenchmarkMapping,
    Comparator,
    ComparatorGroup,
    Frequency,
    Geography,
    Goal,
    Kpi,
    Observation,
    Section,
    Statistic,
    Target,
    TargetSource,
)
from .polarity import Polarity
from .rag import Amber, Comparison
from .spc import Chart
from .units import Unit

SECTIONS = [
    "Front door and assessment",
    "Child protection",
    "Children in need",
    "Children in care",
    "Workforce",
    "Quality",
]


@dataclass(frozen=True)
class DemoKpi:
    ref: str
    section: str
    unit: str
    decimals: int
    polarity: str
    definition: str
    # Illustrative target and amber distance ("at least" or "at most" by polarity); None
    # where none is loaded.
    target: tuple[str, str] | None = None
    frequency: str = Frequency.MONTHLY
    is_headline: bool = False
    in_kpi_table: bool = True
    description: str = ""  # for KPIs outside the report's table
    short_name: str = ""  # how the report names it inside a sentence
    uses_fraction: bool = False
    chart: str = Chart.XMR


P, H, L, N = Unit.PERCENT, Polarity.HIGHER, Polarity.LOWER, Polarity.NEITHER

# The 15 KPIs of the report's table, in its order; descriptions come from the report.
TABLE_KPIS = [
    DemoKpi(
        "1",
        SECTIONS[0],
        P,
        1,
        H,
        "Contacts to the multi-agency safeguarding hub (MASH) "
        "that became referrals, and the percentage of those decided within timescale.",
        ("85", "5"),
    ),
    DemoKpi(
        "2",
        SECTIONS[1],
        Unit.RATE,
        1,
        N,
        "Children subject to a child protection plan at "
        "the month's end, per 10,000 children and young people in the population. A context "
        "measure: neither a rise nor a fall is good in itself.",
        short_name="rate of children on a child protection plan",
    ),
    DemoKpi(
        "3",
        SECTIONS[1],
        P,
        1,
        H,
        "Initial child protection conferences held within 15 "
        "working days of the strategy discussion, as a percentage of all held. Charted as a "
        "p-chart: each month's limits follow the number of conferences held. The demo's "
        "numbers of conferences are illustrative (the report prints the percentages only).",
        ("85", "5"),
        uses_fraction=True,
        chart=Chart.P,
    ),
    DemoKpi(
        "4",
        SECTIONS[0],
        P,
        2,
        H,
        "Single assessments completed within 45 working days, as "
        "a percentage of the open assessments.",
        ("85", "5"),
    ),
    DemoKpi(
        "5",
        SECTIONS[2],
        Unit.COUNT,
        0,
        L,
        "Children in need, including looked-after "
        "children and children on a child protection plan, without an allocated social "
        "worker for longer than five working days.",
        ("20", "10"),
    ),
    DemoKpi(
        "6a",
        SECTIONS[1],
        P,
        2,
        H,
        "Children on a child protection plan visited at least "
        "every four weeks, as a percentage of all children on a plan.",
        ("90", "5"),
    ),
    DemoKpi(
        "7",
        SECTIONS[1],
        P,
        2,
        H,
        "Child protection plans reviewed within the six-monthly "
        "interval, as a percentage of plans due a review.",
        ("95", "5"),
    ),
    DemoKpi(
        "8",
        SECTIONS[1],
        P,
        2,
        H,
        "Child protection cases whose social worker had "
        "supervision within four weeks, as a percentage of all child protection cases.",
        ("85", "10"),
    ),
    DemoKpi(
        "9",
        SECTIONS[3],
        P,
        1,
        H,
        "Return interviews offered to children after a missing "
        "episode within 72 hours, as a percentage of episodes.",
        ("90", "5"),
    ),
    DemoKpi(
        "10",
        SECTIONS[2],
        P,
        1,
        H,
        "Children in need visited within the last 20 working "
        "days, as a percentage of all children in need.",
        ("90", "10"),
    ),
    DemoKpi(
        "11",
        SECTIONS[3],
        P,
        1,
        H,
        "Looked-after children visited within the statutory "
        "timescale, as a percentage of all looked-after children.",
        ("90", "5"),
    ),
    DemoKpi(
        "12",
        SECTIONS[3],
        P,
        1,
        H,
        "Looked-after children's reviews held within timescale, as a percentage of reviews due.",
        ("95", "5"),
    ),
    DemoKpi(
        "13",
        SECTIONS[4],
        P,
        2,
        L,
        "Vacant social worker posts as a percentage of the established posts.",
        ("20", "5"),
    ),
    DemoKpi(
        "14",
        SECTIONS[4],
        Unit.AVERAGE,
        2,
        L,
        "The average number of cases held by a case-holding worker across children's services.",
        ("18", "2"),
    ),
    DemoKpi(
        "15",
        SECTIONS[5],
        P,
        1,
        H,
        "Case files audited at random in the month that were "
        "rated 'requires improvement' or better, as a percentage of files audited.",
        ("90", "10"),
    ),
]

# KPI 3 as numerator and denominator (conferences within 15 days, of those held), so the demo
# has a p-chart. The report prints only the percentages; these counts are illustrative, chosen
# to give exactly the printed percentage each month with between 22 and 50 conferences.
ICPC_REF = "3"
ICPC_FRACTIONS = {
    "Apr-21": (39, 42),  # 92.9%
    "May-21": (28, 33),  # 84.8%
    "Jun-21": (25, 34),  # 73.5%
    "Jul-21": (44, 49),  # 89.8%
    "Aug-21": (36, 46),  # 78.3%
    "Sep-21": (31, 35),  # 88.6%
    "Oct-21": (30, 44),  # 68.2%
    "Nov-21": (29, 31),  # 93.5%
    "Dec-21": (17, 22),  # 77.3%
    "Jan-22": (36, 41),  # 87.8%
    "Feb-22": (47, 50),  # 94.0%
    "Mar-22": (25, 42),  # 59.5%
    "Apr-22": (15, 45),  # 33.3%
    "May-22": (21, 25),  # 84.0%
    "Jun-22": (26, 44),  # 59.1%
}


def with_fractions(figure: imports.Figure) -> imports.Figure:
    """A figure of the seed report with the demo's numerator and denominator, if it has one."""
    label = periods.month_label(figure.month)
    if figure.ref != ICPC_REF or label not in ICPC_FRACTIONS:
        return figure
    numerator, denominator = ICPC_FRACTIONS[label]
    return replace(figure, numerator=numerator, denominator=denominator)


# Headline measures the report gives in its narrative, at quarter ends.
HEADLINE_KPIS = [
    DemoKpi(
        "CIC",
        SECTIONS[3],
        Unit.COUNT,
        0,
        L,
        "Children looked after by the trust at the "
        "quarter's end. The council's plan is to bring the number down safely.",
        frequency=Frequency.QUARTERLY,
        is_headline=True,
        in_kpi_table=False,
        description="Number of children in care",
        short_name="total number of children in care",
    ),
    DemoKpi(
        "CICR",
        SECTIONS[3],
        Unit.RATE,
        1,
        N,
        "Children looked after at the quarter's "
        "end per 10,000 children in the population, compared with statistical "
        "neighbours. A context measure.",
        frequency=Frequency.QUARTERLY,
        is_headline=True,
        in_kpi_table=False,
        description="Rate of children in care per 10,000 children",
        short_name="rate per 10,000 of children in care",
    ),
]
HEADLINE_REFS = {"2"}  # table KPIs that are also headline measures

# The narrative's figures: (ref, month, value as printed).
HEADLINE_FIGURES = [
    ("CIC", "Mar-22", "844"),
    ("CIC", "Jun-22", "848"),
    ("CICR", "Mar-22", "101.7"),
    ("CICR", "Jun-22", "102.2"),
]
GOAL = ("CIC", "Mar-23", "796")
BENCHMARK = ("CICR", "Mar-22", "102.6", "5 authorities")


@transaction.atomic
def define_kpis(*, descriptions: Mapping[str, str], first_month: dt.date) -> int:
    """The sections, the KPIs (descriptions as the report prints them) and their
    illustrative targets from `first_month`; returns how many KPIs were added."""
    sections = {
        name: Section.objects.get_or_create(name=name, defaults={"order": i})[0]
        for i, name in enumerate(SECTIONS, 1)
    }
    added = 0
    for order, spec in enumerate(TABLE_KPIS + HEADLINE_KPIS, 1):
        kpi, created = Kpi.objects.get_or_create(
            ref=spec.ref,
            defaults={
                "description": descriptions.get(spec.ref) or spec.description or f"KPI {spec.ref}",
                "section": sections[spec.section],
                "unit": spec.unit,
                "decimals": spec.decimals,
                "polarity": spec.polarity,
                "frequency": spec.frequency,
                "order": order * 10,
                "definition": spec.definition,
                "short_name": spec.short_name,
                "is_headline": spec.is_headline or spec.ref in HEADLINE_REFS,
                "in_kpi_table": spec.in_kpi_table,
                "uses_fraction": spec.uses_fraction,
                "chart": spec.chart,
            },
        )
        added += created
        if spec.target and not kpi.targets.exists():
            threshold, tolerance = spec.target
            Target.objects.create(
                kpi=kpi,
                comparison=Comparison.AT_LEAST
                if spec.polarity == Polarity.HIGHER
                else Comparison.AT_MOST,
                value=Decimal(threshold),
                amber=Amber.DISTANCE,
                amber_value=Decimal(tolerance),
                valid_from=first_month,
                source=TargetSource.ILLUSTRATIVE,
                source_detail="Illustrative: the report states no target for this KPI.",
            )
    return added


LOADER = "demo-data"  # the user the demo's figures are recorded under


def loader() -> Any:
    """The user who records the demo's figures: an analyst that cannot sign in (no usable
    password), so the history names who loaded them."""
    user, created = User.objects.get_or_create(
        username=LOADER, defaults={"first_name": "Demo data", "last_name": "(seed report)"}
    )
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=ANALYST))
    return user


@transaction.atomic
def load(text: str | None = None) -> dict[str, int]:
    """Load the seed report's KPIs and figures; running it again changes nothing.

    The KPI table is read by the spreadsheet importer, as an analyst would import it.
    """
    content = SEED_REPORT.read_bytes() if text is None else text.encode("utf-8")
    reading = imports.read(SEED_REPORT.name, content)
    if reading.problems or not reading.figures:
        raise ValueError(f"The seed report cannot be read: {reading.problems}")
    counts = {"kpis": 0, "observations": 0}
    counts["kpis"] = define_kpis(
        descriptions=reading.descriptions,
        first_month=min(figure.month for figure in reading.figures),
    )
    # Never overwrite a figure: an analyst may have revised it.
    existing = set(Observation.objects.values_list("kpi__ref", "month"))
    reading.figures = [
        with_fractions(f) for f in reading.figures if (f.ref, f.month) not in existing
    ]
    by = loader()
    plan = imports.plan(reading, by=by)
    if plan.problems:
        raise ValueError(f"The seed report's figures do not fit the KPIs: {plan.problems}")
    # The report's own figures: its unusual months (KPI 5's 258) are as published.
    written = imports.commit(
        plan=plan, by=by, reason=REPORT_NAME, source=figures.Source.DEMO, confirmed=True
    )
    counts["observations"] += len(written)
    kpis = {kpi.ref: kpi for kpi in Kpi.objects.all()}
    headline = [
        figures.Entry(
            kpi=kpis[ref], month=periods.parse_month(label), value=Decimal(printed), confirmed=True
        )
        for ref, label, printed in HEADLINE_FIGURES
        if (ref, periods.parse_month(label)) not in existing
    ]
    recorded = figures.record_figures(
        entries=headline, by=by, source=figures.Source.DEMO, reason=f"Loaded from {REPORT_NAME}"
    )
    counts["observations"] += len(recorded.written)
    goal_ref, goal_due, goal_value = GOAL
    Goal.objects.get_or_create(
        kpi=kpis[goal_ref],
        due=periods.parse_month(goal_due),
        defaults={
            "value": Decimal(goal_value),
            "source": TargetSource.LOCAL_PLAN,
            "source_detail": f"{REPORT_NAME}: “The target for March 2023 is 796.”",
        },
    )
    sn_ref, sn_month, sn_value, sn_group = BENCHMARK
    Benchmark.objects.get_or_create(
        kpi=kpis[sn_ref],
        month=periods.parse_month(sn_month),
        comparator=Comparator.STATISTICAL_NEIGHBOURS,
        defaults={
            "statistic": Statistic.MEAN,
            "group": sn_group,
            "value": Decimal(sn_value),
            "source": f"{REPORT_NAME} (regional quarterly data, March 2022)",
        },
    )
    return counts


# ---------------------------------------------------------------------------------------
# Benchmarks from the published statistics shipped in kpis/published_data/ (its README
# names the source and licence). No demo KPI measures re-referrals, so the children-in-need
# file (c1) is shipped but not mapped: an analyst who adds such a KPI maps it in the admin.

PUBLISHED_DATA = Path(__file__).resolve().parent / "published_data"
EES = "https://explore-education-statistics.service.gov.uk/find-statistics/"


@dataclass(frozen=True)
class DemoRelease:
    file_name: str
    label: str = ""


DEMO_RELEASES = [
    DemoRelease(
        "New_Statistical_Neighbour_Groupings_April_2021.csv",
        "Children's services statistical neighbour benchmarking tool: groupings, April 2021",
    ),
    DemoRelease(
        "sn_model_2025_wide.csv", "Children's services statistical neighbours: the 2025 model"
    ),
    DemoRelease(
        "cla_number_and_rate_per_10k_children.csv",
        "Children looked after in England including adoptions: local authority data, 2021 to 2025",
    ),
    DemoRelease(
        "csww_indicators_2017_to_2025.csv",
        "Children's social work workforce: local authority indicators, 2017 to 2025",
    ),
    DemoRelease("LA_Inspection_Outcomes_as_at_31_March_2025.ods"),  # its cover names it
]

DEMO_MAPPINGS: list[dict[str, Any]] = [
    {
        "name": "Children looked after at 31 March: rate per 10,000 children",
        "kpi": "CICR",
        "file_name": "cla_number_and_rate_per_10k_children.csv",
        "publication": "Children looked after in England including adoptions",
        "publication_url": EES + "children-looked-after-in-england-including-adoptions",
        "filters": "population_type | population_count = Children looked after on 31 March "
        "each year",
        "value_column": "rate_per_10000 | rate",
        "period_month": 3,
        "period_phrase": "at 31 March",
        "definition_note": "DfE: children looked after on 31 March, per 10,000 children aged 0 "
        "to 17 in ONS's mid-year population estimate, rounded to a whole number, from the "
        "council's SSDA903 return. Ours: children in the trust's care at the quarter's end, per "
        "10,000 on the trust's own population base and extracted at the time (the report gives "
        "101.7 for March 2022 where DfE publishes 99).",
    },
    {
        "name": "Social worker vacancy rate at 30 September",
        "kpi": "13",
        "file_name": "csww_indicators_2017_to_2025.csv",
        "publication": "Children's social work workforce",
        "publication_url": EES + "children-s-social-work-workforce",
        "value_column": "vacancy_rate_fte",
        "period_month": 9,
        "period_phrase": "at 30 September",
        "definition_note": "DfE: full-time-equivalent vacancies for children and family social "
        "workers as a percentage of vacancies plus social workers in post, once a year at 30 "
        "September, from the council's workforce return. Ours: vacant social worker posts as a "
        "percentage of the established posts, every month.",
    },
    {
        "name": "Average caseload of case-holding social workers at 30 September",
        "kpi": "14",
        "file_name": "csww_indicators_2017_to_2025.csv",
        "publication": "Children's social work workforce",
        "publication_url": EES + "children-s-social-work-workforce",
        "value_column": "caseload_fte",
        "period_month": 9,
        "period_phrase": "at 30 September",
        "definition_note": "DfE: cases per full-time-equivalent case-holding children and family "
        "social worker, once a year at 30 September. Ours: the average number of cases held by "
        "a case-holding worker across children's services, every month.",
    },
]

# The report's "five regional statistical neighbours" (its 102.6 for March 2022). The report
# does not name them; these five West Midlands authorities are the ones among Sandwell's
# statistical neighbours and its Black Country neighbour whose rates DfE published for 31
# March 2022 average 102.6, as the report's do.
DEMO_GROUP: dict[str, Any] = {
    "name": "Five regional statistical neighbours",
    "description": "The comparison the quarterly report makes, from the regional exchange. "
    "The report does not name the five; these are inferred: the West Midlands authorities whose "
    "published rates at 31 March 2022 average the report's 102.6 (Birmingham, Dudley, "
    "Stoke-on-Trent, Walsall, Wolverhampton). Change them if the exchange names others.",
    "codes": ["330", "332", "861", "335", "336"],
}


def load_benchmarks() -> dict[str, int]:
    """Import the shipped published files with mappings for the demo KPIs they match, and
    the report's own comparator group; running it again changes nothing. Needs the KPIs
    (`load` first)."""
    counts = {"files": 0, "mappings": 0, "groups": 0}
    kpis = {kpi.ref: kpi for kpi in Kpi.objects.filter(ref__in=[m["kpi"] for m in DEMO_MAPPINGS])}
    with transaction.atomic():
        for spec in DEMO_MAPPINGS:
            fields = {key: value for key, value in spec.items() if key not in ("name", "kpi")}
            _, created = BenchmarkMapping.objects.get_or_create(
                name=spec["name"], defaults={"kpi": kpis[spec["kpi"]], **fields}
            )
            counts["mappings"] += created
        for release in DEMO_RELEASES:
            path = PUBLISHED_DATA / release.file_name
            plan = published.prepare(path.name, path.read_bytes(), label=release.label)
            if plan.problems:
                raise ValueError(f"{path.name} cannot be imported: {plan.problems}")
            if not plan.changes_nothing:
                published.commit(plan, by=None)
                counts["files"] += 1
        group, created = ComparatorGroup.objects.get_or_create(
            name=DEMO_GROUP["name"], defaults={"description": DEMO_GROUP["description"]}
        )
        if created:
            group.members.set(
                Geography.objects.filter(
                    level=GeographicLevel.LOCAL_AUTHORITY, code__in=DEMO_GROUP["codes"]
                )
            )
        counts["groups"] += created
    return counts
