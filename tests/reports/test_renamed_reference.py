"""A published report is read from its frozen snapshot: renaming a KPI's reference after
publication changes nothing on the report's page, its workbook or its CSV."""

from kpis.models import Kpi
from tests.recording import record


def _rename(old: str, new: str) -> Kpi:
    kpi = Kpi.objects.get(ref=old)
    kpi.ref = new
    kpi.full_clean()
    kpi.save()
    return kpi


def test_the_published_page_shows_its_frozen_figures_after_a_reference_is_renamed(
    published, viewer_client
):
    url = published.get_absolute_url()
    before = viewer_client.get(url)
    assert before.status_code == 200
    row = next(
        r
        for r in (r for g in published.snapshot["kpi_table"]["groups"] for r in g["rows"])
        if r["ref"] == "1"
    )
    frozen = [cell["shown"] for cell in row["cells"]]
    _rename("1", "MASH-1")

    after = viewer_client.get(url)

    assert after.status_code == 200
    page = after.content.decode()
    assert all(shown in page for shown in frozen if shown)
    assert "Figures revised since publication" not in page or "MASH-1" not in page
    for download in ("report.xlsx", "report.csv"):
        assert viewer_client.get(url + download).status_code == 200


def test_a_figure_revised_after_a_rename_is_still_said_to_be_revised(
    published, lead_analyst, viewer_client
):
    row = next(
        r
        for r in (r for g in published.snapshot["kpi_table"]["groups"] for r in g["rows"])
        if r["ref"] == "1"
    )
    last = row["cells"][-1]
    kpi = _rename("1", "MASH-1")
    record(kpi=kpi, month=last["month"], value="12.3", by=lead_analyst, reason="Late cases")

    page = viewer_client.get(published.get_absolute_url()).content.decode()

    assert "12.3" in page
