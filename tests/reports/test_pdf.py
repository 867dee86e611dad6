"""The report as a PDF, reopened with pikepdf and read with pdftotext as a committee
clerk's or a screen reader's software would: tagged, titled, in English, with headings,
tables and charts in its structure tree, and every figure of the KPI table in reading order."""

import io
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest
from django.core.management import CommandError, call_command

from reports import assemble, pdf
from tests.kpis.test_demo import seed_kpi_table
from tests.reports.test_freezing import revise

pytestmark = pytest.mark.django_db

TITLE = (
    "Quarter 1 Performance Report 2022: Sandwell Children's Trust, "
    "Quarter 1 2022/23 (April to June 2022)"
)
FOOTER = "Sandwell Children's Trust · Quarter 1 2022/23 (April to June 2022)"
A4 = (595, 842)  # points, portrait


def text_of(content: bytes, *, layout: bool = False) -> str:
    """pdftotext's reading of the PDF: in content order (-raw), or as laid out on the page."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is not installed: make test installs it (Debian's poppler-utils)")
    mode = "-layout" if layout else "-raw"
    result = subprocess.run(
        ["pdftotext", mode, "-enc", "UTF-8", "-", "-"], input=content, capture_output=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.decode()


def pages_of(content: bytes) -> list[str]:
    return text_of(content).split("\f")[:-1]


def elements(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Every element of the structure tree, in document order."""
    pending = [pdf.Root.StructTreeRoot]
    while pending:
        node = pending.pop(0)
        kids = node.get("/K")
        children = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        found = [kid for kid in children if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]
        yield from found
        pending[:0] = found


@pytest.fixture
def published_pdf(demo, manager_client) -> bytes:
    response = manager_client.get("/reports/2022-23/q1/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="performance-report-2022-23-q1.pdf"'
    )
    content: bytes = response.content
    return content


@pytest.fixture
def opened(published_pdf) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(published_pdf))


def test_the_pdf_is_tagged_pdf_ua_with_its_title_and_language(opened):
    assert opened.Root.MarkInfo.Marked is True
    assert "/StructTreeRoot" in opened.Root
    assert str(opened.Root.Lang) == "en-GB"
    assert str(opened.docinfo.Title) == TITLE
    assert opened.Root.ViewerPreferences.DisplayDocTitle is True  # a reader shows the title
    with opened.open_metadata() as xmp:
        assert xmp["dc:title"] == TITLE
        assert xmp["pdfuaid:part"] == "1"


def test_headings_are_tagged_and_bookmarked(opened):
    tags = [str(element.S) for element in elements(opened)]
    assert tags.count("/H1") == 1
    assert tags.count("/H2") == 5
    with opened.open_outline() as outline:
        (top,) = outline.root
        assert top.title == "Quarter 1 Performance Report 2022"
        assert [item.title for item in top.children] == [
            "Workforce",
            "Children in care",
            "Key performance indicators",
            "Finances",
            "Contractual matters",
        ]


def test_tables_have_tagged_header_cells_and_captions(opened):
    counts = Counter(str(element.S) for element in elements(opened))
    # Headline measures, benchmark, three charts' figures, KPI table (two pages), finance,
    # risks, contract, milestones, inspections and actions.
    assert counts["/Table"] >= 13
    assert counts["/Caption"] >= counts["/Table"] - 1  # a table split over pages has one
    headers = [e for e in elements(opened) if e.S == "/TH"]
    assert len(headers) > 100
    # The KPI table's month headers are column headers; a month's figure names its headers.
    cells = [e for e in elements(opened) if e.S == "/TD"]
    assert all("/Headers" in cell.A for cell in cells)
    assert sum(len(cell.A.Headers) >= 2 for cell in cells) > 200  # month and its KPI


