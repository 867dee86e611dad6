"""Data → the report object (`ReportContent`), which the page, the workbook and the charts render.

A published report is never assembled again: its stored snapshot is thawed instead.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from contracts.summary import ContractMatters, contract_matters
from finance.money import format_money
from finance.summary import FinanceSummary, finance_summary
from kpis import dashboard, period, rag
from kpis.models import Kpi, Target
from kpis.period import Period, Position
from kpis.polarity import Direction, direction
from kpis.rag import Basis, Comparison, Rag
from sct_portal import periods
from sct_portal.models import Organisation
from sct_portal.models import current as current_organisation
from sct_portal.periods import Quarter

from . import narrative
from .content import (
    BenchmarkTable,
    Cell,
    Drafted,
    Headline,
    KpiRow,
    KpiTable,
    Line,
    Narrative,
    ReportContent,
    Table,
    YearSpan,
)
from .markup import render_markdown
from .models import Block, NarrativeSection, QuarterReport
from .snapshot import thaw

NOT_RECORDED = "not recorded"


def content(report: QuarterReport) -> ReportContent:
    """What the report shows: as published, or as the data stands for a draft."""
    if report.snapshot is not None:
        return thaw(ReportContent, upgraded(report.snapshot))
    return build(report)


# Reports published before sections were the organisation's to define stored each
# section's key alone; these are the tables those five sections held, and the section
# each drafted sentence was offered in.
SEED_REPORT_BLOCKS = {
    "workforce": [],
    "children-in-care": [Block.HEADLINES, Block.BENCHMARK, Block.HEADLINE_CHARTS],
    "kpis": [Block.KPI_TABLE],
    "finance": [Block.FINANCE],
    "contract": [Block.CONTRACT],
}
SEED_REPORT_DRAFT_BLOCKS = {"children-in-care": Block.HEADLINES, "kpis": Block.KPI_TABLE}


def upgraded(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A stored snapshot in today's shape; the stored one is never changed."""
    narrative = [
        {"blocks": [str(b) for b in SEED_REPORT_BLOCKS.get(item["key"], [])], **item}
        for item in snapshot.get("narrative", [])
    ]
    drafts = [
        {"block": str(SEED_REPORT_DRAFT_BLOCKS.get(item.get("section", ""), "")), **item}
        for item in snapshot.get("drafts", [])
    ]
    return {**snapshot, "narrative": narrative, "drafts": drafts}


def visible_blocks(section: NarrativeSection, organisation: Organisation) -> tuple[str, ...]:
    """The section's tables and charts, less finance or contract where they are not used."""
    unused: dict[str, bool] = {
        Block.FINANCE: not organisation.uses_finance,
        Block.CONTRACT: not organisation.uses_contract,
    }
    return tuple(
        block for block in Block.values if block in section.blocks and not unused.get(block)
    )


def build(report: QuarterReport) -> ReportContent:
    """The report from one read of the quarter's figures (kpis.dashboard.read_period)."""
    quarter = report.period
    organisation = current_organisation()
    view = dashboard.read_period(month=quarter.last_month, area=organisation.area)
    sections = [(s, visible_blocks(s, organisation)) for s in report.sections.all()]
    held = {block for _, blocks in sections for block in blocks}
    kpi_table = build_kpi_table(quarter, view)
    headlines, benchmark = build_headlines(quarter, view, area=organisation.area)
    finance = finance_summary(year=quarter.year, quarter=quarter) if Block.FINANCE in held else None
    matters = contract_matters(on=quarter.last_day) if Block.CONTRACT in held else None
    return ReportContent(
        title=report.heading,
        organisation=organisation.name,
        year=quarter.year.label,
        quarter=quarter.label,
        period=period_text(quarter),
        status=report.status,
        status_label=report.get_status_display(),
        as_at=quarter.last_month,
        published_at=report.published_at,
        published_by=report.published_by.get_username() if report.published_by else "",
        headlines=headlines,
        benchmark=benchmark,
        kpi_table=kpi_table,
        finance_lines=finance_lines(finance, quarter) if Block.FINANCE in held else (),
        finance_tables=finance_tables(finance),
        contract_lines=contract_lines(matters) if matters else (),
        contract_tables=contract_tables(matters) if matters else (),
        narrative=tuple(
            Narrative(
                key=section.key,
                heading=section.heading,
                markdown=section.body,
                html=render_markdown(section.body, id_prefix=section.key),
                blocks=blocks,
            )
            for section, blocks in sections
        ),
        drafts=drafts(quarter, view, headlines, benchmark),
    )


