"""Processor time of the report workbook at size, beside pandas and the two libraries bare.

    .venv/bin/python -m bench.workbook                 # 180 KPI rows × 15 months, 5 runs each
    .venv/bin/python -m bench.workbook --kpis 500 --runs 3

In one run, on the same numbers (made-up, deterministic: percentages, counts, rates and
averages, a few months without a figure):

- **portal**: `reports.excel.render` of a report with that many KPI rows, every sheet the
  report has (summary and narrative, KPI table, RAG by month, a chart per KPI beside its
  figures, benchmarks, finance, contract, data as an Excel table);
- **pandas to_excel (openpyxl)**: `DataFrame.to_excel` of the same numbers, no formatting and
  no charts: the KPI table (ref, description, months, target), RAG by month and the
  long-format data, one sheet each, with pandas' openpyxl engine. pandas is not a project
  dependency: it is installed from PyPI into a scratch virtualenv under bench/out/ (made
  once, git-ignored); without it that line is skipped, saying why;
- **XlsxWriter, cells + charts** and **openpyxl, cells + charts**: each library bare,
  writing the same formatted cells (per-KPI number formats, RAG word and fill) and a native
  line chart per KPI: the measurement behind choosing XlsxWriter for sct_portal/spreadsheets.

Times are processor time (time.process_time) of the writing alone: in each of --rounds
rounds every writer runs in turn, a warm-up then --runs timed runs (so that a change in the
machine's load falls on all of them); the figure is the median of the rounds' medians, and
the ratio is against pandas' to_excel.
"""

import argparse
import datetime as dt
import io
import json
import os
import random
import statistics
import subprocess
import time
import venv
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PANDAS_VENV = OUT / "pandas-venv"
PANDAS_REQUIREMENTS = ["pandas==3.1.1", "openpyxl==3.1.5"]  # openpyxl as the portal pins it
UNITS = [("percent", 1), ("percent", 2), ("count", 0), ("rate", 1), ("average", 2)]
RAGS = ["green", "amber", "red"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kpis", type=int, default=180)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each writer a round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sct_portal.settings")
    import django

    django.setup()
    content = report_content(kpis=args.kpis)
    months = len(content.kpi_table.months)
    print(
        f"Report workbook, {args.kpis} KPI rows × {months} months: processor time to write, "
        f"median of {args.rounds} rounds of {args.runs} runs each after a warm-up."
    )
    from reports import excel

    numbers = frames(content)
    writers: dict[str, Callable[[int], float | None]] = {
        PORTAL: lambda runs: timed(lambda: excel.render(content), runs),
        PANDAS: lambda runs: pandas_time(numbers, runs),
        "XlsxWriter, cells + charts": lambda runs: timed(lambda: xlsxwriter_bare(numbers), runs),
        "openpyxl, cells + charts": lambda runs: timed(lambda: openpyxl_bare(numbers), runs),
    }
    # Rounds, each writer in turn, so that a change in the machine's load falls on all.
    found: dict[str, list[float]] = {name: [] for name in writers}
    for _ in range(args.rounds):
        for name, write in writers.items():
            seconds = write(args.runs)
            if seconds is not None:
                found[name].append(seconds)
    results = {name: statistics.median(times) for name, times in found.items() if times}
    baseline = results.get(PANDAS)
    print(f"{'writer':<50} {'CPU ms':>9} {'× pandas':>9}")
    for name, seconds in results.items():
        ratio = f"{seconds / baseline:.2f}" if baseline else "–"
        print(f"{name:<50} {seconds * 1000:>9.0f} {ratio:>9}")
    portal = results.get(PORTAL)
    if baseline and portal is not None:
        verdict = "meets" if portal <= baseline else "misses"
        print(f"Aim: the portal's workbook no slower than pandas' to_excel: {verdict} it.")
        from bench.summary import note

        note("report workbook, 180 KPI rows: CPU × pandas to_excel", portal / baseline, "×", 1.0)


PORTAL = "portal (XlsxWriter via sct_portal.spreadsheets)"
PANDAS = "pandas to_excel (openpyxl engine)"


def timed(write: Callable[[], Any], runs: int) -> float:
    write()  # warm-up
    spent = []
    for _ in range(runs):
        start = time.process_time()
        write()
        spent.append(time.process_time() - start)
    return statistics.median(spent)


