"""A database restart under load: what people see, and whether anything acknowledged is lost.

    .venv/bin/python -m bench.fault
    .venv/bin/python -m bench.fault --seconds 40 --restart-after 12

Runs as root on this machine: it makes a scratch PostgreSQL cluster (initdb in a temporary
folder, as the postgres user, on a free port of 127.0.0.1), loads the demo data into it and
serves the portal with gunicorn (2 workers, debug off, connections kept 60 s and
health-checked). Then, over HTTP, an analyst writes figures one by one through the admin's
figure form (the one write path, kpis.figures) while a manager reads the overview and a
KPI's page; part way through the cluster is restarted (pg_ctl restart, fast shutdown).

It prints how the requests were answered while the database was away (503 "busy, try
again" against 500), the seconds from the restart to the first answered request, and the
acknowledged writes (answered with the redirect that follows a save) that the database does
not hold afterwards: that must be 0. Every loop is bounded in count and time; everything it
starts it stops and removes.
"""

import argparse
import collections
import datetime as dt
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.responsive import Browser, free_port
from bench.serving import gunicorn, stop

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))
PASSWORD = os.environ.setdefault("BENCH_PASSWORD", "fault-bench-password-" + str(os.getpid()))
MOST_WRITES = 2_000
MOST_READS = 5_000


def as_postgres(*command: str) -> None:
    subprocess.run(  # noqa: S603
        ["su", "postgres", "-c", " ".join(command)],  # noqa: S607
        check=True,
        stdout=subprocess.DEVNULL,
    )


class Cluster:
    """A throwaway PostgreSQL cluster owned by the postgres user."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="sct-fault-"))
        self.port = free_port()
        postgres = pwd.getpwnam("postgres")
        os.chown(self.folder, postgres.pw_uid, postgres.pw_gid)
        self.data = self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/sct_fault"

    def ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-o", f"'{options}'", *args)

    def create(self) -> None:
        as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.ctl("-l", str(self.folder / "log"), "start")
        as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "sct_fault")

    def restart(self) -> None:
        self.ctl("-m", "fast", "-l", str(self.folder / "log"), "restart")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.ctl("-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def environment(cluster: Cluster, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": cluster.url,
        "DATABASE_CONN_MAX_AGE": "60",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "fault-bench-" + os.urandom(16).hex(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_MANIFEST": "false",
        "DJANGO_HSTS_SECONDS": "0",
        "DEMO_PASSWORD": PASSWORD,
    }


def prepare() -> None:
    """In a child with the scratch database: migrate and load the demo (its users)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sct_portal.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    from kpis.models import Frequency, Kpi

    kpis = Kpi.objects.filter(frequency=Frequency.MONTHLY).order_by("order", "ref")
    print("KPIS", " ".join(str(kpi.pk) for kpi in kpis))


def slots(kpis: list[str], first: dt.date, last: dt.date) -> list[tuple[str, dt.date]]:
    """Each figure to write: a KPI and a month after the demo's figures."""
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return [(kpi, month) for month in months for kpi in kpis]


