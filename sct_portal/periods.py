"""The UK financial calendar: years April–March, quarters, months and their labels.

Pure code: dates in, values out. A month is represented by the date of its first day.
"""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Self

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Every spelling of a month a spreadsheet might hold: "Jun", "June", "Sept".
_MONTH_WORDS = {name.lower(): i for i, name in enumerate(MONTH_NAMES, 1)}
_MONTH_WORDS |= {abbr.lower(): i for i, abbr in enumerate(MONTH_ABBR, 1)}
_MONTH_WORDS["sept"] = 9

FIRST_MONTH = 4  # April

# The years the portal's calendar holds. A year outside them (0001, 0000, 99999) is a
# mistyped address, filter or cell: refused here in words, once, rather than reaching date
# arithmetic that fails below year 1 or above 9999, or a database that cannot store it.
FIRST_YEAR = 1900
LAST_YEAR = 2999


def in_calendar(year: int, text: str) -> int:
    """The year, when the calendar holds it; otherwise ValueError naming the text."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f'"{text}" is outside the calendar: years run from 1900 to 2999')
    return year


def month_start(day: dt.date) -> dt.date:
    """The first day of the month that contains `day`."""
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + (month.month - 1) + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from `first` to `last`, both included; empty when last is before first."""
    start, end = month_start(first), month_start(last)
    count = (end.year - start.year) * 12 + end.month - start.month + 1
    return [add_months(start, i) for i in range(max(count, 0))]


def month_label(month: dt.date) -> str:
    """The report's short label: Apr-21."""
    return f"{MONTH_ABBR[month.month - 1]}-{month.year % 100:02d}"


def month_name(month: dt.date) -> str:
    """The label used in sentences: June 2022."""
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def month_slug(month: dt.date) -> str:
    """The label used in URLs and files: 2022-06."""
    return f"{month.year:04d}-{month.month:02d}"


