"""The overview beside Datasette, and the overview and a KPI's page as the work grows.

    .venv/bin/python -m bench.overview                  # both parts
    .venv/bin/python -m bench.overview --part datasette --requests 100
    .venv/bin/python -m bench.overview --part growth

**Side by side with Datasette** (over HTTP on loopback, in one run): the portal (gunicorn, one
worker, debug off, a signed-in manager) serves the overview of 200 KPIs × 120 months from a
scratch SQLite database; Datasette, installed from PyPI into a scratch virtualenv
(/tmp/datasette-venv, not a project dependency), serves a page of the same 200 KPIs' latest
figures exported to a SQLite file (`/figures/kpis?_size=200`). The two are asked in turn, so
a change in the machine's load falls on both: the median time of a request (sent and read
whole on loopback: the server's time), and each server process's processor time per
request (from /proc). Neither response is compressed (no Accept-Encoding), as Datasette does
not compress.

**Growth** (Django's test Client, in-process, as bench/run.py): the overview at 200 and at
2,000 KPIs × 120 months (a page of 200 rows), and a KPI's page with 1,200 months, each
"kept" (asked again within the data version: the kept body, kpis.views.kept_page) and "built
afresh" (the data version raised before each request, so the figures are read, the period
built and the page rendered, as after every write).

Scratch databases only: temporary SQLite files, created and removed here.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.responsive import PASSWORD, Browser, free_port
from bench.serving import gunicorn, stop

ROOT = Path(__file__).resolve().parent.parent
DATASETTE_VENV = Path("/tmp/datasette-venv")  # noqa: S108 - a scratch virtualenv, not the project's
AIM_MS = 50.0  # issue 12: the overview at or under 50 ms median server time


def server_environment(url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": "600",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_MANIFEST": "false",
        "DJANGO_HSTS_SECONDS": "0",
        "BENCH_PORT": str(port),
        "BENCH_PASSWORD": PASSWORD,
    }


# ---------------------------------------------------------------------------------------
# Side by side with Datasette


def prepare_side_by_side(export: str) -> None:
    """Child, with the scratch database: migrate, the portfolio, a manager; the KPIs' latest
    figures (and every figure) exported to `export` for Datasette."""
    import sqlite3

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sct_portal.settings")
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from bench import dataset
    from kpis.dashboard import read_period
    from kpis.models import Observation
    from sct_portal.roles import MANAGER

    call_command("migrate", verbosity=0)
    dataset.build(kpis=200, months=120)
    user = User.objects.create_user("bench.manager", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=MANAGER))
    found = read_period(month=Observation.objects.latest("month").month)
    with sqlite3.connect(export) as out:
        out.execute(
            "CREATE TABLE kpis (ref TEXT PRIMARY KEY, description TEXT, section TEXT, "
            "unit TEXT, month TEXT, value REAL, previous_month TEXT, previous REAL, "
            "year_ago REAL, target TEXT, rag TEXT)"
        )
        out.executemany(
            "INSERT INTO kpis VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    p.kpi.ref,
                    p.kpi.description,
                    p.kpi.section.name if p.kpi.section else "",
                    p.kpi.unit,
                    str(p.month or ""),
                    None if p.value is None else float(p.value),
                    str(p.previous.month) if p.previous else "",
                    float(p.previous.value)
                    if p.previous and p.previous.value is not None
                    else None,
                    float(p.year_ago.value)
                    if p.year_ago and p.year_ago.value is not None
                    else None,
                    str(p.target.rule) if p.target else "",
                    p.rag.label if p.rag else "",
                )
                for p in found.positions
            ],
        )
        out.execute("CREATE TABLE figures (ref TEXT, month TEXT, value REAL, symbol TEXT)")
        out.executemany(
            "INSERT INTO figures VALUES (?, ?, ?, ?)",
            (
                (ref, str(month), None if value is None else float(value), symbol)
                for ref, month, value, symbol in Observation.objects.values_list(
                    "kpi__ref", "month", "value", "symbol"
                ).iterator()
            ),
        )


def cpu_seconds(pid: int) -> float:
    """A process's processor time so far (user and system), with its children's threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def wait_for(port: int, path: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            Browser(port).get(path)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not start")


def ensure_datasette() -> Path | None:
    binary = DATASETTE_VENV / "bin" / "datasette"
    if binary.exists():
        return binary
    print(f"Installing Datasette into {DATASETTE_VENV} (a scratch virtualenv)…", flush=True)
    made = subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=False)  # noqa: S603
    pip = DATASETTE_VENV / "bin" / "pip"
    if made.returncode:
        return None
    installed = subprocess.run([str(pip), "install", "-q", "datasette"], check=False)  # noqa: S603
    if installed.returncode:
        return None
    return binary