def run(cluster: Cluster, port: int, kpis: list[str], seconds: float, restart_after: float):
    deadline = time.monotonic() + seconds
    analyst, manager = Browser(port), Browser(port)
    while time.monotonic() < deadline:
        try:
            analyst.get("/accounts/login/")
            break
        except OSError:
            time.sleep(0.2)
    analyst.sign_in("analyst")
    manager.sign_in("manager")
    today = dt.date.today().replace(day=1)
    todo = slots(kpis, dt.date(2022, 7, 1), today)[:MOST_WRITES]
    acknowledged: dict[tuple[str, dt.date], int] = {}
    answers: list[tuple[float, str, int]] = []  # (at, who, status)
    stop = threading.Event()
    refused: list[str] = []

    def write() -> None:
        for number, (kpi, month) in enumerate(todo, 1):
            if stop.is_set() or time.monotonic() > deadline:
                return
            value = number % 90 + 5
            try:
                status, _, content, _ = analyst.post(
                    "/admin/kpis/observation/add/",
                    {
                        "kpi": kpi,
                        "month": month.isoformat(),
                        "figure": str(value),
                        "change_reason": "fault bench",
                        "confirm": "on",
                    },
                )
            except OSError:
                status = 0
            answers.append((time.monotonic(), "write", status))
            if status == 302:
                acknowledged[(kpi, month)] = value
            elif status not in (500, 503, 0) and number == 1:
                errors = re.findall(rb'class="errorlist[^>]*>(.*?)</ul>', content, re.S)
                refused.append(f"the first write was answered {status}: {errors[:3]}")
                stop.set()
                return

    def read() -> None:
        pages = ["/", f"/kpis/{1}/"]
        for turn in range(MOST_READS):
            if stop.is_set() or time.monotonic() > deadline:
                return
            try:
                status, _, _ = manager.get(pages[turn % 2])
            except OSError:
                status = 0
            answers.append((time.monotonic(), "read", status))
            time.sleep(0.05)

    threads = [threading.Thread(target=write), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    time.sleep(restart_after)
    began = time.monotonic()
    cluster.restart()
    restarted = time.monotonic()
    while time.monotonic() < min(deadline, restarted + 5):
        time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    if refused:
        raise SystemExit(refused[0])
    return acknowledged, answers, began, restarted


def lost(cluster: Cluster, acknowledged: dict[tuple[str, dt.date], int]) -> list[str]:
    import psycopg

    with psycopg.connect(cluster.url) as connection:
        rows = connection.execute("SELECT kpi_id, month, value FROM kpis_observation").fetchall()
    held = {(str(kpi), month): value for kpi, month, value in rows}
    return [
        f"KPI {kpi} {month:%b-%y}: {value}"
        for (kpi, month), value in acknowledged.items()
        if held.get((kpi, month)) is None or int(held[(kpi, month)]) != value
    ]


def report(acknowledged, answers, began: float, restarted: float, missing: list[str]) -> None:
    ok = {200, 302}
    failing = [(at, who, s) for at, who, s in answers if at >= began and s not in ok]
    last_failure = max((at for at, _, _ in failing), default=began)
    recovered = next((at for at, _, s in sorted(answers) if at > last_failure and s in ok), None)
    window = [s for at, _, s in answers if began <= at <= last_failure]
    counted = collections.Counter(window)
    print(f"Requests: {len(answers)} ({sum(1 for _, w, _ in answers if w == 'write')} writes).")
    print(f"Restart: pg_ctl restart took {restarted - began:.2f} s.")
    print(
        f"While the database was away: {counted.get(503, 0)} answered 503, "
        f"{counted.get(500, 0)} answered 500, {counted.get(0, 0)} not answered, "
        f"other answers {sorted(set(counted) - {0, 500, 503})}."
    )
    if recovered is not None:
        print(f"Recovered: {recovered - began:.2f} s after the restart began.")
    else:
        print("Recovered: no answered request after the restart within the run.")
    print(f"Acknowledged writes: {len(acknowledged)}; lost: {len(missing)}.")
    for line in missing[:10]:
        print("  lost:", line)
    if missing or counted.get(500, 0):
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40, help="the longest the load runs")
    parser.add_argument("--restart-after", type=float, default=12, help="seconds into the load")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare()
        return
    if os.geteuid() != 0:
        raise SystemExit("Run as root: the scratch cluster is made as the postgres user.")
    cluster = Cluster()
    started: list[subprocess.Popen[bytes]] = []
    try:
        print(f"Scratch cluster on 127.0.0.1:{cluster.port}; loading the demo…", flush=True)
        cluster.create()
        port = free_port()
        env = environment(cluster, port)
        prepared = subprocess.run(
            [sys.executable, "-m", "bench.fault", "--prepare"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        kpis = prepared.stdout.rsplit("KPIS", 1)[-1].split()
        log = open(cluster.folder / "gunicorn.log", "wb")  # noqa: SIM115 - closed with it
        started.append(gunicorn(port=port, env=env, log=log))
        acknowledged, answers, began, restarted = run(
            cluster, port, kpis, args.seconds, args.restart_after
        )
        report(acknowledged, answers, began, restarted, lost(cluster, acknowledged))
        tracebacks = (
            (cluster.folder / "gunicorn.log").read_text(errors="replace").count("Traceback")
        )
        print(f"Tracebacks in the server's log: {tracebacks}.")
    finally:
        stop(started)
        cluster.remove()


if __name__ == "__main__":
    main()
