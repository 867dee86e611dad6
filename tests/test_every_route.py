"""Every URL pattern the portal serves, filled from the demo data, requested as each role
(anonymous, viewer, analyst, manager) with GET and with an empty POST: no page is ever a
server error, and each role gets what its role says — anonymous people are sent to sign in,
viewers are refused the admin, staff reach what their permissions give them.

A new URL pattern is requested here without anyone listing it: the patterns are read from the
resolver. One whose parameters this file cannot fill fails, so that it is filled."""

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from sct_portal.periods import Quarter

SIGN_IN = "/accounts/login/"
PASSWORD = "correct-horse-battery-staple"
ROLES = ("anonymous", "viewer", "analyst", "manager")


@dataclass(frozen=True)
class Route:
    pattern: str  # the full pattern, as the resolver joins it
    name: str  # namespaced name, or the pattern when it has none
    keys: tuple[str, ...]  # the parameters it takes

    def __str__(self) -> str:
        return self.name


def _routes(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            yield from _routes(
                entry,
                pattern,
                f"{namespace}:{inner}" if namespace and inner else inner or namespace,
            )
        elif isinstance(entry, URLPattern):
            regex = entry.pattern.regex
            keys = tuple(regex.groupindex) if not hasattr(entry.pattern, "converters") else ()
            keys = keys or tuple(re.findall(r"<(?:\w+:)?(\w+)>", str(entry.pattern)))
            name = entry.name or pattern
            yield Route(
                pattern=pattern, name=f"{namespace}:{name}" if namespace else name, keys=keys
            )


def _all_routes() -> list[Route]:
    seen: dict[str, Route] = {}
    for route in _routes(get_resolver()):
        seen.setdefault(route.pattern, route)  # a pattern shadowed by an earlier one never answers
    return list(seen.values())


ROUTES = _all_routes()

# Pages anyone may open: the sign-in page and what it needs.
PUBLIC = {"favicon.ico", "login", "logout", "admin/login/"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[dict[str, Any]]:
    """The demo data (load_demo: KPIs, figures, finance, contracts, the published Q1 2022/23
    report and its users), a draft and an in-review report, and one row of every admin model,
    loaded once for the module and rolled back after it."""
    from axes.models import AccessFailureLog

    from finance.models import FinanceYear, MonitoringLine
    from kpis import chart_records
    from kpis.models import ChangePoint, ImportedFile, Kpi, Observation
    from kpis.tasks import read_import
    from reports import workflow
    from reports.models import QuarterReport
    from sct_portal.models import from_environment

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        users = {name: User.objects.get(username=name) for name in ("viewer", "analyst", "manager")}
        for user in users.values():
            user.set_password(PASSWORD)
            user.save()
        draft = workflow.start_report(quarter=Quarter.parse("2021-22", "q4"), by=users["analyst"])
        in_review = workflow.submit_for_review(
            report=workflow.start_report(
                quarter=Quarter.parse("2021-22", "q3"), by=users["analyst"]
            ),
            by=users["analyst"],
        )
        kpi = Kpi.objects.order_by("ref").first()
        assert kpi is not None
        observation = Observation.objects.filter(kpi=kpi).latest("month")
        chart_records.save(
            record=ChangePoint(kpi=kpi, month=observation.month, reason="New way of counting"),
            by=users["analyst"],
        )
        content = f"ref,month,value\n{kpi.ref},{observation.month:%Y-%m},1\n".encode()
        ImportedFile.objects.create(
            name="figures.csv",
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            uploaded_by=users["analyst"],
        )
        # The rows the demo has none of: a recorded organisation, a monitoring line, a queued
        # task, sign-in attempts (one failed, one that worked) as the throttle records them.
        from_environment().save()
        MonitoringLine.objects.create(
            year=FinanceYear.objects.order_by("pk")[0],
            quarter=1,
            area="Placements",
            budget=100,
            forecast_outturn=120,
        )
        read_import.enqueue(ImportedFile.objects.get().pk)
        Client().post(SIGN_IN, {"username": "viewer", "password": PASSWORD})
        Client().post(SIGN_IN, {"username": "no.one", "password": "not-the-password"})
        AccessFailureLog.objects.create(
            username="no.one", ip_address="127.0.0.1", user_agent="", path_info=SIGN_IN
        )
        published = QuarterReport.objects.get(year_start=2022, quarter=1)
        yield {
            "users": users,
            "reports": [published, draft, in_review],
            "kpi": kpi,
            "kpi_type": ContentType.objects.get_for_model(Kpi),
        }
        transaction.set_rollback(True)


def _model_admin(route: Route) -> tuple[Any, str] | None:
    """The ModelAdmin an admin pattern belongs to, and which of its views it is."""
    if not route.name.startswith("admin:"):
        return None
    for model, model_admin in admin.site._registry.items():
        prefix = f"{model._meta.app_label}/{model._meta.model_name}/"
        if route.pattern.startswith("admin/" + prefix):
            rest = route.pattern.removeprefix("admin/" + prefix)
            view = {
                "": "changelist",
                "add/": "add",
                "<path:object_id>/history/": "history",
                "<path:object_id>/delete/": "delete",
                "<path:object_id>/change/": "change",
                "<path:object_id>/": "change",
            }.get(rest, "custom")
            return model_admin, view
    return None


def _fillings(route: Route, demo: dict[str, Any]) -> list[dict[str, str]]:
    """Each set of parameters to request the route with."""
    if not route.keys:
        return [{}]
    if set(route.keys) == {"year", "quarter"}:
        return [report.url_kwargs for report in demo["reports"]]
    if route.keys == ("ref",):
        return [{"ref": demo["kpi"].ref}]
    if route.name == "finance:year":
        from finance.models import FinanceYear

        year = FinanceYear.objects.order_by("-pk").first()
        assert year is not None, "the demo has a finance year"
        return [{"year": year.get_absolute_url().rstrip("/").rsplit("/", 1)[-1]}]
    if route.name == "admin:view_on_site":
        return [{"content_type_id": str(demo["kpi_type"].pk), "object_id": str(demo["kpi"].pk)}]
    if route.name == "admin:auth_user_password_change":
        return [{"id": str(demo["users"]["analyst"].pk)}]
    if route.name == "admin:app_list":
        labels = {model._meta.app_label for model in admin.site._registry}
        return [{"app_label": label} for label in sorted(labels)]
    if route.keys == ("url",):
        return [{"url": "no-such-page/"}]
    found = _model_admin(route)
    if found and route.keys == ("object_id",):
        model_admin, _ = found
        row = model_admin.model._default_manager.order_by("pk").first()
        assert row is not None, f"the demo data has no {model_admin.model._meta.verbose_name}"
        return [{"object_id": str(row.pk)}]
    raise AssertionError(f"{route.pattern}: fill its parameters {route.keys} in this test")


def _url(route: Route, filling: dict[str, str]) -> str:
    url = route.pattern
    for key, value in filling.items():
        url = re.sub(rf"<(?:\w+:)?{key}>|\(\?P<{key}>[^)]*\)", value, url)
    url = url.removeprefix("^").removesuffix("$").replace("^", "")
    return "/" + url


def _client(role: str, demo: dict[str, Any]) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(demo["users"][role])
    return client


def _permitted(route: Route, user: User) -> bool | None:
    """What the admin's own permission methods say this user may do on an admin model page
    (None when the page is not one of a model's standard views)."""
    found = _model_admin(route)
    if found is None or found[1] == "custom":
        return None
    model_admin, view = found
    request = RequestFactory().get("/")
    request.user = user
    if view == "add":
        return bool(model_admin.has_add_permission(request))
    if view == "delete":
        return bool(model_admin.has_delete_permission(request))
    return bool(model_admin.has_view_or_change_permission(request))


def _landing(response: HttpResponse) -> str:
    chain = getattr(response, "redirect_chain", [])
    return chain[-1][0].split("?")[0] if chain else ""


def _problems(route: Route, role: str, url: str, demo: dict[str, Any]) -> list[str]:
    problems = []
    for method in ("GET", "POST"):
        client = _client(role, demo)
        send = client.get if method == "GET" else client.post
        first = send(url)
        problems += _judge(route, role, method, url, demo, first, send)
        if first.has_header("Content-Disposition"):
            break  # a download: its POST is the same view again, and slow
    return problems


def _judge(
    route: Route, role: str, method: str, url: str, demo: dict[str, Any], first: Any, send: Any
) -> list[str]:
    where = f"{method} {url} as {role}"
    if first.status_code >= 500:
        return [f"{where}: {first.status_code}"]
    problems = []
    final = send(url, follow=True) if first.status_code in (301, 302) else first
    if final.status_code >= 500:
        problems.append(f"{where}: {final.status_code} after its redirects")
    public = route.pattern in PUBLIC or route.name in PUBLIC
    if role == "anonymous" and not public:
        if first.status_code != 302 or _landing(final) != SIGN_IN:
            problems.append(f"{where}: {first.status_code}, not sent to sign in")
        return problems
    if route.name.startswith("admin:") and role == "viewer":
        if final.status_code != 403:
            problems.append(f"{where}: {final.status_code}, not refused the admin")
        return problems
    if route.name.startswith("admin:") and method == "GET" and role != "anonymous":
        permitted = _permitted(route, demo["users"][role])
        if permitted is True and final.status_code != 200:
            problems.append(f"{where}: {final.status_code}, where the role may open it")
        if permitted is False and final.status_code != 403:
            problems.append(f"{where}: {final.status_code}, where the role may not open it")
    return problems


# What each role must reach, whatever the permission tables say: the pages of its job.
MUST_OPEN = {
    "analyst": [
        "/admin/",
        "/admin/kpis/observation/",
        "/admin/kpis/observation/add/",
        "/admin/kpis/observation/export/",
        "/admin/kpis/monthlyreturn/",
        "/admin/kpis/importedfile/add/",
        "/admin/kpis/kpi/",
        "/admin/kpis/target/",
        "/reports/",
        "/reports/2021-22/q4/edit/",
    ],
    "manager": [
        "/admin/",
        "/admin/kpis/observation/",
        "/admin/kpis/kpi/",
        "/admin/reports/quarterreport/",
        "/reports/",
        "/reports/2021-22/q3/publish/",
    ],
    "viewer": [
        "/",
        "/trend/2022-23/q1/",
        "/kpis/{ref}/",
        "/reports/2022-23/q1/",
        "/reports/2022-23/q1/report.xlsx",
    ],
}


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_no_route_is_a_server_error_and_each_role_gets_its_answer(route, demo, db):
    problems = []
    for filling in _fillings(route, demo):
        url = _url(route, filling)
        for role in ROLES:
            problems += _problems(route, role, url, demo)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", sorted(MUST_OPEN))
def test_each_role_opens_the_pages_of_its_job(role, demo, db):
    client = _client(role, demo)
    refused = []
    for url in MUST_OPEN[role]:
        url = url.format(ref=demo["kpi"].ref)
        response = client.get(url)
        if response.status_code != 200:
            refused.append(f"{url}: {response.status_code}")
    assert not refused, "\n".join(refused)


def test_every_pattern_is_requested():
    """The walk reaches the portal's own pages and every registered admin model."""
    patterns = {route.pattern for route in ROUTES}
    assert {"kpis/<ref:ref>/", "reports/<str:year>/<str:quarter>/report.pdf"} <= patterns
    for model in admin.site._registry:
        meta = model._meta
        assert f"admin/{meta.app_label}/{meta.model_name}/" in patterns
