"""Figures revised since a report was published: the report keeps what it published, and
says which figures have changed since, and the dashboards mark them."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

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
    ids: dict[str, int | None] = {}  # each reference as published → its KPI, where kept
    for row in content.kpi_table.rows:
        ids[row.ref] = row.kpi_id
        for cell in row.cells:
            published[(row.ref, cell.month)] = (row.description, cell.value, cell.shown)
    for headline in content.headlines:
        ids.setdefault(headline.ref, headline.kpi_id)
        for cell in headline.series:
            published[(headline.ref, cell.month)] = (headline.label, cell.value, cell.shown)
    if not published:
        return []
    # The KPIs by what the report kept of them: its id (a reference may have been renamed
    # since), or for an older snapshot its reference. A KPI deleted since is not compared.
    found_kpis = Kpi.objects.filter(
        Q(pk__in={i for i in ids.values() if i})
        | Q(ref__in={ref for ref, i in ids.items() if not i})
    )
    by_pk = {kpi.pk: kpi for kpi in found_kpis}
    by_current_ref = {kpi.ref: kpi for kpi in by_pk.values()}
    by_ref = {
        ref: kpi
        for ref, kpi_id in ids.items()
        if (kpi := by_pk.get(kpi_id) if kpi_id else by_current_ref.get(ref)) is not None
    }
    published = {key: item for key, item in published.items() if key[0] in by_ref}
    frozen_ref = {kpi.pk: ref for ref, kpi in by_ref.items()}
    kpis = list(by_ref.values())
    months = {month for _, month in published}
    current = {
        (frozen_ref[o.kpi_id], o.month): Decimal(o.value or 0)
        for o in Observation.objects.filter(kpi__in=kpis, month__in=months, value__isnull=False)
    }
    changed = [
        key
        for key, (_, value, _) in published.items()
        if current.get(key) != (Decimal(value) if value is not None else None)
    ]
    if not changed:
        return []
    latest: dict[tuple[str, dt.date], ObservationRevision] = {}
    for revision in (
        ObservationRevision.objects.filter(kpi__in=kpis, month__in={m for _, m in changed})
        .select_related("changed_by")
        .order_by("changed_at", "id")
    ):
        latest[(frozen_ref[revision.kpi_id], revision.month)] = revision
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
