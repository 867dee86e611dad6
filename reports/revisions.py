"""Figures revised since a report was published: the report keeps what it published, and
says which figures have changed since, and the dashboards mark them."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from kpis.models import Kpi, Observation, ObservationRevision
from sct_portal import periods

from .content import ReportContent


@dataclass(frozen=True)
class Revised:
    ref: str
    description: str
    month: dt.date
    published: str  # as the report printed it
    now: str  # as it stands
    changed_at: dt.datetime | None
    changed_by: str
    reason: str

    @property
    def month_label(self) -> str:
        return periods.month_label(self.month)


def since_publication(content: ReportContent) -> list[Revised]:
    """The report's KPI-table and headline figures whose value differs now (three queries)."""
    published: dict[tuple[str, dt.date], tuple[str, Decimal | None, str]] = {}
    for row in content.kpi_table.rows:
        for cell in row.cells:
            published[(row.ref, cell.month)] = (row.description, cell.value, cell.shown)
    for headline in content.headlines:
        for cell in headline.series:
            published[(headline.ref, cell.month)] = (headline.label, cell.value, cell.shown)
    if not published:
        return []
    refs = {ref for ref, _ in published}
    months = {month for _, month in published}
    kpis = {kpi.pk: kpi for kpi in Kpi.objects.filter(ref__in=refs)}
    current = {
        (kpis[o.kpi_id].ref, o.month): Decimal(o.value or 0)
        for o in Observation.objects.filter(kpi__in=kpis, month__in=months, value__isnull=False)
    }
    known = {kpi.ref for kpi in kpis.values()}  # a KPI deleted since is not "revised"
    changed = [
        key
        for key, (_, value, _) in published.items()
        if key[0] in known and current.get(key) != (Decimal(value) if value is not None else None)
    ]
    if not changed:
        return []
    latest: dict[tuple[str, dt.date], ObservationRevision] = {}
    for revision in (
        ObservationRevision.objects.filter(kpi__in=kpis, month__in={m for _, m in changed})
        .select_related("changed_by")
        .order_by("changed_at", "id")
    ):
        latest[(kpis[revision.kpi_id].ref, revision.month)] = revision
    by_ref = {kpi.ref: kpi for kpi in kpis.values()}
    found = []
    for key in sorted(changed, key=lambda k: (by_ref[k[0]].order, k[0], k[1])):
        description, _, shown = published[key]
        last = latest.get(key)
        found.append(
            Revised(
                ref=key[0],
                description=description,
                month=key[1],
                published=shown,
                now=by_ref[key[0]].format(current.get(key)),
                changed_at=last.changed_at if last else None,
                changed_by=last.changed_by.get_username() if last and last.changed_by else "",
                reason=last.reason if last else "",
            )
        )
    return found
