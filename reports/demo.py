"""Demo data: the Q1 2022/23 report, with the seed report's own narrative, published."""

from typing import Any

from django.db import transaction

from sct_portal.periods import FinancialYear, Quarter
from sct_portal.seed import SEED_REPORT

from . import workflow
from .models import QuarterReport

QUARTER = Quarter(FinancialYear(2022), 1)
TITLE = "Quarter 1 Performance Report 2022"

# Where each section's narrative starts and ends in the seed report's text.
FOOTNOTE = "\u00b9 "


def seed_narrative(text: str) -> dict[str, str]:
    """The seed report's prose by section, as Markdown, word for word.

    The first paragraphs (workforce) run to the children-in-care paragraph; children in care
    runs to the statistical-neighbour table; the KPI commentary to the KPI table; then
    "Finances" and "Contractual Matters" to the end. The footnote becomes a Markdown footnote.
    """
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    footnote = next((p for p in paragraphs if p.startswith(FOOTNOTE)), "")
    prose = [p for p in paragraphs if "\t" not in p and p != "-" and not p.startswith(FOOTNOTE)]
    start = prose.index("Quarter 1 Performance Report 2022") + 1
    in_care = next(i for i, p in enumerate(prose) if p.startswith("The total number of children"))
    red = next(i for i, p in enumerate(prose) if p.startswith("The KPI's that are red"))
    finances = prose.index("Finances")
    contract = prose.index("Contractual Matters")
    workforce = prose[start:in_care]
    if footnote:
        workforce = [p.replace(".'1.", ".'[^1].") for p in workforce]
        workforce.append(f"[^1]: {footnote.removeprefix(FOOTNOTE)}")
    return {
        "workforce": "\n\n".join(workforce),
        "children-in-care": "\n\n".join(prose[in_care:red]),
        "kpis": "\n\n".join(prose[red:finances]),
        "finance": "\n\n".join(prose[finances + 1 : contract]),
        "contract": "\n\n".join(prose[contract + 1 :]),
    }


@transaction.atomic
def load(*, publisher: Any, author: Any) -> dict[str, int]:
    """Create the Q1 2022/23 report with the seed's narrative and publish it; once only."""
    if QuarterReport.objects.for_quarter(QUARTER).exists():
        return {"reports": 0}
    report = workflow.start_report(quarter=QUARTER, by=author, title=TITLE)
    narrative = seed_narrative(SEED_REPORT.read_text(encoding="utf-8"))
    workflow.save_narrative(report=report, bodies=narrative, by=author)
    workflow.submit_for_review(report=report, by=author)
    workflow.publish(report=report, by=publisher)
    return {"reports": 1}