def period_text(quarter: Quarter) -> str:
    first, last = quarter.first_month, quarter.last_month
    return f"{quarter.title} ({periods.MONTH_NAMES[first.month - 1]} to {periods.month_name(last)})"


# ---------------------------------------------------------------------------------------
# Key performance indicators


def is_plain_number(target: Target) -> bool:
    """Whether the target's value alone says it ("at least" or "at most" a fixed value), so
    the workbook may write it as a number; any other rule is written in words."""
    return target.basis == Basis.FIXED and target.comparison in (
        Comparison.AT_LEAST,
        Comparison.AT_MOST,
    )


def build_kpi_table(quarter: Quarter, view: Period) -> KpiTable:
    trend = period.trend_table(view, quarter=quarter)
    months = quarter.report_months()
    rows = []
    for row in trend.rows:
        kpi = row.kpi
        by_month = {c.month: c for c in row.cells}
        cells = tuple(
            Cell(
                month=m,
                value=c.value if c else None,
                shown=(c.text or "no data") if c else "not due",
                rag=c.rag.value if c else Rag.NO_DATA.value,
                symbol=c.symbol if c else "",
            )
            for m in months
            for c in [by_month.get(m)]
        )
        latest = row.cells[-1] if row.cells else None
        previous_direction = row.latest.direction if row.latest else Direction.NO_DATA
        figures = view.by_id[kpi.pk].figures
        year_before = figures.get(periods.add_months(quarter.last_month, -12))
        year_direction = direction(
            year_before.value if year_before else None,
            latest.value if latest else None,
            kpi.polarity,
        )
        target = row.target
        outcome = latest.rag if latest else Rag.NO_DATA
        said = view.by_id[kpi.pk].stated
        rows.append(
            KpiRow(
                ref=kpi.ref,
                description=kpi.description,
                section=kpi.section.name,
                unit=kpi.unit,
                decimals=kpi.decimals,
                polarity=kpi.polarity,
                cells=cells,
                target=Decimal(target.value) if target and is_plain_number(target) else None,
                target_shown=row.target_text or "no target",
                tolerance=target.amber_distance if target else None,
                target_source=target.get_source_display() if target else "",
                rag=outcome.value,
                rag_label=outcome.label,
                direction=previous_direction.value,
                direction_label=Direction(previous_direction).label,
                direction_year=year_direction.value,
                direction_year_label=year_direction.label,
                stated=(f"{said.text} — {said.reason}" if said and said.reason else said.text)
                if said
                else "",
            )
        )
    return KpiTable(
        months=tuple(months),
        month_labels=tuple(periods.month_label(m) for m in months),
        years=tuple(YearSpan(year.label, count) for year, count in period_years(months)),
        rows=tuple(rows),
    )


def period_years(months: list[dt.date]) -> list[tuple[periods.FinancialYear, int]]:
    years: list[tuple[periods.FinancialYear, int]] = []
    for month in months:
        year = periods.FinancialYear.of(month)
        if years and years[-1][0] == year:
            years[-1] = (year, years[-1][1] + 1)
        else:
            years.append((year, 1))
    return years


# ---------------------------------------------------------------------------------------
# Headline measures and the statistical-neighbour comparison


def build_headlines(
    quarter: Quarter, view: Period, *, area: str
) -> tuple[tuple[Headline, ...], BenchmarkTable | None]:
    """The headline measures, from the period (no further reading)."""
    months = quarter.report_months()
    headlines = []
    chosen: list[Position] = []
    for item in view.headlines:
        position = item.position
        kpi = position.kpi
        goal = next((g for g in position.goals if g.due > quarter.last_month), None)
        benchmark = position.benchmarks[0] if position.benchmarks else None
        if goal is not None:
            compared = f"Target for {periods.month_name(goal.due)}: {kpi.format(goal.value)}"
        elif benchmark is not None:
            compared = (
                f"{benchmark.label}, {periods.month_name(benchmark.month)}: "
                f"{kpi.format(benchmark.value)}"
            )
        elif position.target is not None:
            compared = f"Target: {position.target_text}"
        else:
            compared = "A context measure: not judged against a target"
        series = tuple(
            Cell(m, f.value, kpi.format_figure(f.figure), "")
            for m in months
            if (f := position.figures.get(m)) is not None and f.has_figure
        )
        if position.benchmarks:
            chosen.append(position)
        headlines.append(
            Headline(
                ref=kpi.ref,
                label=kpi.description,
                unit=kpi.unit,
                decimals=kpi.decimals,
                month=position.month,
                value=Decimal(position.value) if position.value is not None else None,
                shown=position.formatted if position.latest is not None else "no data",
                compared_with=compared,
                sentence=item.sentence,
                series=series,
            )
        )
    return tuple(headlines), benchmark_table(chosen, area=area)


