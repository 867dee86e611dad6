"""Data → the report object (`ReportContent`), which the page, the workbook and the charts render.

A published report is never assembled again: its stored snapshot is thawed instead.
"""

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from contracts.summary import ContractMatters, contract_matters
from finance.money import format_money
from finance.summary import FinanceSummary, finance_summary
from kpis import benchmarking, comparisons, dashboard, period, rag, units
from kpis.models import Kpi, Target, TargetSource
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
    ChartNote,
    Drafted,
    Headline,
    KpiGroup,
    KpiRow,
    KpiTable,
    Line,
    Narrative,
    NeighbourValue,
    Published,
    ReportContent,
    StandingRow,
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
    today = {**snapshot, "narrative": narrative, "drafts": drafts}
    if "kpi_table" in snapshot:
        today["kpi_table"] = grouped_kpi_table(snapshot["kpi_table"])
    return today


NOT_DUE = "not due"  # how reports published before frequency groups printed a month not due


def grouped_kpi_table(table: dict[str, Any]) -> dict[str, Any]:
    """A stored KPI table in frequency groups. Reports published before the table was
    grouped stored one grid of months, a KPI's months not due printed "not due": each row
    goes to the group whose columns are exactly the months it printed a figure or "no data"
    for (a quarterly KPI's quarter ends), with those cells as they were published; any other
    row stays in the month grid, every cell as published."""
    if "groups" in table:
        return table
    months = [dt.date.fromisoformat(m) for m in table["months"]]
    if not months:
        return {**table, "groups": []}
    first, last = months[0], months[-1]
    rows: dict[str, list[dict[str, Any]]] = {}
    for row in table["rows"]:
        kept = [cell for cell in row["cells"] if cell["shown"] != NOT_DUE]
        printed = [dt.date.fromisoformat(cell["month"]) for cell in kept]
        frequency = next(
            (f for f in period.GROUP_ORDER if periods.due_months(f, first, last) == printed),
            periods.MONTHLY,
        )
        cells = row["cells"] if frequency == periods.MONTHLY else kept
        rows.setdefault(frequency, []).append({**row, "cells": cells})
    groups = []
    for frequency in sorted(rows, key=period.GROUP_ORDER.index):
        due = months if frequency == periods.MONTHLY else periods.due_months(frequency, first, last)
        years: list[list[Any]] = []
        for month in due:
            label = periods.FinancialYear.of(month).label
            if years and years[-1][0] == label:
                years[-1][1] += 1
            else:
                years.append([label, 1])
        groups.append(
            {
                "frequency": frequency,
                "heading": period.GROUP_HEADINGS[frequency],
                "months": [m.isoformat() for m in due],
                "labels": [periods.period_label(frequency, m) for m in due],
                "years": [{"label": label, "months": count} for label, count in years],
                "rows": rows[frequency],
                "against": periods.PREVIOUS_PERIOD[frequency],
                "against_year": periods.SAME_PERIOD_LAST_YEAR[frequency],
            }
        )
    return {"months": table["months"], "month_labels": table["month_labels"], "groups": groups}


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
    standings = build_standings(quarter, view)
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
        chart_notes=chart_notes(quarter, view),
        standings=standings,
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
    """The report's KPI table: the period's trend table (kpis.period.TrendTable), group by
    group, each frequency in its own columns, as plain values a snapshot can keep."""
    trend = period.trend_table(view, quarter=quarter)
    months = quarter.report_months()
    return KpiTable(
        months=tuple(months),
        month_labels=tuple(periods.month_label(m) for m in months),
        groups=tuple(kpi_group(group, view) for group in trend.groups),
    )


def kpi_group(group: period.TrendGroup, view: Period) -> KpiGroup:
    return KpiGroup(
        frequency=group.frequency,
        heading=group.heading,
        months=tuple(group.months),
        labels=tuple(column.label for column in group.columns),
        years=tuple(YearSpan(year.label, count) for year, count in group.years),
        rows=tuple(kpi_row(row, view) for row in group.rows),
        against=group.comparison,
        against_year=periods.SAME_PERIOD_LAST_YEAR[group.frequency],
    )


def kpi_row(row: period.TrendRow, view: Period) -> KpiRow:
    kpi = row.kpi
    cells = tuple(
        Cell(
            month=cell.month,
            value=cell.value,
            shown=cell.text or "no data",
            rag=cell.rag.value,
            symbol=cell.symbol,
        )
        for cell in row.cells
    )
    latest = row.cells[-1] if row.cells else None
    previous_direction = row.latest.direction if row.latest else Direction.NO_DATA
    year_direction = Direction.NO_DATA
    if latest is not None:
        figures = view.by_id[kpi.pk].figures
        year_before = figures.get(periods.add_months(latest.month, -12))
        year_direction = direction(
            year_before.value if year_before else None, latest.value, kpi.polarity
        )
    target = row.target
    outcome = latest.rag if latest else Rag.NO_DATA
    return KpiRow(
        kpi_id=kpi.pk,
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
        stated=said.said if (said := view.by_id[kpi.pk].stated) else "",
    )