def side_by_side(requests: int) -> list[tuple[str, float, float, str]]:
    """The median ms and CPU ms of the portal's overview and Datasette's page, in one run."""
    datasette = ensure_datasette()
    if datasette is None:
        print("Datasette could not be installed: the side-by-side is skipped.")
        return []
    results: list[tuple[str, float, float, str]] = []
    with tempfile.TemporaryDirectory() as scratch:
        export = f"{scratch}/figures.db"
        portal_port, datasette_port = free_port(), free_port()
        env = server_environment(f"sqlite:///{scratch}/portal.sqlite3", portal_port)
        print(
            "Preparing: 200 KPIs × 120 months through the write path, and the export…", flush=True
        )
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bench.overview", "--prepare", export],
            cwd=ROOT,
            env=env,
            check=True,
        )
        logs = open(os.devnull, "wb")  # noqa: SIM115 - closed with the processes
        portal = gunicorn(port=portal_port, env=env, log=logs, workers=1, timeout=60)
        other = subprocess.Popen(  # noqa: S603
            [
                str(datasette),
                "serve",
                "-i",
                export,
                "-p",
                str(datasette_port),
                "-h",
                "127.0.0.1",
                "--setting",
                "max_returned_rows",
                "200",
            ],
            stdout=logs,
            stderr=logs,
        )
        try:
            deadline = time.monotonic() + 60
            wait_for(portal_port, "/accounts/login/", deadline)
            wait_for(datasette_port, "/", deadline)
            manager = Browser(portal_port)
            manager.sign_in("bench.manager")
            plain = Browser(datasette_port)
            pages = [
                ("portal overview, 200 KPIs", manager, "/", children(portal.pid)),
                ("Datasette, 200 rows", plain, "/figures/kpis?_size=200", [other.pid]),
            ]
            for _, browser, path, _ in pages:
                for _ in range(5):  # warm-up
                    status, _content, _ = browser.get(path)
                    assert status == 200, (path, status)
            shown = {name: browser.get(path)[1] for name, browser, path, _ in pages}
            assert shown["portal overview, 200 KPIs"].count(b'data-kpi="B') == 200
            assert shown["Datasette, 200 rows"].count(b'class="col-ref') >= 200
            times: dict[str, list[float]] = {name: [] for name, *_ in pages}
            cpu: dict[str, float] = dict.fromkeys(times, 0.0)
            for _ in range(requests):
                for name, browser, path, pids in pages:
                    before = sum(cpu_seconds(pid) for pid in pids)
                    status, _, took = browser.get(path)
                    cpu[name] += sum(cpu_seconds(pid) for pid in pids) - before
                    assert status == 200, (path, status)
                    times[name].append(took * 1000)
            for name, _, _, _ in pages:
                size = len(shown[name]) / 1024
                results.append(
                    (
                        name,
                        statistics.median(times[name]),
                        cpu[name] * 1000 / requests,
                        f"{size:,.0f} KB",
                    )
                )
        finally:
            stop((portal, other))
            logs.close()
    return results


# ---------------------------------------------------------------------------------------
# Growth, in-process