_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212/ "
_WORD_YEAR = re.compile(rf"^([A-Za-z]+)\.?[{_DASHES}]*'?(\d{{2}}|\d{{4}})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_NUMERIC = re.compile(r"^(\d{1,2})/(\d{4})$")


def parse_month(text: str) -> dt.date:
    """Read a month as people write it in reports and spreadsheets.

    Accepts "Apr-21", "Apr - 22", "May – 22" (any dash), "June - 22", "Jun 2022",
    "June 2022", "2022-06", "2022-06-01" and "06/2022". Two-digit years are 20xx.
    Raises ValueError naming the text when it is not a month.
    """
    cleaned = " ".join(text.split())
    if match := _WORD_YEAR.match(cleaned):
        word, year_text = match.groups()
        month_number = _MONTH_WORDS.get(word.lower())
        if month_number is not None:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            return dt.date(in_calendar(year, text), month_number, 1)
    elif match := _ISO.match(cleaned):
        year, month_number = int(match[1]), int(match[2])
        if 1 <= month_number <= 12:
            return dt.date(in_calendar(year, text), month_number, 1)
    elif match := _NUMERIC.match(cleaned):
        month_number, year = int(match[1]), int(match[2])
        if 1 <= month_number <= 12:
            return dt.date(in_calendar(year, text), month_number, 1)
    raise ValueError(f"{text!r} is not a month (expected a label such as Apr-22)")


@dataclass(frozen=True, order=True)
class FinancialYear:
    """April to March; `start` is the calendar year in which it begins (2022 for 2022/23)."""

    start: int

    def __post_init__(self) -> None:
        # Its last month is in the next calendar year, which the calendar must hold too.
        if not FIRST_YEAR <= self.start < LAST_YEAR:
            raise ValueError(
                f"The financial year starting in {self.start} is outside the calendar: "
                "years run from 1900 to 2999"
            )

    @classmethod
    def of(cls, day: dt.date) -> Self:
        return cls(day.year if day.month >= FIRST_MONTH else day.year - 1)

    @classmethod
    def parse(cls, text: str) -> Self:
        """Read "2022/23", "2022-23" or "2022/2023"; ValueError when the years do not follow."""
        match = re.match(r"^\s*(\d{4})\s*[/\-\u2013]\s*(\d{2}|\d{4})\s*$", text)
        if not match:
            raise ValueError(f"{text!r} is not a financial year (expected e.g. 2022/23)")
        start, end = int(match[1]), int(match[2])
        if (end if end >= 100 else (start + 1) // 100 * 100 + end) != start + 1:
            raise ValueError(f"{text!r} is not a financial year: the years must follow")
        return cls(start)

    @property
    def label(self) -> str:
        return f"{self.start}/{(self.start + 1) % 100:02d}"

    @property
    def slug(self) -> str:
        return f"{self.start}-{(self.start + 1) % 100:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.start, FIRST_MONTH, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.start + 1, FIRST_MONTH, 1) - dt.timedelta(days=1)

    @property
    def previous(self) -> "FinancialYear":
        return FinancialYear(self.start - 1)

    @property
    def next(self) -> "FinancialYear":
        return FinancialYear(self.start + 1)

    def months(self) -> list[dt.date]:
        return [add_months(self.first_day, i) for i in range(12)]

    def quarters(self) -> list["Quarter"]:
        return [Quarter(self, number) for number in range(1, 5)]

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.first_day <= day <= self.last_day

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class Quarter:
    """Q1 = Apr–Jun, Q2 = Jul–Sep, Q3 = Oct–Dec, Q4 = Jan–Mar of a financial year."""

    year: FinancialYear
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"A quarter is numbered 1 to 4, not {self.number}")

    @classmethod
    def of(cls, day: dt.date) -> Self:
        year = FinancialYear.of(day)
        return cls(year, (day.month - FIRST_MONTH) % 12 // 3 + 1)

    @classmethod
    def parse(cls, year_text: str, quarter_text: str) -> Self:
        """Read ("2022-23", "Q1") or ("2022/23", "q1") or ("2022-23", "1")."""
        match = re.match(r"^\s*[Qq]?([1-4])\s*$", quarter_text)
        if not match:
            raise ValueError(f"{quarter_text!r} is not a quarter (expected Q1 to Q4)")
        return cls(FinancialYear.parse(year_text), int(match[1]))

    @property
    def label(self) -> str:
        return f"Q{self.number}"

    @property
    def slug(self) -> str:
        return f"q{self.number}"

    @property
    def title(self) -> str:
        """Quarter 1 2022/23"""
        return f"Quarter {self.number} {self.year.label}"

    @property
    def first_month(self) -> dt.date:
        return add_months(self.year.first_day, (self.number - 1) * 3)

    @property
    def last_month(self) -> dt.date:
        return add_months(self.first_month, 2)

    @property
    def last_day(self) -> dt.date:
        return add_months(self.last_month, 1) - dt.timedelta(days=1)

    @property
    def previous(self) -> "Quarter":
        if self.number == 1:
            return Quarter(self.year.previous, 4)
        return Quarter(self.year, self.number - 1)

    @property
    def next(self) -> "Quarter":
        if self.number == 4:
            return Quarter(self.year.next, 1)
        return Quarter(self.year, self.number + 1)

    def months(self) -> list[dt.date]:
        return months_between(self.first_month, self.last_month)

    def report_months(self) -> list[dt.date]:
        """The months a quarter's KPI table shows: the previous full financial year,
        then the current year up to the quarter's end (Q1 2022/23: Apr-21 … Jun-22)."""
        return months_between(self.year.previous.first_day, self.last_month)

    def __str__(self) -> str:
        return f"{self.label} {self.year.label}"


def quarter_end_month(month: dt.date) -> dt.date:
    """The last month of the quarter that contains `month` (where a quarterly figure is kept)."""
    return Quarter.of(month).last_month


def is_quarter_end(month: dt.date) -> bool:
    return month_start(month) == quarter_end_month(month)


def latest_complete_month(today: dt.date) -> dt.date:
    """The most recent month that has ended on `today`: figures exist up to this month."""
    return add_months(month_start(today), -1)


# ---------------------------------------------------------------------------------------
# Frequencies: the months in which a KPI takes a figure, and what its periods are called.
# A figure is recorded at its period's last month: a quarter at Jun, Sep, Dec or Mar; a
# financial year at March; a school term at its last month; an academic year at August.

MONTHLY = "monthly"
QUARTERLY = "quarterly"
ANNUAL = "annual"
TERMLY = "termly"
ACADEMIC_YEAR = "academic-year"
# The three school terms by the month their figures are recorded at: autumn (Sep–Dec),
# spring (Jan–Mar/Apr, Easter moves; recorded at March) and summer (Apr/May–Jul).
TERMS = {12: "Autumn", 3: "Spring", 7: "Summer"}
ACADEMIC_YEAR_END = 8  # the academic year runs September to August (DfE)


def is_due(frequency: str, month: dt.date) -> bool:
    """Whether a KPI of this frequency takes a figure in `month`."""
    if frequency == QUARTERLY:
        return is_quarter_end(month)
    if frequency == ANNUAL:
        return month.month == 3
    if frequency == TERMLY:
        return month.month in TERMS
    if frequency == ACADEMIC_YEAR:
        return month.month == ACADEMIC_YEAR_END
    return True


def due_months(frequency: str, first: dt.date, last: dt.date) -> list[dt.date]:
    """The months from `first` to `last` in which a KPI of this frequency takes a figure."""
    return [month for month in months_between(first, last) if is_due(frequency, month)]


def previous_due(frequency: str, month: dt.date) -> dt.date:
    """The month of the period before the one recorded at `month`."""
    earlier = add_months(month_start(month), -1)
    while not is_due(frequency, earlier):
        earlier = add_months(earlier, -1)
    return earlier


def last_due(frequency: str, month: dt.date) -> dt.date:
    """The latest month at or before `month` in which a KPI of this frequency is due."""
    found = month_start(month)
    while not is_due(frequency, found):
        found = add_months(found, -1)
    return found


def months_apart(earlier: dt.date, later: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def period_label(frequency: str, month: dt.date) -> str:
    """A period as tables head it: Jun-22, Q1 2022/23, 2021/22, Autumn 2022, 2022/23 (school)."""
    if frequency == QUARTERLY:
        return str(Quarter.of(month))
    if frequency == ANNUAL:
        return FinancialYear.of(month).label
    if frequency == TERMLY and month.month in TERMS:
        return f"{TERMS[month.month]} {month.year}"
    if frequency == ACADEMIC_YEAR:
        return f"{month.year - 1}/{month.year % 100:02d} (school year)"
    return month_label(month)


def period_name(frequency: str, month: dt.date) -> str:
    """A period as sentences name it: June 2022 (a month, or a quarter by its last month, as
    reports say "848 in June 2022"), the year 2021/22, the autumn term 2022."""
    if frequency in (MONTHLY, QUARTERLY):
        return month_name(month)
    if frequency == ANNUAL:
        return f"the year {FinancialYear.of(month).label}"
    if frequency == TERMLY and month.month in TERMS:
        return f"the {TERMS[month.month].lower()} term {month.year}"
    if frequency == ACADEMIC_YEAR:
        return f"the school year {month.year - 1}/{month.year % 100:02d}"
    return period_label(frequency, month)


PREVIOUS_PERIOD = {
    MONTHLY: "the month before",
    QUARTERLY: "the previous quarter",
    ANNUAL: "the year before",
    TERMLY: "the previous term",
    ACADEMIC_YEAR: "the school year before",
}
SAME_PERIOD_LAST_YEAR = {
    MONTHLY: "the same month last year",
    QUARTERLY: "the same quarter last year",
    ANNUAL: "the year before",
    TERMLY: "the same term last year",
    ACADEMIC_YEAR: "the school year before",
}


def financial_year_start(month: dt.date) -> dt.date:
    """April of the financial year that holds `month`: where a year-to-date measure resets."""
    return FinancialYear.of(month).first_day


# Periods as spreadsheets name them ---------------------------------------------------------
# Councils paste tables whose columns or rows are months ("Jun-22"), quarters ("Q1 2022/23",
# "2022/23 Q1", "Quarter 1 2022-23", "Apr–Jun 2022", "Apr-Jun 22") or dates ("30/06/2022",
# "end June 2022", "as at 30 June 2022"). A figure for a quarter is recorded at the quarter's
# last month (where a quarterly KPI keeps it); a figure for a date, at the date's month.

ACCEPTED_PERIODS = "a month (Jun-22), a quarter (Q1 2022/23 or Apr–Jun 2022) or a date (30/06/2022)"
QUARTER_RANGES = "Apr–Jun, Jul–Sep, Oct–Dec or Jan–Mar"

_YEAR = r"(\d{2}|\d{4})"
_FY = r"(\d{2}|\d{4})\s*[/\-\u2013\u2014]\s*(\d{2}|\d{4})"  # 2022/23, 2022-23, 22/23, 2022/2023
_QUARTER_FIRST = re.compile(rf"^(?:q|qtr|quarter)\s*(\d+)\s*(?:of\s+)?(?:fy\s*)?{_FY}$")
_YEAR_FIRST = re.compile(rf"^(?:fy\s*)?{_FY}\s*(?:q|qtr|quarter)\s*(\d+)$")
_QUARTER_CALENDAR = re.compile(
    rf"^(?:q|qtr|quarter)\s*(\d+)\s*{_YEAR}$|^{_YEAR}\s*(?:q|qtr|quarter)\s*(\d+)$"
)
_RANGE_DASH = r"\s*(?:[\-\u2010\u2011\u2012\u2013\u2014\u2212]|to)\s*"
_MONTH_RANGE = re.compile(
    rf"^([a-z]+)\.?(?:[\s\-\u2013']*{_YEAR})?{_RANGE_DASH}([a-z]+)\.?[\s\-\u2013']*'?{_YEAR}$"
)
_DAY_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_DAY_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([a-z]+)\.?[\s\-,]+(\d{2}|\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_AS_AT = re.compile(
    r"^(?:as\s+at|as\s+of|at|to|(?:month|period|quarter)\s+end(?:ing|ed)?|end(?:ing)?(?:\s+of)?)"
    r"\s+(.+)$"
)


@dataclass(frozen=True)
class Period:
    """A period as a spreadsheet names it: a month, or a quarter (kept at its last month)."""

    month: dt.date  # the month a figure for the period is recorded at
    quarter: Quarter | None = None

    @property
    def label(self) -> str:
        """Jun-22, or Q1 2022/23"""
        return str(self.quarter) if self.quarter is not None else month_label(self.month)


def _full_year(text: str) -> int:
    """A year as written: two digits are 20xx; four are the year itself (0001 is year 1)."""
    return in_calendar(int(text) + (2000 if len(text.strip()) <= 2 else 0), text)


def _financial_year(start_text: str, end_text: str, shown: str) -> FinancialYear:
    start, end = _full_year(start_text), int(end_text)
    if (end if end >= 100 else (start + 1) // 100 * 100 + end) != start + 1:
        raise ValueError(f'"{shown}" is not a financial year: the years must follow (e.g. 2022/23)')
    return FinancialYear(start)


def _quarter_number(text: str, shown: str) -> int:
    number = int(text)
    if not 1 <= number <= 4:
        raise ValueError(
            f'"{shown}" has no quarter {number}: quarters run from Q1 (Apr–Jun) to Q4 (Jan–Mar)'
        )
    return number


def parse_quarter(text: str) -> Quarter:
    """Read a financial-year quarter as councils write it: "Q1 2022/23", "2022/23 Q1",
    "Quarter 1 2022-23", "Q1 22/23", "Apr–Jun 2022", "Apr-Jun 22", "April to June 2022",
    "Jan–Mar 2023" (Q4 2022/23). Raises ValueError saying what would be accepted."""
    cleaned = " ".join(text.split()).lower()
    if match := _QUARTER_FIRST.match(cleaned):
        number = _quarter_number(match[1], text)
        return Quarter(_financial_year(match[2], match[3], text), number)
    if match := _YEAR_FIRST.match(cleaned):
        number = _quarter_number(match[3], text)
        return Quarter(_financial_year(match[1], match[2], text), number)
    if _QUARTER_CALENDAR.match(cleaned):
        raise ValueError(
            f'"{text}" does not say which financial year: write Q1 2022/23 (April to June '
            "2022) or the months, Apr–Jun 2022"
        )
    if match := _MONTH_RANGE.match(cleaned):
        first, last = _MONTH_WORDS.get(match[1]), _MONTH_WORDS.get(match[3])
        if first is not None and last is not None:
            year = _full_year(match[4])
            if match[2] is not None and _full_year(match[2]) != year:
                raise ValueError(
                    f'"{text}" is not a quarter: the months of a quarter ({QUARTER_RANGES}) are '
                    "in one calendar year"
                )
            start = dt.date(year, first, 1)
            quarter = Quarter.of(start)
            if start != quarter.first_month or add_months(start, 2) != dt.date(year, last, 1):
                raise ValueError(f'"{text}" is not a quarter: quarters run {QUARTER_RANGES}')
            return quarter
    raise ValueError(
        f'"{text}" is not a quarter (expected e.g. Q1 2022/23, 2022/23 Q1, Quarter 1 2022-23 '
        "or Apr–Jun 2022)"
    )


def parse_day(text: str) -> dt.date:
    """Read a date as UK spreadsheets write it: "30/06/2022" (day first), "30/06/22",
    "30 June 2022", "30th Jun 2022", "2022-06-30". Raises ValueError in words."""
    cleaned = " ".join(text.split()).lower()
    if match := _DAY_NUMERIC.match(cleaned):
        day, month, year = int(match[1]), int(match[2]), _full_year(match[3])
    elif match := _DAY_WORDS.match(cleaned):
        found = _MONTH_WORDS.get(match[2])
        if found is None:
            raise ValueError(f'"{text}" is not a date (expected e.g. 30/06/2022)')
        day, month, year = int(match[1]), found, _full_year(match[3])
    elif match := _ISO_DAY.match(cleaned):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        raise ValueError(f'"{text}" is not a date (expected e.g. 30/06/2022)')
    if not 1 <= month <= 12:
        raise ValueError(
            f'"{text}" is not a date: write the day first, then the month (30/06/2022)'
        )
    in_calendar(year, text)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(
            f'"{text}" is not a date: {MONTH_NAMES[month - 1]} {year} has no day {day}'
        ) from None


def _names_a_quarter(text: str) -> bool:
    """Whether a text means a quarter (so that its error is the quarter's): Q1, Quarter 1,
    or two month names (Apr–Jun)."""
    lowered = text.lower()
    words = [word for word in re.findall(r"[a-z]+", lowered) if word in _MONTH_WORDS]
    return bool(re.search(r"\bq(?:tr|uarter)?\s*\d", lowered)) or len(words) >= 2


def parse_period(text: str) -> Period:
    """Read a month, a quarter or a date as a spreadsheet names it (see above): months as
    parse_month reads them; quarters as parse_quarter; dates as parse_day, also "end June
    2022", "end of June 2022" and "as at 30 June 2022". Raises ValueError saying what would
    be accepted."""
    cleaned = " ".join(text.split())
    if match := _AS_AT.match(cleaned.lower()):
        inner = cleaned[len(cleaned) - len(match[1]) :]
        try:
            return Period(month_start(parse_day(inner)))
        except ValueError:
            pass
        try:
            return Period(parse_month(inner))
        except ValueError:
            raise ValueError(
                f'"{text}" is not a month or date (expected e.g. end June 2022 or as at '
                "30 June 2022)"
            ) from None
    try:
        return Period(parse_month(cleaned))
    except ValueError:
        pass
    try:
        quarter = parse_quarter(cleaned)
        return Period(quarter.last_month, quarter)
    except ValueError as error:
        quarter_error = error if _names_a_quarter(cleaned) else None
    try:
        return Period(month_start(parse_day(cleaned)))
    except ValueError as error:
        if "is not a date:" in str(error):
            raise
    if quarter_error is not None:
        raise quarter_error
    raise ValueError(f'"{text}" is not a period: expected {ACCEPTED_PERIODS}')
