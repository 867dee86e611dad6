"""Server time of the dashboards at size: 200 KPIs × 120 months, on SQLite and PostgreSQL.

    make bench                      # both databases
    .venv/bin/python -m bench.run --databases sqlite --runs 50

Each database is a scratch one that this script creates and drops: a temporary SQLite file,
and a PostgreSQL database (`sct_bench` on the server of BENCH_DATABASE_URL). Pages are
fetched with Django's test Client as a signed-in manager, so the time is the server's:
middleware, queries, Python and templates, without network or browser. Debug is off, as
in production, so queries are not recorded while timing; the database connection is kept
open between requests (DATABASE_CONN_MAX_AGE). "CPU ms" is the median processor time
of the Django process alone: what the page costs when the machine is busy with other
work (with PostgreSQL, the database server's own time is not in it).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sct_bench")
PAGES = [
    ("overview", "/"),
    ("overview, past month, sorted", "/?month=2021-12&sort=-rag"),
    ("KPI detail (120 months)", "/kpis/B1/"),
    ("trend table", "/trend/2022-23/q1/"),
    ("overview as CSV", "/?download=csv"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kpis", type=int, default=200)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args)
        return
    print(
        f"Server time of each page, {args.kpis} KPIs × {args.months} months, "
        f"{args.runs} requests per page after a warm-up (Django test Client, debug off)."
    )
    print(
        f"{'database':<11} {'page':<30} {'median ms':>10} {'95th % ms':>10} "
        f"{'CPU ms':>10} {'queries':>8}"
    )
    failed = False
    for database in args.databases.split(","):
        with tempfile.TemporaryDirectory() as scratch:
            url = f"sqlite:///{scratch}/bench.sqlite3" if database == "sqlite" else POSTGRES
            env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "true"}
            command = [sys.executable, "-m", "bench.run", "--child", database]
            command += ["--kpis", str(args.kpis), "--months", str(args.months)]
            command += ["--runs", str(args.runs)]
            result = subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603
            failed |= result.returncode != 0
    sys.exit(1 if failed else 0)


def measure(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sct_portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from bench import dataset
    from sct_portal.roles import MANAGER

    setup_test_environment(debug=False)  # debug off, as in production; test host allowed
    name = (
        str(Path(str(settings.DATABASES["default"]["NAME"])))
        if args.child == "sqlite"
        else str(settings.DATABASES["default"]["NAME"])
    )
    connection.settings_dict["TEST"]["NAME"] = name
    # One connection kept open, as with DATABASE_CONN_MAX_AGE in production: the time
    # measured is the page's, not the connection's set-up.
    connection.settings_dict["CONN_MAX_AGE"] = None
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    label = {"sqlite": "SQLite", "postgres": "PostgreSQL"}.get(args.child, args.child)
    try:
        dataset.build(kpis=args.kpis, months=args.months)
        user = User.objects.create_user("bench.manager")  # signed in below, no password
        user.groups.add(Group.objects.get(name=MANAGER))
        client = Client()
        client.force_login(user)
        for page, path in PAGES:
            for _ in range(3):  # warm-up: templates compiled, caches filled
                assert client.get(path).status_code == 200, path
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            count = len(queries.captured_queries)
            times, cpu = [], []
            for _ in range(args.runs):
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
                assert response.status_code == 200, path
            median = statistics.median(times)
            p95 = statistics.quantiles(times, n=20)[18]
            if path == "/":
                from bench.summary import note

                note(f"overview 200 KPIs, server time median, {label}", median, "ms", 50.0)
            print(
                f"{label:<11} {page:<30} {median:>10.1f} {p95:>10.1f} "
                f"{statistics.median(cpu):>10.1f} {count:>8}",
                flush=True,
            )
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