def measure_growth(kpis: int, months: int, runs: int, pages: list[tuple[str, str]]) -> None:
    """Child: build the portfolio in a scratch database, then time each page kept and afresh;
    prints one line per page and kind: name|kind|median ms|CPU ms|KB."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sct_portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from bench import dataset
    from sct_portal.models import bump_data_version
    from sct_portal.roles import MANAGER

    setup_test_environment(debug=False)
    name = str(settings.DATABASES["default"]["NAME"])
    connection.settings_dict["TEST"]["NAME"] = name
    connection.settings_dict["CONN_MAX_AGE"] = None
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        dataset.build(kpis=kpis, months=months)
        user = User.objects.create_user("bench.manager")
        user.groups.add(Group.objects.get(name=MANAGER))
        client = Client()
        client.force_login(user)
        for page, path in pages:
            for kind in ("kept", "built afresh"):
                for _ in range(2):
                    assert client.get(path).status_code == 200, path
                if kind == "built afresh":
                    bump_data_version()
                size = len(client.get(path).content)
                times, cpu = [], []
                for _ in range(runs):
                    if kind == "built afresh":
                        bump_data_version()  # as after any write: nothing kept applies
                    start, start_cpu = time.perf_counter(), time.process_time()
                    response = client.get(path)
                    times.append((time.perf_counter() - start) * 1000)
                    cpu.append((time.process_time() - start_cpu) * 1000)
                    assert response.status_code == 200, path
                print(
                    f"{page}|{kind}|{statistics.median(times):.1f}|{statistics.median(cpu):.1f}"
                    f"|{size / 1024:.0f}",
                    flush=True,
                )
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


GROWTH = [
    (200, 120, [("overview, 200 KPIs", "/")]),
    (
        2000,
        120,
        [("overview, 2,000 KPIs, page 1", "/"), ("overview, 2,000 KPIs, page 6", "/?page=6")],
    ),
    (1, 1200, [("KPI page, 1,200 months", "/kpis/B1/")]),
]


def growth(runs: int) -> list[tuple[str, str, float, float, str]]:
    found = []
    for kpis, months, pages in GROWTH:
        print(f"Building {kpis:,} KPIs × {months:,} months through the write path…", flush=True)
        with tempfile.TemporaryDirectory() as scratch:
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{scratch}/g.sqlite3",
                "DJANGO_DEBUG": "true",
            }
            command = [
                sys.executable,
                "-m",
                "bench.overview",
                "--growth-child",
                str(kpis),
                str(months),
            ]
            command += [str(runs), *(f"{name}={path}" for name, path in pages)]
            out = subprocess.run(  # noqa: S603
                command, cwd=ROOT, env=env, check=True, capture_output=True, text=True
            )
            for line in out.stdout.splitlines():
                name, kind, median, cpu, size = line.split("|")
                found.append((name, kind, float(median), float(cpu), f"{size} KB"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["all", "datasette", "growth"], default="all")
    parser.add_argument("--requests", type=int, default=60, help="timed requests a page (HTTP)")
    parser.add_argument("--runs", type=int, default=15, help="timed requests a page (growth)")
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    parser.add_argument("--growth-child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare_side_by_side(args.prepare)
        return
    if args.growth_child:
        kpis, months, runs, *pages = args.growth_child
        named = [(page.split("=", 1)[0], page.split("=", 1)[1]) for page in pages]
        measure_growth(int(kpis), int(months), int(runs), named)
        return
    if args.part in ("all", "datasette"):
        results = side_by_side(args.requests)
        if results:
            print(f"\nOver HTTP on loopback, {args.requests} requests each, in turn:")
            print(f"{'page':<30} {'median ms':>10} {'CPU ms':>8} {'size':>8}")
            for name, median, cpu, size in results:
                print(f"{name:<30} {median:>10.1f} {cpu:>8.1f} {size:>8}")
            (_, portal, portal_cpu, _), (_, other, other_cpu, _) = results
            from bench.summary import note

            note("overview 200 KPIs, HTTP median (kept)", portal, "ms", AIM_MS)
            note("overview ÷ Datasette 200 rows, time", portal / other, "×", 1.0)
            note("overview ÷ Datasette 200 rows, processor", portal_cpu / other_cpu, "×", 1.0)
            print(
                f"portal ÷ Datasette: {portal / other:.2f} (time), {portal_cpu / other_cpu:.2f} "
                f"(processor); the aim: ≤ 1.00, and ≤ {AIM_MS:.0f} ms"
            )
    if args.part in ("all", "growth"):
        rows = growth(args.runs)
        print(f"\nGrowth (test Client, in-process, {args.runs} requests each):")
        print(f"{'page':<30} {'':<13} {'median ms':>10} {'CPU ms':>8} {'size':>9}")
        for name, kind, median, cpu, size in rows:
            print(f"{name:<30} {kind:<13} {median:>10.1f} {cpu:>8.1f} {size:>9}")
        from bench.summary import note

        cpu_of = {(name, kind): cpu for name, kind, _, cpu, _ in rows}
        for kind in ("kept", "built afresh"):
            base = cpu_of.get(("overview, 200 KPIs", kind))
            for page in ("page 1", "page 6"):
                grown = cpu_of.get((f"overview, 2,000 KPIs, {page}", kind))
                if base and grown is not None:
                    note(f"2,000 KPIs {page} ÷ 200 KPIs, CPU ({kind})", grown / base, "×", 2.0)
            long = cpu_of.get(("KPI page, 1,200 months", kind))
            if long is not None:
                note(f"KPI page 1,200 months, CPU ({kind})", long, "ms", 100.0)


if __name__ == "__main__":
    main()