# ---------------------------------------------------------------------------------------
# The report: made-up figures in the shape reports.assemble builds


def report_content(*, kpis: int, seed: int = 1) -> Any:
    from kpis.rag import Rag
    from kpis.units import format_value
    from reports.content import (
        BenchmarkTable,
        Cell,
        Headline,
        KpiGroup,
        KpiRow,
        KpiTable,
        Line,
        Narrative,
        ReportContent,
        Table,
        YearSpan,
    )
    from reports.markup import render_markdown
    from sct_portal import periods
    from sct_portal.periods import FinancialYear, Quarter

    rng = random.Random(seed)  # noqa: S311 - made-up figures, not secrets
    quarter = Quarter(FinancialYear(2022), 1)
    months = quarter.report_months()
    rows = []
    for number in range(1, kpis + 1):
        unit, decimals = UNITS[number % len(UNITS)]
        level = rng.uniform(40, 90)
        cells = []
        for month in months:
            level = max(0.0, min(100.0, level + rng.uniform(-6, 6)))
            if rng.random() < 0.03:
                cells.append(Cell(month, None, "no data", Rag.NO_DATA))
                continue
            value = Decimal(str(round(level, decimals)))
            rag = rng.choice(RAGS)
            cells.append(Cell(month, value, format_value(value, unit, decimals), rag))
        target = Decimal(80)
        rows.append(
            KpiRow(
                ref=f"B{number}",
                description=f"Made-up measure number {number} of the bench's portfolio of KPIs",
                section="Bench",
                unit=unit,
                decimals=decimals,
                polarity="higher",
                cells=tuple(cells),
                target=target,
                target_shown=format_value(target, unit, decimals),
                tolerance=Decimal(5),
                target_source="Illustrative",
                rag=cells[-1].rag,
                rag_label=Rag(cells[-1].rag).label,
                direction="better",
                direction_label="Better",
                direction_year="worse",
                direction_year_label="Worse",
            )
        )
    series = tuple(
        Cell(m, Decimal(840 + i), str(840 + i), "") for i, m in enumerate(months) if i % 3 == 2
    )
    markdown = "Staffing remains hard, as in June.[^1]\n\n[^1]: A footnote."
    headline = Headline(
        ref="CIC",
        label="Number of children in care",
        unit="count",
        decimals=0,
        month=months[-1],
        value=Decimal(848),
        shown="848",
        compared_with="Target for March 2023: 796",
        sentence="848 in June.",
        series=series,
    )
    benchmark = BenchmarkTable(
        ref="CICR",
        month=months[11],
        month_heading="March 2022",
        own_label="Rate per 10,000",
        own=Decimal("101.7"),
        own_shown="101.7",
        comparators=(("Statistical neighbour average", "102.6", Decimal("102.6")),),
        source="DfE",
    )
    budget = Table(
        caption="Budget",
        headers=("Area", "Budget"),
        rows=(("Placements", "£1"),),
        numeric=(1,),
        values=((None, Decimal(1)),),
    )
    return ReportContent(
        title="Bench performance report",
        organisation="Bench Children's Trust",
        year=quarter.year.label,
        quarter=quarter.label,
        period=quarter.title,
        status="published",
        status_label="Published",
        as_at=quarter.last_month,
        published_at=dt.datetime(2022, 7, 15, 9, 0, tzinfo=dt.UTC),
        published_by="bench",
        headlines=(headline,),
        benchmark=benchmark,
        kpi_table=KpiTable(
            months=tuple(months),
            month_labels=tuple(periods.month_label(m) for m in months),
            groups=(
                KpiGroup(
                    frequency=periods.MONTHLY,
                    heading="Monthly KPIs",
                    months=tuple(months),
                    labels=tuple(periods.month_label(m) for m in months),
                    years=(YearSpan("2021/22", 12), YearSpan("2022/23", 3)),
                    rows=tuple(rows),
                    against="the month before",
                    against_year="the same month last year",
                ),
            ),
        ),
        finance_lines=(Line("Planned surplus", "£1.9m", Decimal(1_900_000)),),
        finance_tables=(budget,),
        contract_lines=(),
        contract_tables=(),
        narrative=(Narrative("workforce", "Workforce", markdown, render_markdown(markdown)),),
    )