def benchmark_table(positions: list[Position], *, area: str) -> BenchmarkTable | None:
    """The latest comparison of a headline measure, with the organisation's own figure."""
    found = [(b, item) for item in positions for b in item.benchmarks]
    if not found:
        return None
    month = max(b.month for b, _ in found)
    item = next(i for b, i in found if b.month == month)
    kpi = item.kpi
    chosen = [b for b in item.benchmarks if b.month == month]
    own_figure = item.figures.get(month)
    own = own_figure.value if own_figure else None
    return BenchmarkTable(
        ref=kpi.ref,
        month=month,
        month_heading=periods.month_name(month),
        own_label=f"{area} {UNIT_PHRASES.get(kpi.unit, kpi.description)}",
        own=own,
        own_shown=kpi.format(own),
        comparators=tuple((b.label, kpi.format(b.value), Decimal(b.value)) for b in chosen),
        source="; ".join(sorted({b.source for b in chosen})),
    )


UNIT_PHRASES = {"rate": "rate per 10,000", "percent": "percentage", "count": "number"}


# ---------------------------------------------------------------------------------------
# Finance and contract matters


def finance_lines(finance: FinanceSummary | None, quarter: Quarter) -> tuple[Line, ...]:
    if finance is None:
        return (Line("Finance", f"Nothing is recorded for {quarter.year.label}."),)
    lines = [
        Line(
            "Contract sum",
            format_money(finance.contract_sum),
            finance.contract_sum,
            finance.contract_sum_approval,
        ),
        Line(
            "Planned surplus",
            format_money(finance.planned_surplus, short=True),
            finance.planned_surplus,
        ),
    ]
    forecast = finance.latest_forecast
    lines.append(
        Line(
            "Forecast surplus",
            format_money(forecast.forecast_surplus, short=True) if forecast else "not recorded yet",
            forecast.forecast_surplus if forecast else None,
            str(forecast.quarter) if forecast else "",
        )
    )
    lines.append(Line("Surplus against plan", finance.surplus_sentence))
    for plan in finance.recovery_plans:
        lines.append(Line(plan.title, plan.sentence))
    if monitoring := finance.latest_monitoring:
        lines.append(Line(f"Monitoring at {monitoring.quarter}", monitoring.sentence))
    return tuple(lines)


def finance_tables(finance: FinanceSummary | None) -> tuple[Table, ...]:
    if finance is None:
        return ()
    tables = []
    if monitoring := finance.latest_monitoring:
        rows, values = [], []
        for line in monitoring.lines:
            variance = line.variance
            rows.append(
                (
                    line.area,
                    format_money(line.budget),
                    format_money(line.forecast_outturn),
                    format_money(variance.amount),
                    variance.description,
                )
            )
            values.append((None, line.budget, line.forecast_outturn, variance.amount, None))
        tables.append(
            Table(
                caption=f"Budget monitoring at {monitoring.quarter}",
                headers=("Area", "Budget", "Forecast outturn", "Variance", "In words"),
                rows=tuple(rows),
                numeric=(1, 2, 3),
                values=tuple(values),
            )
        )
    if finance.risks:
        tables.append(
            Table(
                caption=f"Financial risks, {finance.year.label}",
                headers=("Risk", "Status", "Score", "Value at risk", "Mitigation"),
                rows=tuple(
                    (
                        f"{risk.title}: {risk.description}",
                        risk.status_label,
                        risk.score.description if risk.score else "not assessed",
                        format_money(risk.value_at_risk),
                        risk.mitigation,
                    )
                    for risk in finance.risks
                ),
                numeric=(3,),
                values=tuple(
                    (None, None, None, risk.value_at_risk, None) for risk in finance.risks
                ),
            )
        )
    return tuple(tables)


def contract_lines(matters: ContractMatters) -> tuple[Line, ...]:
    lines = [
        Line(
            item.name,
            f"{item.council} and {item.provider}; started {item.start}",
            note=item.break_clause,
        )
        for item in matters.contracts
    ]
    if inspection := matters.latest_inspection:
        lines.append(
            Line(
                f"Latest inspection: {inspection.title}",
                f"{inspection.overall_judgement}; published {inspection.published}",
            )
        )
    return tuple(lines)


