"""One table of every bench's figures against its aim, for `make bench`.

Each bench, when BENCH_SUMMARY names a file, adds a line per figure to it (`note`); at the
end `python -m bench.summary FILE` prints them: what, the figure, the aim, and the figure as
a ratio of the aim (for a ceiling, at or under 1.00 meets it; for a floor, at or over).
"""

import json
import os
import sys
from pathlib import Path


def note(what: str, figure: float, unit: str, aim: float, *, floor: bool = False) -> None:
    """Record a figure against its aim: a ceiling unless `floor` (then more is better)."""
    path = os.environ.get("BENCH_SUMMARY")
    if not path:
        return
    line = {"what": what, "figure": figure, "unit": unit, "aim": aim, "floor": floor}
    with Path(path).open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


def main() -> None:
    path = Path(sys.argv[1])
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    print("\nSummary: each figure against its aim (issue 12)")
    print(f"{'what':<62} {'figure':>10} {'aim':>12} {'ratio':>6}  verdict")
    for line in lines:
        figure, aim = line["figure"], line["aim"]
        ratio = figure / aim if aim else 0.0
        met = figure >= aim if line["floor"] else figure <= aim
        sign = "≥" if line["floor"] else "≤"
        print(
            f"{line['what']:<62} {figure:>8.1f} {line['unit']:<2}"
            f"{sign:>2}{aim:>7.1f} {line['unit']:<2} {ratio:>5.2f}  {'meets' if met else 'misses'}"
        )


if __name__ == "__main__":
    main()