def frames(content: Any) -> dict[str, Any]:
    """The report's numbers as plain rows: what pandas, and the bare libraries, write."""
    table = content.kpi_table
    labels = list(table.month_labels)
    wide, rag, long = [], [], []
    for row in table.rows:
        values = [float(c.value) if c.value is not None else None for c in row.cells]
        wide.append([row.ref, row.description, *values, float(row.target)])
        rag.append([row.ref, row.description, *(c.rag for c in row.cells)])
        for cell in row.cells:
            if cell.value is not None:
                when = cell.month.isoformat()
                long.append(
                    [
                        row.ref,
                        row.description,
                        when,
                        float(cell.value),
                        row.unit,
                        cell.shown,
                        cell.rag,
                    ]
                )
    units = [[row.unit, row.decimals] for row in table.rows]
    return {"labels": labels, "wide": wide, "rag": rag, "long": long, "units": units}


# ---------------------------------------------------------------------------------------
# pandas, in a scratch virtualenv

PANDAS_SCRIPT = """
import io, json, statistics, sys, time
import pandas as pd
numbers = json.load(open(sys.argv[1]))
runs = int(sys.argv[2])
labels = numbers["labels"]
wide = pd.DataFrame(numbers["wide"], columns=["Ref", "Description", *labels, "Target"])
rag = pd.DataFrame(numbers["rag"], columns=["Ref", "Description", *labels])
long = pd.DataFrame(
    numbers["long"], columns=["Ref", "KPI", "Month", "Value", "Unit", "Shown as", "RAG"]
)
long["Month"] = pd.to_datetime(long["Month"])
def write():
    with pd.ExcelWriter(io.BytesIO(), engine="openpyxl") as writer:
        wide.to_excel(writer, sheet_name="KPIs", index=False)
        rag.to_excel(writer, sheet_name="RAG by month", index=False)
        long.to_excel(writer, sheet_name="Data", index=False)
write()
spent = []
for _ in range(runs):
    start = time.process_time()
    write()
    spent.append(time.process_time() - start)
print(json.dumps({"seconds": statistics.median(spent)}))
"""


def pandas_python() -> Path | None:
    """The scratch virtualenv's Python with pandas, made on first use; None, said why, when
    it cannot be had."""
    python = PANDAS_VENV / "bin" / "python"
    marker = PANDAS_VENV / ".installed"
    if marker.exists():
        return python
    print(f"Installing {', '.join(PANDAS_REQUIREMENTS)} into {PANDAS_VENV} (once) …", flush=True)
    try:
        venv.create(PANDAS_VENV, with_pip=True, clear=True)
        subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            [str(python), "-m", "pip", "install", "--quiet", *PANDAS_REQUIREMENTS],
            check=True,
            timeout=600,
        )
    except (OSError, subprocess.SubprocessError) as error:
        print(f"Skipping pandas: it could not be installed from PyPI ({error}).")
        return None
    marker.touch()
    return python


def pandas_time(numbers: dict[str, Any], runs: int) -> float | None:
    python = pandas_python()
    if python is None:
        return None
    OUT.mkdir(parents=True, exist_ok=True)
    data = OUT / "workbook-numbers.json"
    data.write_text(json.dumps(numbers))
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [str(python), "-c", PANDAS_SCRIPT, str(data), str(runs)],
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        print(f"Skipping pandas: its run failed:\n{result.stderr.strip()}")
        return None
    return float(json.loads(result.stdout)["seconds"])


# ---------------------------------------------------------------------------------------
# Each library bare: the same formatted cells and a line chart per KPI

NUMBER_FORMATS = {
    ("percent", 1): "0.0%",
    ("percent", 2): "0.00%",
    ("count", 0): "#,##0",
    ("rate", 1): "0.0",
    ("average", 2): "0.00",
}
FILLS = {"green": "CCE2D8", "amber": "FFE5B4", "red": "F6D7D2"}


def _scaled(value: float | None, unit: str) -> float | None:
    return None if value is None else value / 100 if unit == "percent" else value


