"""The Explore Education Statistics (EES) "tidy" CSV format, as a benchmark mapping describes
a file: columns by name (with the names they had in earlier releases), filters, the time
periods wanted, and the month of a KPI a period's figure is compared with. Pure code.

The format: one row per time period × geography × filter combination; `time_period` is a
year ("2022") or two years ("202223"); `geographic_level` says National, Regional or Local
authority. Column names change between releases of the same file (an earlier release of the
children-looked-after file called `population_type` `population_count`), so a mapping names
a column with its alternatives, "population_type | population_count", and nothing about a
file's columns is written in code.

Source: DfE, "Explore education statistics: data standards" (open data: tidy data, time
periods, geographic levels), https://dfe-analytical-services.github.io/analysts-guide/.
"""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import models

ALTERNATIVES = "|"  # between the names a column has had: "population_type | population_count"


class GeographicLevel(models.TextChoices):
    NATIONAL = "national", "England"
    REGIONAL = "regional", "Region"
    LOCAL_AUTHORITY = "la", "Local authority"


# EES `geographic_level` values the portal keeps (compared ignoring case); rows at other
# levels (local authority district, parliamentary constituency, school…) are skipped.
LEVELS = {
    "national": GeographicLevel.NATIONAL,
    "regional": GeographicLevel.REGIONAL,
    "local authority": GeographicLevel.LOCAL_AUTHORITY,
}
# The portal benchmarks English authorities: a national row is England's (E92000001).
ENGLAND_CODE = "E92000001"
ENGLAND_NAME = "England"


def folded(text: str) -> str:
    """Text compared as people read it: spaces collapsed, case ignored."""
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True)
class Column:
    """A column by its name, or the names it has had: the first one the header has is used."""

    names: tuple[str, ...]

    def find(self, header: Sequence[str]) -> int | None:
        """The column's index in a header row, or None."""
        wanted = [folded(name) for name in self.names]
        cells = [folded(cell) for cell in header]
        for name in wanted:
            if name in cells:
                return cells.index(name)
        return None

    def __str__(self) -> str:
        return " or ".join(f"“{name}”" for name in self.names)


def column(text: str) -> Column:
    """ "population_type | population_count" → Column(("population_type", "population_count"))."""
    names = tuple(name.strip() for name in str(text).split(ALTERNATIVES) if name.strip())
    if not names:
        raise ValueError("name the column (alternatives separated by |)")
    return Column(names)


@dataclass(frozen=True)
class Filter:
    """Keep only rows whose column holds this value (compared ignoring case and spacing)."""

    column: Column
    value: str

    def matches(self, cell: str) -> bool:
        return folded(cell) == folded(self.value)

    def __str__(self) -> str:
        return f"{self.column} = “{self.value}”"


def parse_filters(text: str) -> list[Filter]:
    """One filter a line, "column = value"; blank lines and lines starting with # are skipped.

    Raises ValueError naming the line when one is not of that form."""
    found: list[Filter] = []
    for number, line in enumerate(str(text).splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, equals, value = stripped.partition("=")
        if not equals or not name.strip() or not value.strip():
            raise ValueError(
                f"line {number} (“{stripped}”) is not of the form column = value, e.g. "
                "population_type = Children looked after on 31 March each year"
            )
        found.append(Filter(column(name), value.strip()))
    return found


TIME_PERIOD = re.compile(r"^(\d{4})(\d{2})?$")
# A two-year period (202223) at a month from April to December is in its first year, from
# January to March in its second: the financial year's rule (a 2022-23 figure at 31 March is
# March 2023's; at 30 September, September 2022's).
SECOND_YEAR_BEFORE = 4


def start_year(time_period: str) -> int:
    """The first year of a time period: 2022 for "2022" and for "202223".

    Raises ValueError when the text is not an EES year or pair of years."""
    text = str(time_period).strip()
    match = TIME_PERIOD.match(text)
    if match is None:
        raise ValueError(
            f"“{text}” is not a time period: a year (2022) or two years (202223) is expected"
        )
    first = int(match.group(1))
    if match.group(2) is not None and match.group(2) != f"{(first + 1) % 100:02d}":
        raise ValueError(f"“{text}” is not a time period: {first} is followed by {first + 1}")
    return first


def month_of(time_period: str, month: int) -> dt.date:
    """The KPI month a period's figure is compared with: ("2022", 3) → March 2022;
    ("202223", 3) → March 2023; ("202223", 9) → September 2022."""
    first = start_year(time_period)
    two_years = len(str(time_period).strip()) == 6
    year = first + 1 if two_years and month < SECOND_YEAR_BEFORE else first
    return dt.date(year, month, 1)


RANGE = re.compile(r"^(\d{4})\s*(?:-|–|to)\s*(\d{4})$")


@dataclass(frozen=True)
class Periods:
    """The time periods a mapping takes, by first year; none listed means every period."""

    ranges: tuple[tuple[int, int], ...] = ()

    def includes(self, time_period: str) -> bool:
        if not self.ranges:
            return True
        year = start_year(time_period)
        return any(first <= year <= last for first, last in self.ranges)

    def __str__(self) -> str:
        if not self.ranges:
            return "every period in the file"
        return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in self.ranges)


def parse_periods(text: str) -> Periods:
    """ "2021-2025, 2019" → Periods(((2021, 2025), (2019, 2019))); blank → every period.

    Raises ValueError naming the part that is not a year or a range of years."""
    ranges: list[tuple[int, int]] = []
    for part in re.split(r"[,;]", str(text)):
        part = part.strip()
        if not part:
            continue
        if re.fullmatch(r"\d{4}", part):
            ranges.append((int(part), int(part)))
        elif match := RANGE.match(part):
            first, last = int(match.group(1)), int(match.group(2))
            if last < first:
                raise ValueError(f"“{part}” ends before it starts")
            ranges.append((first, last))
        else:
            raise ValueError(
                f"“{part}” is not a year or a range of years (2019, or 2021-2025); a "
                "two-year period such as 202223 is chosen by its first year, 2022"
            )
    return Periods(tuple(ranges))