def test_every_chart_is_a_figure_whose_alternative_text_is_its_sentence(opened, published_pdf):
    figures = [e for e in elements(opened) if e.S == "/Figure"]
    alts = [str(figure.Alt) for figure in figures]
    assert len(alts) == 3
    assert alts[0].startswith("Line chart of Rate of Children on a Child Protection Plan")
    assert alts[0].endswith(
        ": 45.5 in June 2022, down from 49.3 in March 2022; a context measure, "
        "not judged against a target."
    )
    assert "848 in June 2022, up from 844 in March 2022" in alts[1]
    # Each chart is followed by its table.
    text = text_of(published_pdf)
    for caption in ("Number of children in care, Mar-22 to Jun-22",):
        after = text[text.index(caption) :]
        assert re.search(r"The chart's figures\s+Month Figure\s+Mar-22 844\s+Jun-22 848", after)


def test_fonts_are_embedded(opened):
    fonts = [font for page in opened.pages for font in page.Resources.get("/Font", {}).values()]
    assert fonts
    for font in fonts:
        descriptor = (
            font.DescendantFonts[0].FontDescriptor
            if "/DescendantFonts" in font
            else font.FontDescriptor
        )
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font


def seed_rows() -> dict[str, tuple[str, list[str]]]:
    """ref → (description, its 15 figures as the report prints them), in the table's order."""
    seed = seed_kpi_table()
    months = sorted({month for _, month in seed})
    rows = {}
    for ref in dict.fromkeys(ref for ref, _ in seed):
        printed = [seed[(ref, month)][1] for month in months]
        if all(p.endswith(".0") for p in printed):  # a count: written as a whole number
            printed = [str(int(Decimal(p))) for p in printed]
        rows[ref] = (seed[(ref, months[0])][0], printed)
    return rows


def kpi_rows_in_reading_order(text: str) -> dict[str, list[str]]:
    """ref → the numbers read after its row's start up to the next row's, for each row of
    the KPI table; a row found out of order, or not at all, fails."""
    table = text[text.index("Monthly KPIs, Apr-21 to Jun-22") :]
    finances = re.search(r"[\n\f]Finances\n", table)
    assert finances, "no Finances section after the KPI table"
    table = table[: finances.start()]
    starts: list[int] = []
    for ref, (description, _) in seed_rows().items():
        first_words = r"\s+".join(map(re.escape, description.split()[:3]))
        found = re.compile(rf"^{ref}\s+{first_words}", re.M).search(
            table, starts[-1] if starts else 0
        )
        assert found, f"row {ref} is missing or out of order"
        starts.append(found.start())
    rows = {}
    for ref, begin, end in zip(seed_rows(), starts, [*starts[1:], len(table)], strict=True):
        rows[ref] = re.findall(r"(?<![\w.])\d[\d,]*(?:\.\d+)?%?(?!\w)", table[begin:end])[1:]
    return rows


def as_number(figure: str) -> tuple[Decimal, bool]:
    """A figure's value and whether it is a percentage: "83.30%" and "83.3%" are one."""
    return Decimal(figure.rstrip("%").replace(",", "")), figure.endswith("%")


def test_every_seed_figure_of_the_kpi_table_is_text_in_reading_order(published_pdf):
    read = kpi_rows_in_reading_order(text_of(published_pdf))
    found = 0
    for ref, (_, printed) in seed_rows().items():
        # Numbers of the description come first, then the 15 months, then the target. (The
        # seed once prints a one-decimal KPI with two, 83.30%; the portal keeps the KPI's.)
        figures = [as_number(figure) for figure in read[ref]]
        wanted = [as_number(figure) for figure in printed]
        # The row's 15 figures follow one another in month order, nothing between them.
        assert has_run(figures, wanted), (ref, figures)
        found += len(wanted)
    assert found == len(seed_kpi_table()) == 225
    assert has_run(read["1"], seed_rows()["1"][1])  # as printed: 85.2% … 74.9%
    assert has_run(read["5"], seed_rows()["5"][1])  # counts as whole numbers: 41 … 258


def has_run[T](items: list[T], run: list[T]) -> bool:
    return any(items[i : i + len(run)] == run for i in range(len(items)))


