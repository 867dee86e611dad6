"""The portal served as in production, for the benches that measure it over HTTP."""

import subprocess
import sys
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent


def gunicorn(
    *, port: int, env: dict[str, str], log: IO[Any], workers: int = 2, timeout: int = 30
) -> subprocess.Popen[bytes]:
    """gunicorn serving the portal on 127.0.0.1:`port` (the caller stops it)."""
    return subprocess.Popen(  # noqa: S603 - our own server, our own arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "sct_portal.wsgi",
            *("--workers", str(workers), "--bind", f"127.0.0.1:{port}"),
            *("--timeout", str(timeout)),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )


def stop(processes: "list[subprocess.Popen[Any]] | tuple[subprocess.Popen[Any], ...]") -> None:
    """Ask each server to stop (SIGTERM, as gunicorn expects), then kill any still running
    after 20 seconds."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
