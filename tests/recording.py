"""Writing figures in tests as the portal writes them: through kpis.figures."""

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group, Permission, User

from kpis import figures
from kpis.models import Kpi
from sct_portal.roles import ANALYST


def lead_analyst() -> User:
    """An analyst who may also amend closed months (made once per test database)."""
    user, created = User.objects.get_or_create(username="test.lead.analyst")
    if created:
        user.groups.add(Group.objects.get(name=ANALYST))
        user.user_permissions.add(Permission.objects.get(codename="amend_closed_period"))
    return User.objects.get(pk=user.pk)


def record(
    kpi: Kpi | str,
    month: dt.date | str,
    value: Decimal | str | int | figures.Unchanged | None = figures.UNCHANGED,
    *,
    by: User | None = None,
    source: figures.Source = figures.Source.ADMIN,
    reason: str = "",
    **fields: Any,
) -> figures.Change:
    """Record one figure; `kpi` by object or reference, `month` as a date or "2022-06-01",
    `value` as a number ("74.9", 74.9) or a symbol ("c"). Warnings are confirmed."""
    if isinstance(kpi, str):
        kpi = Kpi.objects.get(ref=kpi)
    if isinstance(month, str):
        month = dt.date.fromisoformat(month)
    if isinstance(value, bool):
        raise TypeError("a figure is a number or a symbol, not True or False")
    if isinstance(value, int | float):
        value = Decimal(str(value))
    elif isinstance(value, str):
        with contextlib.suppress(ArithmeticError):  # else a symbol
            value = Decimal(value)
    return figures.record_figure(
        kpi=kpi,
        month=month,
        value=value,
        by=by or lead_analyst(),
        source=source,
        reason=reason,
        confirmed=fields.pop("confirmed", True),
        **fields,
    )


def delete(kpi: Kpi | str, month: dt.date | str) -> figures.Change:
    """Delete a figure as an administrator would (analysts correct figures; they do not
    delete them)."""
    if isinstance(kpi, str):
        kpi = Kpi.objects.get(ref=kpi)
    if isinstance(month, str):
        month = dt.date.fromisoformat(month)
    admin, _ = User.objects.get_or_create(
        username="test.admin", defaults={"is_superuser": True, "is_staff": True}
    )
    return figures.delete_figure(kpi=kpi, month=month, by=admin, source=figures.Source.ADMIN)
