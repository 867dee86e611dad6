"""A manager's page while imports run: does the portal stay responsive?

    .venv/bin/python -m bench.responsive
    .venv/bin/python -m bench.responsive --seconds 120

As in production: PostgreSQL (a scratch database, `sct_bench_responsive` on the server of
BENCH_DATABASE_URL, created and dropped), gunicorn with 2 workers and debug off, and the
background worker (`manage.py db_worker`), all on this machine. The database holds the
dashboards' portfolio (bench/dataset.py: 200 KPIs × 120 months). Over HTTP, as people would:

- a manager fetches the overview and a KPI's page, one after the other, all the time;
- an analyst uploads a 24,000-figure file (200 more KPIs × 120 months, one row per figure),
  looks at its preview, imports it (confirming the figures to check), and meanwhile uploads
  a 113 KB workbook of three million cells (refused by its limits);

and it reports how long the manager's pages and the analyst's own requests took while the
worker read and wrote the files (each request's time on the clock), and how long the work
took. Everything it starts it stops; every loop is bounded in count and time.
"""

import argparse
import http.client
import io
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

from bench.serving import gunicorn, stop

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sct_bench")
SCRATCH = "sct_bench_responsive"
# The bench users' password, the same in the child that makes them.
PASSWORD = os.environ.setdefault("BENCH_PASSWORD", secrets.token_urlsafe(16))
ANSWER_WITHIN = 1.0  # seconds: issue 17, "a manager's page answers within a second"
MANAGER_PAGES = ["/", "/kpis/B1/"]


def database_url() -> str:
    return SERVER.rsplit("/", 1)[0] + f"/{SCRATCH}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DATABASE_CONN_MAX_AGE": "60",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_MANIFEST": "false",
        "DJANGO_HSTS_SECONDS": "0",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "BENCH_PORT": str(port),
    }


# The HTTP side: a signed-in browser, without a browser ------------------------------------


class Browser:
    """Cookies kept by hand (the portal's are Secure; this talks plain HTTP on loopback)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes, float]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        content = response.read()
        took = time.perf_counter() - start
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, cookie = pair.partition("=")
                self.cookies[key.strip()] = cookie.strip()
        connection.close()
        return response.status, dict(response.getheaders()), content, took

    def get(self, path: str) -> tuple[int, bytes, float]:
        status, _, content, took = self.request("GET", path)
        return status, content, took

    def post(
        self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]] | None = None
    ):
        if "csrftoken" not in self.cookies:
            self.get(path)
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            parts.append(f"{head}{value}\r\n".encode())
        for name, (filename, content) in (files or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Referer": f"http://127.0.0.1:{self.port}{path}",
            "X-CSRFToken": self.cookies.get("csrftoken", ""),
        }
        return self.request("POST", path, b"".join(parts), headers)

    def sign_in(self, username: str) -> None:
        self.get("/accounts/login/")
        status, _, _, _ = self.post(
            "/accounts/login/", {"username": username, "password": PASSWORD, "next": "/"}
        )
        assert status == 302, (username, status)


# The files -----------------------------------------------------------------------------------


def many_cell_workbook(rows: int = 6_000, columns: int = 500) -> bytes:
    """About 115 KB of .xlsx holding three million cells (the XML compresses 400-fold)."""
    import openpyxl

    plain = io.BytesIO()
    openpyxl.Workbook().save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = "".join(
                    "<row>" + f"<c><v>{row % 10}</v></c>" * columns + "</row>"
                    for row in range(rows)
                )
                data = (
                    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
                    '"http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    f"<sheetData>{body}</sheetData></worksheet>"
                ).encode()
            archive.writestr(info.filename, data)
    return out.getvalue()


# Setting up and measuring -------------------------------------------------------------------


def prepare() -> None:
    """In a child process with the scratch database: migrate, the portfolio, two users, the
    200 KPIs the big file is for; writes the big file to stdout's path argument."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sct_portal.settings")
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from bench import dataset
    from bench import imports as bench_imports
    from sct_portal.roles import ANALYST, MANAGER

    call_command("migrate", verbosity=0)
    dataset.build(kpis=200, months=120)
    for username, role in [("bench.manager", MANAGER), ("bench.analyst", ANALYST)]:
        user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=role))
    more = dataset.define_kpis(200, quarterly=False, first=201)
    table = bench_imports.figures_of(more, 120, dataset)
    Path(sys.argv[-1]).write_bytes(bench_imports.long_text(table))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=240, help="the longest it may run")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()
    if args.prepare:
        prepare()
        return
    import psycopg

    admin = SERVER.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}"')
        connection.execute(f'CREATE DATABASE "{SCRATCH}"')
    port = free_port()
    env = environment(port)
    started: list[subprocess.Popen[bytes]] = []
    big = Path(f"/tmp/bench-responsive-{os.getpid()}.csv")  # noqa: S108 - a scratch file, removed below
    try:
        print("Preparing the scratch database (migrate, 200 KPIs × 120 months, users)…", flush=True)
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bench.responsive", "--prepare", str(big)],
            cwd=ROOT,
            env=env,
            check=True,
        )
        logs = open(os.devnull, "wb")  # noqa: SIM115 - closed with the processes
        started.append(gunicorn(port=port, env=env, log=logs))
        started.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "db_worker",
                    "--no-reload",
                    "--no-startup-delay",
                    "--interval",
                    "0.5",
                ],
                cwd=ROOT,
                env=env,
                stdout=logs,
                stderr=logs,
            )
        )
        run(port, big.read_bytes(), many_cell_workbook(), deadline=time.monotonic() + args.seconds)
    finally:
        stop(started)
        big.unlink(missing_ok=True)
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')


