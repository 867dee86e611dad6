"""The report object → an accessible PDF for committee papers (bytes).

One more rendering of the same `ReportContent` the page and the workbook render: a
published report's frozen snapshot, a draft's live build. WeasyPrint lays out
templates/reports/report_pdf.html with reports/pdf.css and writes tagged PDF/UA-1: the
document's title and language (en-GB), headings as bookmarks, table header cells tagged,
each chart an SVG figure whose alternative text is its sentence, fonts embedded. A4, the
KPI table on landscape pages, header rows repeated on every page, page numbers and the
organisation and period in the running footer; a draft says DRAFT on every page.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from . import svgchart
from .content import Headline, ReportContent
from .models import Status

STYLESHEET = Path(__file__).with_name("pdf.css")
PDF_VARIANT = "pdf/ua-1"  # ISO 14289-1, as WeasyPrint writes it (tagged PDF 1.7)


@dataclass(frozen=True)
class Chart:
    caption: str
    svg: str
    headline: Headline


def render(content: ReportContent) -> bytes:
    """The report as PDF bytes."""
    # WeasyPrint loads Pango through cffi when imported: only the PDF's callers pay for it.
    from weasyprint import CSS, HTML

    html = render_to_string("reports/report_pdf.html", context(content))
    written = HTML(string=html, base_url=str(STYLESHEET.parent)).write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEET)), CSS(string=page_margins(content))],
        pdf_variant=PDF_VARIANT,
        pdf_identifier=identifier(content),
    )
    assert isinstance(written, bytes)  # write_pdf returns the bytes when given no target
    return written


def context(content: ReportContent) -> dict[str, Any]:
    headlines = {headline.ref: headline for headline in content.headlines}
    return {
        "content": content,
        "document_title": document_title(content),
        "charts": [
            Chart(chart.caption, svgchart.svg(chart, id=f"chart-{n}"), headlines[chart.ref])
            for n, chart in enumerate(svgchart.headline_charts(content), 1)
        ],
    }


def document_title(content: ReportContent) -> str:
    """The title a PDF reader shows: "Quarter 1 Performance Report 2022, Sandwell …"."""
    return f"{content.title}: {content.organisation}, {content.period}"


def footer(content: ReportContent) -> str:
    return f"{content.organisation} · {content.period}"


def page_margins(content: ReportContent) -> str:
    """The running footer (organisation, period; page numbers) and, on a draft, DRAFT at
    the head of every page: the report's own words, so written here rather than in pdf.css."""
    rules = [
        f"@bottom-left {{ content: {css_string(footer(content))}; }}",
        '@bottom-right { content: "Page " counter(page) " of " counter(pages); }',
    ]
    if content.status != Status.PUBLISHED:
        rules.append(
            "@top-center { content: "
            + css_string(f"DRAFT: {content.status_label.lower()}, not published")
            + "; }"
        )
    return "@page { " + " ".join(rules) + " }"


def css_string(text: str) -> str:
    """Text as a quoted CSS string: quotes, backslashes and line breaks escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'"{escaped}"'


def identifier(content: ReportContent) -> bytes:
    """The PDF's /ID: the same for every copy of one report at one status."""
    return f"{content.organisation}/{content.year}/{content.quarter}/{content.status}".encode()
