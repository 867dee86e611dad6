"""The seed report: the real quarterly report whose figures and facts are the demo data."""

from collections.abc import Iterable
from pathlib import Path

SEED_REPORT = Path(__file__).resolve().parent / "seed" / "sandwell-q1-2022-performance-report.txt"
REPORT_NAME = "Sandwell Children's Trust Quarter 1 Performance Report 2022/23"


def cite(*quotes: str) -> str:
    """Where a demo fact comes from: the report's name and its words."""
    return f"{REPORT_NAME}: " + " ".join(f"“{quote}”" for quote in quotes)


def check_quotes(quotes: Iterable[str], text: str | None = None) -> None:
    """Every sentence the demo cites must be in the report, word for word."""
    flat = " ".join((SEED_REPORT.read_text(encoding="utf-8") if text is None else text).split())
    for quote in quotes:
        if quote not in flat:
            raise ValueError(f"The seed report does not say: {quote!r}")