def chart_notes(quarter: Quarter, view: Period) -> tuple[ChartNote, ...]:
    """The KPIs whose SPC limits a person changed (an approved change point or a figure left
    out of the baseline) or whose chart has an event dated in the report's months."""
    months = quarter.report_months()
    first, last = months[0], months[-1]
    found = []
    for position in view.positions:
        kpi = position.kpi
        if not (kpi.in_kpi_table or kpi.is_headline):
            continue
        baseline = position.baseline
        changed = baseline is not None and (
            baseline.change_point is not None or bool(baseline.left_out)
        )
        events = tuple(
            f"{a.date.day} {a.date:%B %Y}: {a.text}"
            for a in position.records.annotations
            if first <= a.month <= last
        )
        if not changed and not events:
            continue
        text = position.baseline_text
        if baseline is not None and baseline.left_out:
            left = ", ".join(f"{month} ({why})" for month, why in baseline.left_out)
            text += f", leaving out {left}"
        found.append(ChartNote(kpi.ref, kpi.description, text[:1].upper() + text[1:], events))
    return tuple(found)


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
                kpi_id=kpi.pk,
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
# Positions among England's authorities, from the published statistics


def build_standings(quarter: Quarter, view: Period) -> tuple[StandingRow, ...]:
    """Each KPI with a benchmark mapping, at its latest published period by the quarter's
    end (kpis.comparisons.positions: a fixed number of queries), in the report's order."""
    kpis = [item.kpi for item in view.positions]
    found = comparisons.positions(kpis, [quarter.last_month])
    return tuple(
        standing_row(kpi, found[(kpi.pk, quarter.last_month)])
        for kpi in kpis
        if (kpi.pk, quarter.last_month) in found
    )


def _published(figure: benchmarking.Figure | None, measure: benchmarking.Measure) -> Published:
    if figure is None:
        return Published("no figure", meaning="no figure in the file for the period")
    if figure.value is None:
        return Published(figure.symbol, symbol=figure.symbol, meaning=figure.meaning)
    value = Decimal(figure.value)
    return Published(measure.published(value), value, units.places(value))


def _computed(
    value: Decimal | None, like: list[Decimal], measure: benchmarking.Measure
) -> Published:
    if value is None:
        return Published("no figure", meaning="no neighbour has a figure")
    shown = measure.computed(value, like)
    decimals = units.places(Decimal(re.sub(r"[^\d.\-]", "", shown) or "0"))
    return Published(shown, Decimal(value), decimals)


def _area(area: benchmarking.Area | None, measure: benchmarking.Measure) -> Published:
    if area is None:
        return Published("no figure", meaning="no figure in the file for the period")
    if area.figure is not None:
        return _published(area.figure, measure)
    group = area.computed
    like = [m.value for m in group.counted if m.value is not None] if group else []
    return _computed(area.value, like, measure)


def standing_row(kpi: Kpi, position: benchmarking.Position) -> StandingRow:
    measure = position.measure
    group = position.neighbours
    like = [m.value for m in group.counted if m.value is not None] if group else []
    standing = position.standing
    source = position.source
    return StandingRow(
        ref=kpi.ref,
        description=kpi.description,
        unit=kpi.unit,
        period=position.period_label,
        when=position.when,
        authority=position.authority,
        own=_published(position.own, measure),
        median=_computed(group.median if group else None, like, measure),
        mean=_computed(group.mean if group else None, like, measure),
        counted=len(group.counted) if group else 0,
        neighbours_total=group.size if group else 0,
        left_out="; ".join(benchmarking.left_out_words(m) for m in group.left_out) if group else "",
        neighbour_model=position.neighbour_model,
        region_name=position.region.name if position.region else "Region",
        region=_area(position.region, measure),
        england=_area(position.england, measure),
        rank=standing.rank if standing else None,
        of=standing.of if standing else None,
        rank_words=standing.rank_words if standing else "",
        band=standing.band if standing else "",
        band_words=standing.band_words if standing else "",
        sentence=position.sentence,
        source=f"{source.publisher}: {source.publication}. File {source.file_name}; "
        f"release: {source.release}.",
        definition_note=source.definition_note,
        source_file=source.release,
        neighbours=tuple(
            NeighbourValue(
                name=member.name,
                code=member.code,
                closeness=member.closeness,
                figure=_published(member.figure, measure)
                if member.figure is not None
                else Published("no figure", meaning=member.note or "no figure in the file"),
            )
            for member in (group.members if group else ())
        ),
    )


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
                illustrative=position.target.source == TargetSource.ILLUSTRATIVE,
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
            if position.baseline is not None and position.baseline.change_point is not None:
                text = f"{text[:-1]}, judged against the {position.baseline_text}."
            found.append(Drafted(Block.KPI_TABLE, "Special cause", kpi.ref, text))
        for event in position.latest_annotations:
            text = narrative.event(measure(kpi), point, event.date, event.text)
            found.append(Drafted(Block.KPI_TABLE, "Event on the chart", kpi.ref, text))
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