def wait_for_server(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            Browser(port).get("/accounts/login/")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def run(port: int, big: bytes, many: bytes, *, deadline: float) -> None:
    wait_for_server(port, deadline)
    manager, analyst = Browser(port), Browser(port)
    manager.sign_in("bench.manager")
    analyst.sign_in("bench.analyst")
    for path in MANAGER_PAGES:  # warm-up: each gunicorn worker's first requests
        for _ in range(4):
            assert manager.get(path)[0] == 200, path
    times: list[tuple[float, str, float, int]] = []  # (at, page, seconds, status)
    stop = threading.Event()

    def browse() -> None:
        turn = 0
        while not stop.is_set() and time.monotonic() < deadline and len(times) < 5_000:
            path = MANAGER_PAGES[turn % len(MANAGER_PAGES)]
            status, _, took = manager.get(path)
            times.append((time.monotonic(), path, took, status))
            turn += 1
            time.sleep(0.2)

    quiet_start = time.monotonic()
    browsing = threading.Thread(target=browse)
    browsing.start()
    time.sleep(5)
    quiet = [t for at, _, t, _ in times if at >= quiet_start]
    analyst_times: dict[str, float] = {}

    def upload(name: str, content: bytes) -> int:
        status, headers, _, took = analyst.post(
            "/admin/kpis/importedfile/add/", {"reason": "bench"}, {"file": (name, content)}
        )
        assert status == 302, status
        analyst_times[f"upload {name} ({len(content) / 1024:,.0f} KB)"] = took
        match = re.search(r"/importedfile/(\d+)/", headers.get("Location", ""))
        assert match, headers
        return int(match[1])

    def state(pk: int) -> dict[str, Any]:
        status, content, _ = analyst.get(f"/admin/kpis/importedfile/{pk}/status/")
        assert status == 200, status
        return dict(json.loads(content))

    def until_done(pk: int) -> dict[str, Any]:
        while time.monotonic() < deadline:
            found = state(pk)
            if not found["working"]:
                return found
            time.sleep(0.5)
        raise SystemExit("the work did not finish in time")

    work_start = time.monotonic()
    big_pk = upload("figures.csv", big)
    many_pk = upload("many-cells.xlsx", many)
    big_state = until_done(big_pk)
    read_done = time.monotonic()
    status, content, took = analyst.get(f"/admin/kpis/importedfile/{big_pk}/change/")
    analyst_times["preview page (24,000 new figures)"] = took
    fingerprint = re.search(rb'name="fingerprint" value="([0-9a-f]+)"', content)
    assert big_state["status"] == "previewed", big_state
    assert fingerprint, "no import button on the preview"
    status, _, _, took = analyst.post(
        f"/admin/kpis/importedfile/{big_pk}/change/",
        {"fingerprint": fingerprint[1].decode(), "reason": "bench", "confirm": "on"},
    )
    assert status == 302, status
    analyst_times["import button"] = took
    committed = until_done(big_pk)
    work_end = time.monotonic()
    many_state = until_done(many_pk)
    time.sleep(2)
    stop.set()
    browsing.join(timeout=60)
    during = [(p, t, s) for at, p, t, s in times if work_start <= at <= work_end]
    seconds = [t for _, t, _ in during]
    slow = [t for t in seconds if t > ANSWER_WITHIN]
    errors = [s for _, _, s in during if s != 200]
    print(
        f"Work: 24,000-figure file read in {read_done - work_start:.1f} s, imported "
        f"({committed['status']}) {work_end - read_done:.1f} s after; the 113 KB workbook: "
        f"{many_state['status']} ({many_state['words']})."
    )
    print(f"Manager's pages ({', '.join(MANAGER_PAGES)}), seconds on the clock:")
    if quiet:
        print(
            f"  before the work: {len(quiet)} requests, median {statistics.median(quiet):.3f}, "
            f"max {max(quiet):.3f}"
        )
    if seconds:
        p95 = statistics.quantiles(seconds, n=20)[18] if len(seconds) >= 20 else max(seconds)
        print(
            f"  while it ran:    {len(seconds)} requests, median {statistics.median(seconds):.3f}, "
            f"95th percentile {p95:.3f}, max {max(seconds):.3f}; over {ANSWER_WITHIN:.0f} s: "
            f"{len(slow)}; not 200: {len(errors)}"
        )
    print("Analyst's requests, seconds on the clock:")
    for what, took in analyst_times.items():
        print(f"  {what}: {took:.3f}")
    if slow or errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