def xlsxwriter_bare(numbers: dict[str, Any]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    labels = numbers["labels"]
    formats = {
        key: book.add_format({"num_format": number_format, "border": 1})
        for key, number_format in NUMBER_FORMATS.items()
    }
    fills = {
        rag: book.add_format({"bg_color": "#" + colour, "pattern": 1, "border": 1})
        for rag, colour in FILLS.items()
    }
    text = book.add_format({"border": 1, "text_wrap": True})
    kpis, rags, data = (book.add_worksheet(n) for n in ("KPIs", "RAG by month", "Data"))
    for column, heading in enumerate(["Ref", "Description", *labels, "Target"]):
        kpis.write_string(0, column, heading)
        rags.write_string(0, column, heading)
    for row, (values, rag, (unit, decimals)) in enumerate(
        zip(numbers["wide"], numbers["rag"], numbers["units"], strict=True), 1
    ):
        fmt = formats[(unit, decimals)]
        kpis.write_string(row, 0, values[0], text)
        kpis.write_string(row, 1, values[1], text)
        rags.write_string(row, 0, values[0], text)
        rags.write_string(row, 1, values[1], text)
        for column, value in enumerate(values[2:], 2):
            scaled = _scaled(value, unit)
            if scaled is None:
                kpis.write_string(row, column, "no data", text)
            else:
                kpis.write_number(row, column, scaled, fmt)
        for column, word in enumerate(rag[2:], 2):
            rags.write_string(row, column, word.title(), fills.get(word, text))
        chart = book.add_chart({"type": "line"})
        chart.add_series(
            {
                "categories": ["KPIs", 0, 2, 0, 1 + len(labels)],
                "values": ["KPIs", row, 2, row, 1 + len(labels)],
                "marker": {"type": "circle"},
            }
        )
        chart.set_title({"name": f"KPI {values[0]}"})
        chart.set_legend({"none": True})
        kpis.insert_chart(row, 20, chart, {"description": f"KPI {values[0]}"})
    month = book.add_format({"num_format": "mmm-yy"})
    for row, values in enumerate(numbers["long"], 1):
        ref, kpi, when, value, unit, shown, rag = values
        data.write_string(row, 0, ref)
        data.write_string(row, 1, kpi)
        data.write_datetime(row, 2, dt.datetime.fromisoformat(when), month)
        data.write_number(row, 3, _scaled(value, unit))
        data.write_string(row, 4, unit)
        data.write_string(row, 5, shown)
        data.write_string(row, 6, rag)
    book.close()
    return buffer.getvalue()


def openpyxl_bare(numbers: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference
    from openpyxl.styles import Alignment, Border, PatternFill, Side

    book = Workbook()
    kpis = book.active
    kpis.title = "KPIs"
    rags = book.create_sheet("RAG by month")
    data = book.create_sheet("Data")
    labels = numbers["labels"]
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True)
    fills = {rag: PatternFill("solid", fgColor=c) for rag, c in FILLS.items()}
    kpis.append(["Ref", "Description", *labels, "Target"])
    rags.append(["Ref", "Description", *labels])
    for row, (values, rag, (unit, decimals)) in enumerate(
        zip(numbers["wide"], numbers["rag"], numbers["units"], strict=True), 2
    ):
        fmt = NUMBER_FORMATS[(unit, decimals)]
        for column, value in enumerate(values, 1):
            cell = kpis.cell(row, column)
            if column <= 2:
                cell.value, cell.alignment = value, wrap
            else:
                scaled = _scaled(value, unit)
                cell.value = "no data" if scaled is None else scaled
                cell.number_format = fmt
            cell.border = box
        for column, word in enumerate(rag, 1):
            cell = rags.cell(row, column, word.title() if column > 2 else word)
            cell.border = box
            if word in fills:
                cell.fill = fills[word]
        chart = LineChart()
        chart.title = f"KPI {values[0]}"
        chart.legend = None
        chart.add_data(
            Reference(kpis, min_col=3, max_col=2 + len(labels), min_row=row, max_row=row),
            from_rows=True,
        )
        chart.set_categories(
            Reference(kpis, min_col=3, max_col=2 + len(labels), min_row=1, max_row=1)
        )
        kpis.add_chart(chart, f"T{row}")
    data.append(["Ref", "KPI", "Month", "Value", "Unit", "Shown as", "RAG"])
    for ref, kpi, when, value, unit, shown, rag in numbers["long"]:
        month = dt.datetime.fromisoformat(when)
        data.append([ref, kpi, month, _scaled(value, unit), unit, shown, rag])
        data.cell(data.max_row, 3).number_format = "mmm-yy"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


if __name__ == "__main__":
    main()
