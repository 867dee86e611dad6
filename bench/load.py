"""Throughput: the overview, a KPI's page and the report page under load, as in production.

    .venv/bin/python -m bench.load
    .venv/bin/python -m bench.load --seconds 10 --connections 8

PostgreSQL (a scratch database, `sct_bench_load` on the server of BENCH_DATABASE_URL, created
and dropped), holding the dashboards' portfolio (bench/dataset.py: 200 KPIs × 120 months)
and the published Q1 2022/23 report; gunicorn with 2 workers, debug off, a bench secret key.
`wrk` (Debian's; `make bench` installs it) sends, for each page in turn, requests from 16
connections for 30 seconds on loopback, signed in as a manager (the session cookie) and
accepting gzip as a browser does. It prints requests a second, the 50th and 99th percentile
latency, and errors (non-2xx responses and socket errors). The aim (issue 12): 300 requests a
second on the overview with p99 under 200 ms and no errors.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.responsive import PASSWORD, SERVER, Browser, free_port
from bench.serving import gunicorn, stop

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = "sct_bench_load"
PAGES = [
    ("overview", "/"),
    ("KPI page (120 months)", "/kpis/B1/"),
    ("report page (published)", "/reports/2022-23/q1/"),
]
AIM_RPS, AIM_P99_MS = 300.0, 200.0


def database_url() -> str:
    return SERVER.rsplit("/", 1)[0] + f"/{SCRATCH}"


def prepare() -> None:
    """Child, with the scratch database: migrate, the portfolio, a manager, an analyst and the
    published Q1 2022/23 report."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sct_portal.settings")
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from bench import dataset
    from reports import workflow
    from sct_portal.periods import Quarter
    from sct_portal.roles import ANALYST, MANAGER

    call_command("migrate", verbosity=0)
    dataset.build(kpis=200, months=120)
    made = {}
    for username, role in [("bench.manager", MANAGER), ("bench.analyst", ANALYST)]:
        user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        made[role] = User.objects.get(pk=user.pk)
    report = workflow.start_report(quarter=Quarter.parse("2022-23", "q1"), by=made[ANALYST])
    report = workflow.submit_for_review(report=report, by=made[ANALYST])
    workflow.publish(report=report, by=made[MANAGER])


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(port: int, path: str, cookie: str, *, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(  # noqa: S603
        [  # noqa: S607 - Debian's wrk, found on the PATH
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            "-H",
            f"Cookie: {cookie}",
            "-H",
            "Accept-Encoding: gzip",
            f"http://127.0.0.1:{port}{path}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),  # type: ignore[index]
        "p50": milliseconds(re.search(r"50%\s+(\S+)", out)[1]),  # type: ignore[index]
        "p99": milliseconds(re.search(r"99%\s+(\S+)", out)[1]),  # type: ignore[index]
        "requests": float(re.search(r"(\d+) requests in", out)[1]),  # type: ignore[index]
    }
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(match[1])
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    ):
        errors += sum(int(n) for n in match.groups())
    found["errors"] = errors
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare()
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (make bench does)")
    import psycopg

    admin = SERVER.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}"')
        connection.execute(f'CREATE DATABASE "{SCRATCH}"')
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DATABASE_CONN_MAX_AGE": "600",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-load-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_MANIFEST": "false",
        "DJANGO_HSTS_SECONDS": "0",
        "BENCH_PASSWORD": PASSWORD,
    }
    server = None
    try:
        print("Preparing PostgreSQL: 200 KPIs × 120 months, a published report…", flush=True)
        subprocess.run(
            [sys.executable, "-m", "bench.load", "--prepare"], cwd=ROOT, env=env, check=True
        )
        logs = open(os.devnull, "wb")  # noqa: SIM115 - closed with the server
        server = gunicorn(port=port, env=env, log=logs)
        deadline = time.monotonic() + 60
        while True:
            try:
                Browser(port).get("/accounts/login/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        manager = Browser(port)
        manager.sign_in("bench.manager")
        cookie = "; ".join(f"{k}={v}" for k, v in manager.cookies.items())
        for _, path in PAGES:
            for _ in range(6):  # each worker's first requests: kept period and page
                status, _, _ = manager.get(path)
                assert status == 200, (path, status)
        print(
            f"\nwrk: {args.connections} connections, {args.seconds} s a page, loopback, "
            "gunicorn 2 workers, PostgreSQL, a signed-in manager, gzip accepted:"
        )
        print(
            f"{'page':<26} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'requests':>9}"
        )
        failed = False
        for name, path in PAGES:
            found = wrk(port, path, cookie, seconds=args.seconds, connections=args.connections)
            print(
                f"{name:<26} {found['rps']:>8.1f} {found['p50']:>8.1f} {found['p99']:>8.1f} "
                f"{found['errors']:>7.0f} {found['requests']:>9.0f}",
                flush=True,
            )
            from bench.summary import note

            if path == "/":
                note(
                    "load: overview req/s (wrk 16 conn, 2 workers)",
                    found["rps"],
                    "/s",
                    AIM_RPS,
                    floor=True,
                )
                note("load: overview p99", found["p99"], "ms", AIM_P99_MS)
            note(f"load: {name} errors", found["errors"], "", 0)
            if path == "/":
                print(
                    f"  against the aim: {found['rps'] / AIM_RPS:.2f} × {AIM_RPS:.0f} req/s; "
                    f"p99 {found['p99'] / AIM_P99_MS:.2f} × {AIM_P99_MS:.0f} ms"
                )
            failed |= found["errors"] > 0
        sys.exit(1 if failed else 0)
    finally:
        if server is not None:
            stop([server])
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')


if __name__ == "__main__":
    main()