def contract_tables(matters: ContractMatters) -> tuple[Table, ...]:
    milestones = matters.overdue + matters.upcoming + matters.undated + matters.closed
    tables = []
    if milestones:
        tables.append(
            Table(
                caption=f"Milestones, as at {matters.on:%-d %B %Y}",
                headers=("Milestone", "Due", "Standing", "Status", "Outcome"),
                rows=tuple(
                    (m.title, m.due, m.timing.label, m.status, m.outcome or "–") for m in milestones
                ),
            )
        )
    if matters.inspections:
        tables.append(
            Table(
                caption="Inspections",
                headers=("Inspection", "Published", "Overall judgement"),
                rows=tuple(
                    (i.title, i.published, i.overall_judgement) for i in matters.inspections
                ),
            )
        )
    if actions := matters.open_actions:
        tables.append(
            Table(
                caption="Open actions",
                headers=("Action", "Owner", "Due", "Status"),
                rows=tuple((a.description, a.owner, a.due, a.status) for a in actions),
            )
        )
    return tuple(tables)


# ---------------------------------------------------------------------------------------
# Sentences drafted from the data


def measure(kpi: Kpi) -> narrative.Measure:
    return narrative.Measure(kpi.ref, kpi.name_in_sentences, kpi.unit, kpi.decimals, kpi.polarity)


def drafts(
    quarter: Quarter,
    view: Period,
    headlines: tuple[Headline, ...],
    benchmark: BenchmarkTable | None,
) -> tuple[Drafted, ...]:
    """Sentences for the headline measures, and for KPIs that are red, show a special cause
    or moved by more than half since the month before."""
    found: list[Drafted] = []
    kpis = {position.kpi.ref: position.kpi for position in view.positions}
    year_end = quarter.year.previous.months()[-1]  # March before the quarter's year
    for headline in headlines:
        kpi = kpis[headline.ref]
        points = {cell.month: cell.value for cell in headline.series if cell.value is not None}
        if not points:
            continue
        latest = max(points)
        end = narrative.Point(latest, points[latest])
        if year_end in points and year_end != latest:
            start = narrative.Point(year_end, points[year_end])
            text = narrative.change_since(measure(kpi), start, end)
            found.append(Drafted(Block.HEADLINES, "Headline measure", kpi.ref, text))
        goal = next((g for g in view.by_ref[kpi.ref].goals if g.due > latest), None)
        if goal is not None:
            previous = max((m for m in points if m < latest), default=None)
            text = narrative.position_against_goal(
                measure(kpi),
                end,
                narrative.Point(previous, points[previous]) if previous else None,
                narrative.Point(goal.due, Decimal(goal.value)),
            )
            found.append(Drafted(Block.HEADLINES, "Headline measure", kpi.ref, text))
    if benchmark is not None and benchmark.own is not None:
        kpi = kpis[benchmark.ref]
        for label, _, value in benchmark.comparators:
            text = narrative.against_benchmark(
                measure(kpi), narrative.Point(benchmark.month, benchmark.own), value, label
            )
            found.append(Drafted(Block.BENCHMARK, "Benchmark", kpi.ref, text))
    for position in view.positions:
        kpi = position.kpi
        if not kpi.in_kpi_table or position.value is None or position.month is None:
            continue
        point = narrative.Point(position.month, Decimal(position.value))
        if position.rag == Rag.RED and position.target is not None:
            text = narrative.missed_target(
                measure(kpi),
                point,
                period.target_words(kpi, position.target, position.reference, amber=False),
                position.rag.label,
                side=rag.side(point.value, position.target.rule, reference=position.reference),
            )
            found.append(Drafted(Block.KPI_TABLE, "Red against its target", kpi.ref, text))
        spc_point = position.analysis.latest
        if spc_point is not None and spc_point.special_cause:
            text = narrative.special_cause(
                measure(kpi),
                point,
                position.analysis.variation.kind,
                "; ".join(spc_point.rule_labels).lower(),
            )
            found.append(Drafted(Block.KPI_TABLE, "Special cause", kpi.ref, text))
        earlier = position.previous
        if (
            earlier is not None
            and earlier.value is not None
            and narrative.is_large_change(Decimal(earlier.value), point.value)
        ):
            before = narrative.Point(earlier.month, Decimal(earlier.value))
            text = narrative.large_change(measure(kpi), before, point)
            found.append(Drafted(Block.KPI_TABLE, "Large change", kpi.ref, text))
    return tuple(found)
