"""Where the organisation's authority stands among England's: its published value, its
statistical neighbours' mean and median, its region and England, its rank among every
authority with a figure, its quartile band, and a sentence that says it. Pure code: plain
values in, frozen dataclasses out.

Rank and quartile band are LAIT's, as DfE rebuilt the Local Authority Interactive Tool in
2024–25 (github.com/dfe-analytical-services/local-authority-interactive-tool,
R/fn_analysis.R, `calculate_rank()` and `calculate_quartile_band()`, with the bands from
R's default `quantile()` of every authority's value for the period):

- Rank 1 is the best by the KPI's polarity (the highest value when higher is better, the
  lowest when lower is); authorities with the same value share the best rank they span
  (R's ties.method "min": joint 3rd is followed by 5th). Only authorities with a number
  are ranked: "of M with a figure" counts them; a symbol (c, x, z…) or no row is left out.
- The quartiles Q1, Q2 (the median) and Q3 are R's type 7 (linear interpolation between
  the sorted values; Python's statistics.quantiles(method="inclusive")). Lower is better:
  up to Q1 is band A, up to Q2 B, up to Q3 C, above Q3 D. Higher is better: up to Q1 is D,
  up to Q2 C, up to Q3 B, above Q3 A. A is the best quarter, D the worst.
- LAIT shows neither rank nor band for an indicator without a polarity. The portal shows
  both for a context measure, in plain order and without judgement: rank 1 is the highest
  value and band A the highest quarter (the order of "higher is better"), and the words say
  "highest" and "lowest", never "better" or "worse".

Aggregates say what they are: a group's mean and median are computed here from the values
of its members that have a number, and say how many that is and who was left out (a
symbol, with its meaning) or missing (no figure in the file that year). Region and England
are the file's own published rows.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sct_portal import periods

from . import symbols, units
from .polarity import Polarity
from .units import Unit

BANDS = "ABCD"
BAND_WORDS = {  # the band's quarter, by polarity (see the module's docstring)
    "judged": {
        "A": "the best quarter",
        "B": "the second-best quarter",
        "C": "the second-worst quarter",
        "D": "the worst quarter",
    },
    "context": {
        "A": "the highest quarter",
        "B": "the second-highest quarter",
        "C": "the second-lowest quarter",
        "D": "the lowest quarter",
    },
}
MEAN_PLACES_EXTRA = 1  # a computed mean is shown to one place more than the values it averages


# ---------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class Figure:
    """One authority's (or area's) published value for a period: a number or a symbol."""

    code: str
    name: str
    value: Decimal | None
    symbol: str = ""

    @property
    def meaning(self) -> str:
        return symbols.meaning(self.symbol) if self.symbol else ""


@dataclass(frozen=True)
class Member:
    """An authority in a group, with its figure for the period (None: no figure in the file),
    and why it has none."""

    code: str
    name: str
    figure: Figure | None
    closeness: str = ""  # DfE's closeness band for a statistical neighbour
    note: str = ""  # why there is no figure, when it is known

    @property
    def value(self) -> Decimal | None:
        return self.figure.value if self.figure else None


@dataclass(frozen=True)
class Summary:
    """A group of authorities and what the portal computes from their values."""

    name: str  # "statistical neighbours (DfE 2021 groupings)"
    members: tuple[Member, ...]
    mean: Decimal | None
    median: Decimal | None
    counted: tuple[Member, ...]
    suppressed: tuple[Member, ...]  # a symbol instead of a number
    missing: tuple[Member, ...]  # no figure in the file for the period

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def left_out(self) -> tuple[Member, ...]:
        return self.suppressed + self.missing

    def describe(self) -> str:
        """ "computed by the portal from 9 of the 10 authorities; left out: Cumbria (x: not
        available)"."""
        noun = "authority" if self.size == 1 else "authorities"
        if not self.left_out:
            every = "the" if self.size == 1 else "all"
            return f"computed by the portal from {every} {self.size} {noun}"
        left = "; ".join(_left_out(member) for member in self.left_out)
        return (
            f"computed by the portal from {len(self.counted)} of the {self.size} {noun} with a "
            f"figure; left out: {left}"
        )


def left_out_words(member: Member) -> str:
    """ "Wolverhampton (c: suppressed to protect confidentiality)"."""
    return _left_out(member)