def test_the_kpi_table_is_on_landscape_pages_with_its_header_rows_on_each(opened, published_pdf):
    pages = pages_of(published_pdf)
    sizes = [tuple(round(float(v)) for v in page.MediaBox[2:]) for page in opened.pages]
    assert sizes[0] == A4
    table_pages = [n for n, text in enumerate(pages) if "Description of KPI" in text]
    assert len(table_pages) >= 2
    for n in table_pages:
        assert sizes[n] == A4[::-1], n
        assert re.search(r"Apr-21 May-21 .* Jun-22", pages[n]), n  # the month headers again
    # The next section is portrait again; between them, landscape, only the table's notes.
    after = next(n for n in range(max(table_pages) + 1, len(pages)) if sizes[n] == A4)
    assert "Finances" in pages[after]
    for n in range(max(table_pages) + 1, after):
        assert sizes[n] == A4[::-1], n
        assert "SPC baselines and events" in pages[n], n


def test_every_page_has_its_number_and_the_organisation_and_period_in_its_footer(published_pdf):
    pages = pages_of(published_pdf)
    assert len(pages) >= 5
    for number, text in enumerate(pages, 1):
        assert FOOTER in text, number
        assert f"Page {number} of {len(pages)}" in text, number
        assert "DRAFT" not in text


def test_text_is_selectable_and_the_narrative_is_there(published_pdf):
    text = text_of(published_pdf, layout=True)
    assert "hoovering them up" in text  # the workforce narrative
    assert "Published on" in text
    assert "Requires improvement to be good" in text


def test_a_draft_is_marked_draft_on_every_page(draft, manager_client):
    response = manager_client.get(draft.get_absolute_url() + "report.pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-draft.pdf"')
    pages = pages_of(response.content)
    assert pages
    for number, text in enumerate(pages, 1):
        assert "DRAFT: draft, not published" in text, number
    assert "Not published: the figures are the data as it stands and may change." in pages[0]


def test_a_published_pdf_does_not_change_when_a_figure_is_revised(
    published, lead_analyst, manager_client
):
    url = published.get_absolute_url() + "report.pdf"
    before = manager_client.get(url).content
    assert "74.9%" in text_of(before)
    revise(lead_analyst, value="80.0")
    after = manager_client.get(url).content
    assert text_of(after) == text_of(before)
    april_to_june = ["78.1%", "77.6%", "74.9%"]
    assert has_run(kpi_rows_in_reading_order(text_of(after))["1"], april_to_june)
    # Built afresh from the data, the same report would show the revised figure.
    rebuilt = text_of(pdf.render(assemble.build(published)))
    assert has_run(kpi_rows_in_reading_order(rebuilt)["1"], ["78.1%", "77.6%", "80.0%"])


def test_the_report_page_offers_the_pdf_beside_the_workbook(demo, manager_client):
    page = manager_client.get("/reports/2022-23/q1/").content.decode()
    assert 'href="/reports/2022-23/q1/report.pdf"' in page
    assert page.index("Download as PDF") < page.index("Download as Excel")


def test_a_viewer_cannot_download_a_draft_pdf(draft, viewer_client):
    assert viewer_client.get(draft.get_absolute_url() + "report.pdf").status_code == 404


def test_export_quarter_writes_the_pdf(demo, tmp_path: Path, capsys):
    target = tmp_path / "report.pdf"
    call_command("export_quarter", "2022-23", "Q1", "--format", "pdf", "-o", str(target))
    assert "as published" in capsys.readouterr().out
    assert target.read_bytes().startswith(b"%PDF-1.7")
    assert "Key performance indicators" in text_of(target.read_bytes())
    inferred = tmp_path / "by-extension.pdf"
    call_command("export_quarter", "2022-23", "Q1", "-o", str(inferred))
    assert inferred.read_bytes().startswith(b"%PDF-")
    with pytest.raises(CommandError, match="give --format xlsx or --format pdf"):
        call_command("export_quarter", "2022-23", "Q1", "-o", str(tmp_path / "report.txt"))