def _left_out(member: Member) -> str:
    if member.figure and member.figure.symbol:
        return f"{member.name} ({member.figure.symbol}: {member.figure.meaning})"
    return f"{member.name} ({member.note or 'no figure in the file'})"


def summarise(name: str, members: Sequence[Member]) -> Summary:
    counted = tuple(m for m in members if m.value is not None)
    suppressed = tuple(m for m in members if m.figure is not None and m.value is None)
    missing = tuple(m for m in members if m.figure is None)
    numbers = [m.value for m in counted if m.value is not None]
    return Summary(
        name=name,
        members=tuple(members),
        mean=mean(numbers),
        median=quartiles(numbers)[1] if numbers else None,
        counted=counted,
        suppressed=suppressed,
        missing=missing,
    )


def mean(values: Sequence[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def quartiles(values: Sequence[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """Q1, median, Q3 as R's quantile() type 7: the value at (n - 1) × p in the sorted
    values, interpolated linearly. Raises ValueError for no values."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return (
        _quantile(ordered, Decimal("0.25")),
        _quantile(ordered, Decimal("0.5")),
        _quantile(ordered, Decimal("0.75")),
    )


def _quantile(ordered: Sequence[Decimal], p: Decimal) -> Decimal:
    h = (len(ordered) - 1) * p
    low = int(h)
    if low + 1 >= len(ordered):
        return ordered[low]
    return ordered[low] + (h - low) * (ordered[low + 1] - ordered[low])


@dataclass(frozen=True)
class Area:
    """A region or England: its figure as the file publishes it, or, when the file publishes
    none, the mean of its authorities' values, computed (and said to be)."""

    name: str
    figure: Figure | None
    computed: Summary | None = None

    @property
    def value(self) -> Decimal | None:
        if self.figure is not None:
            return self.figure.value
        return self.computed.mean if self.computed is not None else None


# ---------------------------------------------------------------------------------------
# Rank and quartile band


@dataclass(frozen=True)
class Standing:
    rank: int  # 1 = best by polarity (a context measure: the highest)
    of: int  # authorities with a figure
    joint: bool  # the rank is shared
    band: str  # A (best, or highest) … D
    quartiles: tuple[Decimal, Decimal, Decimal]
    polarity: str

    @property
    def counts_from(self) -> str:
        """The end rank 1 is at: "highest" or "lowest"."""
        return "lowest" if self.polarity == Polarity.LOWER else "highest"

    @property
    def band_words(self) -> str:
        kind = "context" if self.polarity == Polarity.NEITHER else "judged"
        return BAND_WORDS[kind][self.band]

    @property
    def rank_words(self) -> str:
        """ "joint 12th lowest of 150 authorities with a figure, where lowest is best"."""
        joint = "joint " if self.joint else ""
        place = f"{ordinal(self.rank)} " if self.rank > 1 else ("" if self.joint else "the ")
        text = f"{joint}{place}{self.counts_from} of {self.of} authorities"
        text += " with a figure"
        if self.polarity != Polarity.NEITHER:
            text += f", where {self.counts_from} is best"
        return text


def standing(value: Decimal, values: Sequence[Decimal], polarity: str) -> Standing:
    """The rank and band of `value` among `values` (which include it)."""
    if polarity == Polarity.LOWER:
        ahead = sum(1 for other in values if other < value)
    else:
        ahead = sum(1 for other in values if other > value)
    level = sum(1 for other in values if other == value)
    bounds = quartiles(values)
    return Standing(
        rank=ahead + 1,
        of=len(values),
        joint=level > 1,
        band=band(value, bounds, polarity),
        quartiles=bounds,
        polarity=polarity,
    )


def band(value: Decimal, bounds: tuple[Decimal, Decimal, Decimal], polarity: str) -> str:
    """LAIT's quartile band of a value, given Q1, the median and Q3: up to Q1 is the lowest
    quarter, above Q3 the highest. Lower is better: the lowest quarter is A; otherwise
    (higher is better, or a context measure) the highest quarter is A."""
    q1, q2, q3 = bounds
    if value <= q1:
        quarter = 0
    elif value <= q2:
        quarter = 1
    elif value <= q3:
        quarter = 2
    else:
        quarter = 3
    return BANDS[quarter] if polarity == Polarity.LOWER else BANDS[3 - quarter]


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 101st, 111th."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


# ---------------------------------------------------------------------------------------
# The position


@dataclass(frozen=True)
class Measure:
    """What is compared, as plain values: the KPI, and how its periods are named."""

    kpi_ref: str
    name: str  # the KPI's name in sentences
    unit: str
    decimals: int
    polarity: str
    period_phrase: str  # "at 31 March"

    def published(self, value: Decimal | None) -> str:
        """A published value as the file gives it: 99, 14.2%, 15.2, 840."""
        if value is None:
            return "no figure"
        return units.format_value(value, self.unit, units.places(value))

    def computed(self, value: Decimal | None, like: Iterable[Decimal] = ()) -> str:
        """A value the portal computed (a mean, a median between two values), to one place
        more than the values it comes from, or the KPI's own decimals."""
        if value is None:
            return "no figure"
        shown = [units.places(v) for v in like]
        decimals = max(shown) + MEAN_PLACES_EXTRA if shown else self.decimals
        rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        return units.format_value(rounded, self.unit, units.places(rounded))

    def with_unit(self, shown: str) -> str:
        """ "99" → "99 per 10,000" for a rate; other units carry their own sign."""
        return f"{shown} per 10,000" if self.unit == Unit.RATE else shown


@dataclass(frozen=True)
class Source:
    """Where the values come from: the publisher, the publication, the file and release."""

    publisher: str
    publication: str
    url: str
    file_name: str
    release: str  # how the release is cited ("… 2025"), or the file's import date
    definition_note: str


@dataclass(frozen=True)
class Position:
    measure: Measure
    month: dt.date  # the KPI month the period's figures are compared with
    time_period: str  # as the file writes it: "2022", "202223"
    authority: str  # the organisation's authority, as the file names it
    own: Figure | None  # None: the file has no row for the authority that period
    neighbours: Summary | None  # DfE's statistical neighbours in force for the period
    neighbour_model: str  # "DfE 2021 groupings"
    groups: tuple[Summary, ...]  # groups the organisation defines
    region: Area | None
    england: Area | None
    standing: Standing | None  # None when the authority has no number
    source: Source
    all_with_figure: int = 0  # authorities with a number that period
    all_left_out: tuple[Figure, ...] = field(default=())  # authorities with a symbol

    @property
    def when(self) -> str:
        """ "at 31 March 2022"."""
        return f"{self.measure.period_phrase} {self.month.year}".strip()

    @property
    def period_label(self) -> str:
        """ "2022 (Mar-22)": the file's period and the KPI month it is compared with."""
        return f"{self.time_period} ({periods.month_label(self.month)})"

    @property
    def own_value(self) -> Decimal | None:
        return self.own.value if self.own else None

    @property
    def band(self) -> str:
        return self.standing.band if self.standing else ""

    @property
    def symbols_shown(self) -> set[str]:
        """The symbols this position shows (for the page's key)."""
        figures: list[Figure | None] = [self.own]
        for group in (self.neighbours, *self.groups):
            if group is not None:
                figures += [member.figure for member in group.members]
        for area in (self.region, self.england):
            if area is not None:
                figures.append(area.figure)
        return {figure.symbol for figure in figures if figure is not None and figure.symbol}

    @property
    def sentence(self) -> str:
        return sentence(self)


def area_phrase(position: Position, area: Area | None) -> str:
    """ "England (70)", or "the mean of England's authorities (70.2; England's own figure
    is not in the file)"."""
    if area is None:
        return ""
    measure = position.measure
    if area.figure is not None:
        return f"{area.name} ({area.figure.symbol or measure.published(area.figure.value)})"
    group = area.computed
    if group is None or group.mean is None:
        return ""
    like = [m.value for m in group.counted if m.value is not None]
    return (
        f"the mean of {area.name}'s authorities ({measure.computed(group.mean, like)}; "
        f"{area.name}'s own figure is not in the file)"
    )


def _relation(value: Decimal, other: Decimal) -> str:
    if value > other:
        return "above"
    if value < other:
        return "below"
    return "level with"


def _judgement(value: Decimal, other: Decimal, polarity: str) -> str:
    if value == other:
        return "level"
    better = (value > other) == (polarity == Polarity.HIGHER)
    return "better" if better else "worse"


def sentence(position: Position) -> str:
    """ "99 per 10,000 at 31 March 2022: below the median of its 10 statistical neighbours
    (103; mean 104.3) and above England (70); 45th highest of 152 authorities with a figure,
    quartile B (the second-highest quarter)." """
    measure = position.measure
    own = position.own
    if own is None:
        return (
            f"There is no published figure for {position.authority} {position.when}"
            f"{_context_clause(position)}."
        )
    if own.value is None:
        return (
            f"{own.symbol} {position.when} ({own.meaning}): {position.authority} is not "
            f"compared or ranked{_context_clause(position)}."
        )
    value = own.value
    comparisons: list[tuple[str, Decimal, str]] = []  # (phrase, value compared with, name)
    group = position.neighbours
    if group is not None and group.median is not None:
        like = [m.value for m in group.counted if m.value is not None]
        of = f"{len(group.counted)} of its {group.size}" if group.left_out else f"its {group.size}"
        median, average = measure.computed(group.median, like), measure.computed(group.mean, like)
        comparisons.append(
            (
                f"{_relation(value, group.median)} the median of {of} statistical neighbours "
                f"({median}; mean {average})",
                group.median,
                "its neighbours' median",
            )
        )
    england = position.england
    if england is not None and england.value is not None:
        comparisons.append(
            (
                f"{_relation(value, england.value)} {area_phrase(position, england)}",
                england.value,
                "England",
            )
        )
    text = f"{measure.with_unit(measure.published(value))} {position.when}"
    if comparisons:
        text += ": " + " and ".join(phrase for phrase, _, _ in comparisons)
        if measure.polarity != Polarity.NEITHER:
            text += _verdict(value, comparisons, measure.polarity)
    if position.standing is not None:
        text += (
            f"; {position.standing.rank_words}, quartile {position.standing.band} "
            f"({position.standing.band_words})"
        )
    return text + "."


def _verdict(value: Decimal, comparisons: list[tuple[str, Decimal, str]], polarity: str) -> str:
    """ ", better than both" / ", better than its neighbours' median and worse than England"."""
    named = [(name, _judgement(value, other, polarity)) for _, other, name in comparisons]
    if len(named) == 2 and named[0][1] == named[1][1]:
        verdict = named[0][1]
        return ", level with both" if verdict == "level" else f", {verdict} than both"
    return ", " + " and ".join(
        f"level with {name}" if verdict == "level" else f"{verdict} than {name}"
        for name, verdict in named
    )


def _context_clause(position: Position) -> str:
    """ "; its statistical neighbours' median is 103 and England's 70"."""
    parts: list[str] = []
    group = position.neighbours
    if group is not None and group.median is not None:
        like = [m.value for m in group.counted if m.value is not None]
        parts.append(
            f"its statistical neighbours' median is {position.measure.computed(group.median, like)}"
        )
    england = position.england
    if england is not None and england.figure is not None and england.value is not None:
        parts.append(f"England's {position.measure.published(england.value)}")
    elif england is not None and england.value is not None:
        parts.append(area_phrase(position, england))
    return "; " + " and ".join(parts) if parts else ""


def position(
    *,
    measure: Measure,
    month: dt.date,
    time_period: str,
    authority: str,
    own: Figure | None,
    all_figures: Sequence[Figure],
    neighbours: Summary | None,
    neighbour_model: str,
    groups: Sequence[Summary],
    region: Area | None,
    england: Area | None,
    source: Source,
) -> Position:
    """The position of `own` among `all_figures` (every authority's figure for the period,
    its own included)."""
    numbers = [figure.value for figure in all_figures if figure.value is not None]
    found = None
    if own is not None and own.value is not None and numbers:
        found = standing(own.value, numbers, measure.polarity)
    return Position(
        measure=measure,
        month=month,
        time_period=time_period,
        authority=authority,
        own=own,
        neighbours=neighbours,
        neighbour_model=neighbour_model,
        groups=tuple(groups),
        region=region,
        england=england,
        standing=found,
        source=source,
        all_with_figure=len(numbers),
        all_left_out=tuple(figure for figure in all_figures if figure.value is None),
    )


def model_in_force(starts: Sequence[dt.date], month: dt.date) -> int | None:
    """Which statistical-neighbour model a period's month is compared with, as an index into
    `starts` (each model's first month in force): the latest model in force by the month;
    a month before every model takes the earliest (DfE publishes no neighbours for earlier
    years, and a trust's history is better compared with some neighbours than with none)."""
    if not starts:
        return None
    ordered = sorted(range(len(starts)), key=lambda i: starts[i])
    chosen = ordered[0]
    for index in ordered:
        if starts[index] <= month:
            chosen = index
    return chosen
