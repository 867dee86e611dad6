import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import NotSupportedError, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from sct_portal import periods
from sct_portal.models import refuse_control_characters

from . import ees, rag, spc, units
from .ees import GeographicLevel
from .polarity import Polarity
from .rag import Amber, Basis, Comparison, Rule
from .units import Unit

MONEY_DIGITS = {"max_digits": 16, "decimal_places": 4}

# A KPI's reference is part of its page's address (/kpis/6a/) and of every file that names
# it: letters and digits, with dots, hyphens and underscores after the first (1, 6a, CH01,
# 2.1, EH-3). A slash, a space or a control character would make its page unreachable.
REFERENCE = r"[A-Za-z0-9][A-Za-z0-9._-]*"
validate_reference = RegexValidator(
    rf"^{REFERENCE}\Z",
    message=(
        "A reference is letters and digits, with . - or _ after the first (1, 6a, CH01, "
        "2.1): no spaces, slashes or other characters."
    ),
    code="reference_characters",
)


class Frequency(models.TextChoices):
    MONTHLY = periods.MONTHLY, "Monthly"
    QUARTERLY = periods.QUARTERLY, "Quarterly (recorded at the quarter's last month)"
    ANNUAL = periods.ANNUAL, "Annual (recorded at March, the financial year's last month)"
    TERMLY = periods.TERMLY, "Termly (recorded at December, March and July)"
    ACADEMIC_YEAR = periods.ACADEMIC_YEAR, "School year (recorded at August)"


class TargetSource(models.TextChoices):
    CONTRACT = "contract", "Contract"
    LOCAL_PLAN = "local-plan", "Local plan"
    ILLUSTRATIVE = "illustrative", "Illustrative"


class Section(models.Model):
    name = models.CharField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class KpiQuerySet(models.QuerySet["Kpi"]):
    def active(self) -> "KpiQuerySet":
        return self.filter(is_active=True)

    def due_in(self, month: dt.date) -> "KpiQuerySet":
        """KPIs that take a figure in `month`: monthly ones always, quarterly at a
        quarter's last month, annual at March, termly at a term's last month…"""
        due = [f for f in Frequency.values if periods.is_due(f, month)]
        return self.filter(frequency__in=due)


class Kpi(models.Model):
    ref = models.CharField(
        "reference",
        max_length=20,
        unique=True,
        validators=[validate_reference],
        help_text="As the report prints it: 1, 6a, 13, A2, CH01 (letters, digits, . - _).",
    )
    description = models.CharField(max_length=300, validators=[refuse_control_characters])
    short_name = models.CharField(
        "name in sentences",
        max_length=150,
        blank=True,
        validators=[refuse_control_characters],
        help_text="How the KPI reads inside a sentence, e.g. “rate of children on a child "
        "protection plan”. Blank: its description.",
    )
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="kpis")
    unit = models.CharField(max_length=15, choices=Unit.choices)
    decimals = models.PositiveSmallIntegerField(
        default=1, help_text="Decimal places the KPI is kept to and shown with."
    )
    polarity = models.CharField(max_length=10, choices=Polarity.choices)
    frequency = models.CharField(max_length=15, choices=Frequency.choices, default="monthly")
    cumulative = models.BooleanField(
        "year to date",
        default=False,
        help_text="A year-to-date or cumulative measure: it builds up from each April, so it "
        "is compared with the same point last year, and not given to SPC as independent points.",
    )
    order = models.PositiveSmallIntegerField("display order", default=0)
    definition = models.TextField(blank=True, validators=[refuse_control_characters])
    is_headline = models.BooleanField("headline measure", default=False)
    in_kpi_table = models.BooleanField(
        "in the quarterly KPI table",
        default=True,
        help_text="Shown as a row of the report's KPI table.",
    )
    uses_fraction = models.BooleanField(
        "records numerator and denominator",
        default=False,
        help_text='For small bases: "34 of 45 conferences".',
    )
    is_active = models.BooleanField(default=True)
    chart = models.CharField(
        "SPC chart",
        max_length=4,
        choices=spc.Chart.choices,
        default=spc.Chart.XMR,
        help_text="A p-chart's limits vary with each month's denominator; it needs a "
        "percentage that records numerator and denominator.",
    )
    baseline_length = models.PositiveSmallIntegerField(
        "SPC baseline length",
        null=True,
        blank=True,
        validators=[MinValueValidator(spc.SHORTEST_BASELINE)],
        help_text=f"The figures each SPC baseline holds, at least {spc.SHORTEST_BASELINE}. "
        f"Blank: {spc.BASELINE}, as Making Data Count.",
    )

    objects = KpiQuerySet.as_manager()

    class Meta:
        ordering = ["order", "ref"]
        verbose_name = "KPI"
        verbose_name_plural = "KPIs"
        constraints = [
            models.CheckConstraint(condition=Q(decimals__lte=4), name="kpi_decimals_at_most_4"),
        ]

    def __str__(self) -> str:
        return f"{self.ref}. {self.description}"

    def get_absolute_url(self) -> str:
        return reverse("kpis:detail", kwargs={"ref": self.ref})

    @property
    def name_in_sentences(self) -> str:
        """The short name, or the description with a lower-case first word (not acronyms)."""
        if self.short_name:
            return self.short_name
        first = self.description.split(" ", 1)[0]
        text = self.description.rstrip(" -.")
        if first.isupper() or not first.isalpha():
            return text
        return text[:1].lower() + text[1:]

    def format(self, value: Decimal | None) -> str:
        return units.format_value(value, self.unit, self.decimals)

    def format_figure(self, figure: Decimal | str | None) -> str:
        """A number in the KPI's unit, or a symbol as written ("c"); "no data" for None."""
        if isinstance(figure, str):
            return figure
        return self.format(figure)

    @property
    def spc_baseline(self) -> int:
        return self.baseline_length or spc.BASELINE

    def clean(self) -> None:
        if self.chart == spc.Chart.P and not (self.uses_fraction and self.unit == Unit.PERCENT):
            raise ValidationError(
                {
                    "chart": "A p-chart is for a percentage that records numerator and "
                    "denominator: choose “Percentage” and tick “records numerator and "
                    "denominator”, or use an XmR chart."
                }
            )

    def is_due_in(self, month: dt.date) -> bool:
        return periods.is_due(self.frequency, month)

    def period_label(self, month: dt.date) -> str:
        """Jun-22, Q1 2022/23, 2021/22: the period recorded at `month`, as tables head it."""
        return periods.period_label(self.frequency, month)

    def period_name(self, month: dt.date) -> str:
        """June 2022, Q1 2022/23, the year 2021/22: as sentences name it."""
        return periods.period_name(self.frequency, month)


def first_of_month(value: dt.date) -> None:
    if value.day != 1:
        raise ValidationError("A month is stored as its first day.")


class ObservationQuerySet(models.QuerySet["Observation"]):
    def in_months(self, months: list[dt.date]) -> "ObservationQuerySet":
        return self.filter(month__in=months)

    def up_to(self, month: dt.date) -> "ObservationQuerySet":
        return self.filter(month__lte=month)

    def latest_per_kpi(self) -> "ObservationQuerySet":
        """Each KPI's most recent figure within this queryset (one query)."""
        newest = self.filter(kpi=models.OuterRef("kpi")).order_by("-month").values("month")[:1]
        return self.filter(month=models.Subquery(newest))

    def with_figure(self) -> "ObservationQuerySet":
        """Rows that hold a figure (a number or a symbol), not only a stated status."""
        return self.filter(Q(value__isnull=False) | ~Q(symbol=""))

    # Figures change only through kpis.figures (record_figures, delete_figure), so that every
    # change is checked (units, closed months, versions) and kept in the history.
    def update(self, **kwargs: Any) -> int:
        raise NotSupportedError(WRITE_PATH)

    def bulk_create(self, *args: Any, **kwargs: Any) -> list["Observation"]:
        raise NotSupportedError(WRITE_PATH)

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise NotSupportedError(WRITE_PATH)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise NotSupportedError(WRITE_PATH)


WRITE_PATH = (
    "Figures are written by kpis.figures (record_figure, record_figures, delete_figure), "
    "which checks each change, says who made it and why, and keeps it in the history."
)
AMEND_CLOSED_PERIOD = "kpis.amend_closed_period"


class ClosedMonth(models.Model):
    """A month whose figures have been published: they change only with the permission to
    amend closed periods and a reason, both kept in the history."""

    month = models.DateField(
        unique=True, validators=[first_of_month], help_text="The month's first day."
    )
    closed_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(help_text='Why the month is closed: "Q1 2022/23 report published".')

    class Meta:
        ordering = ["-month"]
        verbose_name = "closed month"

    def __str__(self) -> str:
        return f"{periods.month_label(self.month)} (closed: {self.reason})"

    def clean(self) -> None:
        if self.month:
            self.month = periods.month_start(self.month)

    @staticmethod
    def may_amend(by: Any) -> bool:
        """Whether `by` holds the permission to amend closed periods."""
        return by is not None and bool(by.has_perm(AMEND_CLOSED_PERIOD))

    def amendment_problem(self, *, by: Any, reason: str) -> str | None:
        """Why `by` may not change a figure in this month with `reason`; None when they may."""
        label = periods.month_label(self.month)
        if not self.may_amend(by):
            return (
                f"{label} is closed ({self.reason}); changing its figures needs the "
                "permission to amend closed periods"
            )
        if not reason.strip():
            return (
                f"{label} is closed ({self.reason}); give a reason for changing a figure "
                "in a closed month"
            )
        return None


class StatedRag(models.TextChoices):
    """A RAG the organisation states itself, shown as stated (never mistaken for a derived one)."""

    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


class Observation(models.Model):
    """One KPI's record for one period (a month; a quarter or year at its last month): its
    figure exactly as entered — a number, or a symbol that is not a number (kpis.symbols) —
    with an optional numerator and denominator and note, and optionally a status the
    organisation states itself. A row may hold a stated status without a figure.

    Written only by kpis.figures, which checks every change and keeps it in the history
    (ObservationRevision); save() and delete() refuse.
    """

    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="observations")
    month = models.DateField(validators=[first_of_month], help_text="The month's first day.")
    value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    symbol = models.CharField(
        max_length=10,
        blank=True,
        help_text="A value that is not a number: c (suppressed), k or low (rounds to zero), "
        "u (low reliability), x (not available), z or n/a (not applicable), <5.",
    )
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField("analyst's note", blank=True)
    stated_rag = models.CharField(
        "stated RAG", max_length=10, choices=StatedRag.choices, blank=True
    )
    stated_words = models.CharField(
        "stated status",
        max_length=200,
        blank=True,
        help_text="The organisation's own words: “good performance”, “potential concern”.",
    )
    stated_reason = models.TextField("why it is stated", blank=True)
    stated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    stated_at = models.DateTimeField(null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Rises by one with every change."
    )

    objects = ObservationQuerySet.as_manager()

    class Meta:
        ordering = ["kpi__order", "kpi__ref", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "month"],
                name="one_observation_per_kpi_per_month",
                violation_error_message="There is already a figure for this KPI and month.",
            ),
            models.CheckConstraint(
                condition=~(Q(value__isnull=False) & ~Q(symbol="")),
                name="observation_number_or_symbol",
                violation_error_message="A figure is a number or a symbol, not both.",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False)
                | ~Q(symbol="")
                | ~Q(stated_rag="")
                | ~Q(stated_words=""),
                name="observation_holds_something",
                violation_error_message="Give a figure, a symbol or a stated status.",
            ),
        ]
        indexes = [models.Index(fields=["month"])]
        permissions = [("amend_closed_period", "Can amend closed periods")]

    def __str__(self) -> str:
        return f"KPI {self.kpi.ref}, {periods.month_label(self.month)}: {self.formatted}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        raise NotSupportedError(WRITE_PATH)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise NotSupportedError(WRITE_PATH)

    @property
    def has_figure(self) -> bool:
        return self.value is not None or bool(self.symbol)

    @property
    def figure(self) -> Decimal | str | None:
        """The number, or the symbol's code, or None (a stated status only)."""
        return Decimal(self.value) if self.value is not None else (self.symbol or None)

    @property
    def formatted(self) -> str:
        return self.kpi.format_figure(self.figure)

    @property
    def month_label(self) -> str:
        return periods.month_label(self.month)

    @property
    def fraction(self) -> str:
        """34 of 45"""
        if self.numerator is None or self.denominator is None:
            return ""
        return f"{self.numerator:,} of {self.denominator:,}"


CLOSED_MONTH = "closed_month"  # the code of the ValidationError for a closed month


class RevisionAction(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"


class ObservationRevision(models.Model):
    """The history of a figure: one row per change, never edited, kept after a delete."""

    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="revisions")
    month = models.DateField()
    action = models.CharField(max_length=10, choices=RevisionAction.choices)
    old_value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    new_value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    old_numerator = models.PositiveIntegerField(null=True, blank=True)
    new_numerator = models.PositiveIntegerField(null=True, blank=True)
    old_denominator = models.PositiveIntegerField(null=True, blank=True)
    new_denominator = models.PositiveIntegerField(null=True, blank=True)
    old_note = models.TextField(blank=True)
    new_note = models.TextField(blank=True)
    old_symbol = models.CharField(max_length=10, blank=True)
    new_symbol = models.CharField(max_length=10, blank=True)
    old_stated = models.CharField(
        max_length=220, blank=True, help_text="The stated status before: “red: potential concern”."
    )
    new_stated = models.CharField(max_length=220, blank=True)
    version = models.PositiveIntegerField(help_text="The figure's version after this change.")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_by_name = models.CharField(
        "changed by (name)",
        max_length=150,
        default="",
        help_text="Who made the change, kept as text too so the history names them always.",
    )
    changed_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(
        max_length=40, help_text="Where the change came from: admin, monthly return, import…"
    )
    reason = models.TextField(blank=True)
    closed_period = models.BooleanField(
        "in a closed month",
        default=False,
        help_text="The month was closed: the change needed the permission to amend closed "
        "periods and a reason.",
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["kpi", "month"])]

    def __str__(self) -> str:
        return f"KPI {self.kpi.ref}, {periods.month_label(self.month)}: {self.summary}"

    @property
    def summary(self) -> str:
        kpi = self.kpi
        old = kpi.format_figure(self.old_figure)
        new = kpi.format_figure(self.new_figure)
        if self.action == RevisionAction.CREATED:
            return f"entered as {new}" if self.new_figure is not None else "status stated"
        if self.action == RevisionAction.DELETED:
            return f"{old} deleted"
        if self.old_figure != self.new_figure:
            return f"{old} → {new}"
        if self.old_stated != self.new_stated:
            return "stated status changed"
        return "numerator, denominator or note changed"

    @property
    def old_figure(self) -> Decimal | str | None:
        return Decimal(self.old_value) if self.old_value is not None else self.old_symbol or None

    @property
    def new_figure(self) -> Decimal | str | None:
        return Decimal(self.new_value) if self.new_value is not None else self.new_symbol or None


class Comparator(models.TextChoices):
    STATISTICAL_NEIGHBOURS = "sn", "Statistical neighbours"
    REGION = "region", "Region"
    ENGLAND = "england", "England"


class Statistic(models.TextChoices):
    MEAN = "mean", "Mean (average)"
    MEDIAN = "median", "Median"


class Target(models.Model):
    """A target as written, in force from one month to another (open-ended when no end):
    a comparison with a fixed value, or relative to a benchmark or to the KPI's own figure
    at a starting month, and an amber band. `kpis.rag` judges figures by its `rule`."""

    kpi = models.ForeignKey(
        Kpi, on_delete=models.CASCADE, related_name="targets", verbose_name="KPI"
    )
    comparison = models.CharField(
        "green when the figure is",
        max_length=12,
        choices=Comparison.choices,
        default=Comparison.AT_LEAST,
    )
    basis = models.CharField(
        "relative to",
        max_length=12,
        choices=Basis.choices,
        default=Basis.FIXED,
        help_text="What the values are measured from: fixed values, or an amount above or "
        "below a benchmark or the KPI's own figure at a starting month.",
    )
    value = models.DecimalField(
        "target",
        max_digits=16,
        decimal_places=4,
        blank=True,
        help_text="In the KPI's unit. For a range, its lower end. Relative to a benchmark or "
        "a starting figure: the amount above it (negative: below it); blank for the "
        "benchmark or figure itself. “An additional 800”: 800.",
    )
    upper = models.DecimalField(
        "upper end of the range",
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Only for “between”: the range's upper end (both ends are green).",
    )
    comparator = models.CharField(
        "benchmark",
        max_length=10,
        choices=Comparator.choices,
        blank=True,
        help_text="Only relative to a benchmark: which one. The latest benchmark at or "
        "before each month is used.",
    )
    statistic = models.CharField(
        "benchmark statistic",
        max_length=10,
        choices=Statistic.choices,
        blank=True,
        help_text="Only relative to a benchmark: its mean (average) or its median.",
    )
    baseline_month = models.DateField(
        "starting month",
        null=True,
        blank=True,
        help_text="Only relative to the KPI's own figure: the month whose figure the target "
        "adds to, before the target comes into force.",
    )
    amber = models.CharField(
        "amber band given as",
        max_length=10,
        choices=Amber.choices,
        default=Amber.NONE,
    )
    amber_value = models.DecimalField(
        "amber distance, floor or ceiling",
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="A distance: how far from the target is still amber (5 for “amber within "
        "5 points”). A floor or ceiling: the value amber reaches (40 for “target 45%, "
        "tolerance 40”); relative to a benchmark or a starting figure, the amount above "
        "or below it, like the target.",
    )
    valid_from = models.DateField(help_text="First month the target is in force.")
    valid_to = models.DateField(
        null=True, blank=True, help_text="Last month in force; blank while it still is."
    )
    source = models.CharField(max_length=20, choices=TargetSource.choices)
    source_detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["kpi__order", "valid_from"]

    def __str__(self) -> str:
        start = periods.month_label(self.valid_from)
        end = periods.month_label(self.valid_to) if self.valid_to else "onwards"
        return f"KPI {self.kpi.ref} target {self.phrase} ({start} – {end})"

    @property
    def rule(self) -> Rule:
        return Rule(
            comparison=self.comparison,
            value=Decimal(self.value if self.value is not None else 0),
            upper=Decimal(self.upper) if self.upper is not None else None,
            amber=self.amber,
            amber_value=Decimal(self.amber_value) if self.amber_value is not None else None,
            basis=self.basis,
            reference=self.reference_name,
        )

    @property
    def reference_name(self) -> str:
        """What a relative target is measured from, in words: "the statistical-neighbour
        average", "the England median", "the figure for March 2022"."""
        if self.basis == Basis.BENCHMARK:
            return benchmark_name(self.comparator, self.statistic or Statistic.MEAN)
        if self.basis == Basis.OWN_FIGURE and self.baseline_month:
            return f"the figure for {periods.month_name(self.baseline_month)}"
        return ""

    @property
    def sentence(self) -> str:
        """Green at 45.0% or more; amber from 40.0% to under 45.0%; red under 40.0%."""
        return rag.describe(self.rule, self.kpi.unit, self.kpi.decimals)

    @property
    def phrase(self) -> str:
        """at least 45.0% (amber from 40.0%)"""
        return rag.phrase(self.rule, self.kpi.unit, self.kpi.decimals)

    @property
    def amber_distance(self) -> Decimal | None:
        return (
            Decimal(self.amber_value) if self.amber == Amber.DISTANCE and self.amber_value else None
        )

    def in_force(self, month: dt.date) -> bool:
        return self.valid_from <= month and (self.valid_to is None or month <= self.valid_to)

    def clean(self) -> None:
        if self.valid_from:
            self.valid_from = periods.month_start(self.valid_from)
        if self.valid_to:
            self.valid_to = periods.month_start(self.valid_to)
        if self.baseline_month:
            self.baseline_month = periods.month_start(self.baseline_month)
        if self.value is None and self.basis in (Basis.BENCHMARK, Basis.OWN_FIGURE):
            self.value = Decimal(0)  # the benchmark or the starting figure itself
        if self.basis == Basis.BENCHMARK and not self.statistic:
            self.statistic = Statistic.MEAN
        errors: dict[str, list[str]] = {}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = ["The last month in force cannot be before the first."]
        for name, problem in target_problems(self):
            errors.setdefault(name, []).append(problem)
        if self.kpi_id and self.valid_from and not errors:
            overlapping = Target.objects.filter(kpi_id=self.kpi_id).exclude(pk=self.pk)
            overlapping = overlapping.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from)
            )
            if self.valid_to:
                overlapping = overlapping.filter(valid_from__lte=self.valid_to)
            if clash := overlapping.first():
                errors["valid_from"] = [f"This overlaps another target for the KPI: {clash}."]
        if errors:
            raise ValidationError(errors)


def benchmark_name(comparator: str, statistic: str) -> str:
    """the statistical-neighbour average, the regional median, the England average"""
    kind = "median" if statistic == Statistic.MEDIAN else "average"
    name = {
        Comparator.STATISTICAL_NEIGHBOURS.value: "statistical-neighbour",
        Comparator.REGION.value: "regional",
        Comparator.ENGLAND.value: "England",
    }.get(comparator, "benchmark")
    return f"the {name} {kind}"


def kpi_of(target: Target) -> Kpi | None:
    """The target's KPI, also when it is not saved yet (a new KPI with its targets, on the
    admin's add page)."""
    try:
        return target.kpi
    except Kpi.DoesNotExist:
        return None


Problem = tuple[str, str]  # the field a problem concerns, and the problem in words


def target_problems(target: Target) -> list[Problem]:
    """What is wrong with a target as written, each with the field it concerns."""
    kpi = kpi_of(target)
    where = f"Target for KPI {kpi.ref}" if kpi else "Target"

    def show(value: Decimal) -> str:
        return rag.number(value, kpi.unit, kpi.decimals) if kpi else units.plain(value)

    found: list[Problem] = []
    if target.value is None:
        found.append(("value", f"{where}: give the target value."))
    found += _range_problems(target, where, show)
    found += _basis_problems(target, where)
    found += _amber_problems(target, where, show)
    if kpi is not None:
        found += _polarity_problems(target.comparison, kpi, where)
        found += _unit_problems(target, kpi, where)
    return found


def _range_problems(target: Target, where: str, show: Callable[[Decimal], str]) -> list[Problem]:
    """A range needs both ends, in order; nothing else has an upper end."""
    value, upper = target.value, target.upper
    if target.comparison != Comparison.BETWEEN:
        if upper is not None:
            return [("upper", f"{where}: only “between” has an upper end; clear it.")]
        return []
    if upper is None:
        return [("upper", f"{where}: a range needs both ends; give its upper end.")]
    if value is not None and Decimal(upper) <= Decimal(value):
        return [
            (
                "upper",
                f"{where}: the upper end ({show(Decimal(upper))}) must be above the lower end "
                f"({show(Decimal(value))}).",
            )
        ]
    return []


def _basis_problems(target: Target, where: str) -> list[Problem]:
    """A relative target names what it is relative to, and only that."""
    found: list[Problem] = []
    if target.basis == Basis.BENCHMARK:
        if not target.comparator:
            found.append(("comparator", f"{where}: say which benchmark it is relative to."))
    else:
        for name in ("comparator", "statistic"):
            if getattr(target, name):
                found.append(
                    (name, f"{where}: only a target relative to a benchmark names one; clear it.")
                )
    month = target.baseline_month
    if target.basis != Basis.OWN_FIGURE:
        if month:
            found.append(
                (
                    "baseline_month",
                    f"{where}: only a target relative to the KPI's own figure has a starting "
                    "month; clear it.",
                )
            )
        return found
    if not month:
        problem = "give the starting month whose figure the target adds to"
    elif target.valid_from and month >= target.valid_from:
        problem = "the starting month must be before the target's first month in force"
    elif (kpi := kpi_of(target)) and not kpi.is_due_in(month):
        problem = (
            f"a {kpi.frequency} KPI has no figure for {periods.month_name(month)}, so "
            "it cannot be the starting month"
        )
    else:
        return found
    found.append(("baseline_month", f"{where}: {problem}."))
    return found


def _amber_problems(target: Target, where: str, show: Callable[[Decimal], str]) -> list[Problem]:
    """The amber band: a distance above 0, or a floor below the target ("at least", "more
    than") or a ceiling above it ("at most", "fewer than"); a range's band is a distance."""
    amber, comparison = target.amber, target.comparison
    given = Decimal(target.amber_value) if target.amber_value is not None else None
    value = Decimal(target.value) if target.value is not None else None
    if amber == Amber.NONE:
        if given is None:
            return []
        problem = "there is no amber band; clear this value, or say how the band is given"
    elif given is None:
        kind = "distance" if amber == Amber.DISTANCE else "floor or ceiling"
        problem = f"give the amber {kind}"
    elif amber == Amber.DISTANCE:
        if given > 0:
            return []
        problem = "the amber distance must be more than 0"
    elif comparison == Comparison.BETWEEN:
        return [("amber", f"{where}: give a range's amber band as a distance beyond each end.")]
    elif value is not None and comparison in rag.HIGHER_IS_GREEN and given >= value:
        problem = f"the amber floor ({show(given)}) must be below the target ({show(value)})"
    elif value is not None and comparison in rag.LOWER_IS_GREEN and given <= value:
        problem = f"the amber ceiling ({show(given)}) must be above the target ({show(value)})"
    else:
        return []
    return [("amber_value", f"{where}: {problem}.")]


def _polarity_problems(comparison: str, kpi: Kpi, where: str) -> list[Problem]:
    """A one-sided comparison points the way the KPI's polarity does: "at least" on a
    lower-is-better KPI would call a worse figure green."""
    label = Comparison(comparison).label.split(" (")[0].lower()
    if kpi.polarity == Polarity.NEITHER and comparison != Comparison.BETWEEN:
        problem = (
            f"KPI {kpi.ref} is a context measure (neither higher nor lower is better), judged "
            "only against a range (“between”)"
        )
    elif kpi.polarity == Polarity.HIGHER and comparison in rag.LOWER_IS_GREEN:
        problem = (
            f"KPI {kpi.ref} is higher-is-better, so “{label}” would call a worse figure green; "
            "choose “at least” or “more than”"
        )
    elif kpi.polarity == Polarity.LOWER and comparison in rag.HIGHER_IS_GREEN:
        problem = (
            f"KPI {kpi.ref} is lower-is-better, so “{label}” would call a worse figure green; "
            "choose “at most” or “fewer than”"
        )
    else:
        return []
    return [("comparison", f"{where}: {problem}.")]


def _unit_problems(target: Target, kpi: Kpi, where: str) -> list[Problem]:
    """The unit's checks on every value of the target: a fixed value is a figure of the KPI
    (a percentage between 0 and 100, a whole count); a distance, or an amount added to a
    benchmark or a starting figure, is a difference, checked by its size."""
    relative = target.basis != Basis.FIXED
    values = [
        ("value", target.value, relative),
        ("upper", target.upper, relative),
        ("amber_value", target.amber_value, relative or target.amber == Amber.DISTANCE),
    ]
    found: list[Problem] = []
    for name, value, is_difference in values:
        if value is None or not units.storable(Decimal(value)):
            continue
        checked = abs(Decimal(value)) if is_difference else Decimal(value)
        for problem in units.problems(checked, kpi.unit, 4):
            found.append((name, f"{where}: {problem}."))
    return found


class Goal(models.Model):
    """A dated goal: "the target for March 2023 is 796"."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="goals")
    value = models.DecimalField(max_digits=16, decimal_places=4)
    due = models.DateField("month due", help_text="The month the goal is for.")
    source = models.CharField(max_length=20, choices=TargetSource.choices)
    source_detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["kpi__order", "due"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "due"], name="one_goal_per_kpi_per_month")
        ]

    def __str__(self) -> str:
        return (
            f"KPI {self.kpi.ref}: {self.kpi.format(self.value)} by {periods.month_name(self.due)}"
        )

    def clean(self) -> None:
        if self.due:
            self.due = periods.month_start(self.due)
        if self.kpi_id and self.value is not None:
            found = units.problems(Decimal(self.value), self.kpi.unit, self.kpi.decimals)
            if found:
                raise ValidationError({"value": f"Goal for KPI {self.kpi.ref}: {found[0]}."})


class Benchmark(models.Model):
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="benchmarks")
    month = models.DateField(help_text="The month the comparison is for.")
    comparator = models.CharField(max_length=10, choices=Comparator.choices)
    statistic = models.CharField(max_length=10, choices=Statistic.choices, default="mean")
    group = models.CharField(
        max_length=200, blank=True, help_text='Who is compared: "5 authorities", "West Midlands".'
    )
    value = models.DecimalField(max_digits=16, decimal_places=4)
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["kpi__order", "month", "comparator"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "month", "comparator"],
                name="one_benchmark_per_comparator_per_month",
                violation_error_message="There is already a benchmark for this comparator "
                "and month.",
            )
        ]

    def __str__(self) -> str:
        return (
            f"KPI {self.kpi.ref}, {periods.month_label(self.month)}: {self.label} "
            f"{self.kpi.format(self.value)}"
        )

    @property
    def label(self) -> str:
        """Statistical Neighbour average (5 authorities)"""
        kind = "average" if self.statistic == Statistic.MEAN else "median"
        name = self.get_comparator_display()
        if self.comparator == Comparator.STATISTICAL_NEIGHBOURS:
            name = "Statistical neighbour"
        group = f" ({self.group})" if self.group else ""
        return f"{name} {kind}{group}"

    def clean(self) -> None:
        if self.month:
            self.month = periods.month_start(self.month)
        if self.kpi_id and self.value is not None:
            found = units.problems(Decimal(self.value), self.kpi.unit, 4)
            if found:
                raise ValidationError({"value": f"Benchmark for KPI {self.kpi.ref}: {found[0]}."})


class ImportStatus(models.TextChoices):
    """Where an uploaded spreadsheet is: read and committed by the background worker
    (kpis.tasks), never inside a web request."""

    QUEUED = "queued", "Waiting to be read"
    READING = "reading", "Being read"
    PREVIEWED = "previewed", "Previewed, not imported"
    IMPORTING = "importing", "Being imported"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed"


# ---------------------------------------------------------------------------------------
# How a KPI's SPC chart is read: change points, baseline exclusions and annotations. Each is
# changed through kpis/chart_records.py, which keeps every change in ChartRevision.


class ChangePointStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ChangePoint(models.Model):
    """A month from which a KPI's process is taken to have changed: once a person approves it,
    with a reason, the SPC mean and limits are recalculated from it (a new segment). The
    portal may propose one (a sustained shift); it never approves one."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="change_points")
    month = models.DateField(
        "from month", validators=[first_of_month], help_text="The first month of the new process."
    )
    reason = models.TextField(
        help_text="Why the process changed from this month: “new definition from April 2023”."
    )
    status = models.CharField(
        max_length=10,
        choices=ChangePointStatus.choices,
        default=ChangePointStatus.PROPOSED,
        help_text="Only an approved change point recalculates the limits from its month.",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank: the portal proposed it.",
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="approved or rejected by",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("approved or rejected at", null=True, blank=True)
    decision_reason = models.TextField(
        "reason for approving or rejecting",
        blank=True,
        help_text="Needed to approve or reject: why this is (or is not) a lasting change.",
    )

    class Meta:
        ordering = ["kpi__order", "kpi__ref", "month"]
        verbose_name = "change point"
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "month"],
                name="one_change_point_per_kpi_per_month",
                violation_error_message="There is already a change point for this KPI and month.",
            ),
            models.CheckConstraint(
                condition=Q(status="proposed")
                | (Q(decided_at__isnull=False) & ~Q(decision_reason="")),
                name="change_point_decided_with_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"KPI {self.kpi.ref}, from {periods.month_name(self.month)}: {self.reason}"

    @property
    def is_approved(self) -> bool:
        return self.status == ChangePointStatus.APPROVED

    @property
    def label(self) -> str:
        """How a sentence names it: “April 2023 (new definition from April 2023)”."""
        return f"{periods.month_name(self.month)} ({self.reason})"

    def clean(self) -> None:
        if self.month:
            self.month = periods.month_start(self.month)
        if self.status != ChangePointStatus.PROPOSED and not self.decision_reason.strip():
            verb = "approve" if self.status == ChangePointStatus.APPROVED else "reject"
            raise ValidationError(
                {"decision_reason": f"Say why you {verb} this change point; it is kept."}
            )


class BaselineExclusion(models.Model):
    """A figure left out of its segment's SPC baseline (a known one-off), for a reason: it is
    still shown and judged, but the mean and limits are computed without it."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="baseline_exclusions")
    month = models.DateField(validators=[first_of_month])
    reason = models.TextField(help_text="Why this month's figure is not typical of the process.")
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    excluded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kpi__order", "kpi__ref", "month"]
        verbose_name = "baseline exclusion"
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "month"],
                name="one_baseline_exclusion_per_kpi_per_month",
                violation_error_message="This month is already excluded from the baseline.",
            )
        ]

    def __str__(self) -> str:
        return f"KPI {self.kpi.ref}, {periods.month_name(self.month)}: {self.reason}"

    def clean(self) -> None:
        if self.month:
            self.month = periods.month_start(self.month)


class Annotation(models.Model):
    """A dated event on a KPI's chart: “duty system restructured”, “Ofsted visit”."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="annotations")
    date = models.DateField(help_text="The day of the event; the chart marks its month.")
    text = models.CharField(max_length=200)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kpi__order", "kpi__ref", "date", "id"]

    def __str__(self) -> str:
        return f"KPI {self.kpi.ref}, {self.date.day} {self.date:%B %Y}: {self.text}"

    @property
    def month(self) -> dt.date:
        return periods.month_start(self.date)


class ChartRecord(models.TextChoices):
    CHANGE_POINT = "change-point", "Change point"
    BASELINE_EXCLUSION = "baseline-exclusion", "Baseline exclusion"
    ANNOTATION = "annotation", "Annotation"


class ChartRevision(models.Model):
    """The history of a KPI's change points, baseline exclusions and annotations: one row per
    change (who, when, what, why), never edited, kept after the record is deleted."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="chart_revisions")
    record = models.CharField(max_length=20, choices=ChartRecord.choices)
    record_id = models.PositiveIntegerField(help_text="The record's id, kept after a delete.")
    action = models.CharField(max_length=10, choices=RevisionAction.choices)
    month = models.DateField(help_text="The record's month.")
    summary = models.TextField(help_text="What changed, old → new.")
    reason = models.TextField(blank=True, help_text="Why: the record's reason at the time.")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank: the portal (a proposal).",
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = "chart history entry"
        verbose_name_plural = "chart history"
        indexes = [models.Index(fields=["kpi", "record", "record_id"])]

    def __str__(self) -> str:
        return f"KPI {self.kpi.ref}: {self.get_record_display()} {self.summary}"


class ImportedFile(models.Model):
    """A spreadsheet uploaded for import. The bytes are kept here between the preview and
    the commit (so the commit imports exactly the file that was previewed), and afterwards
    as the record of what was imported. The preview is kept with them as read once by the
    background worker (kpis.imports.preview), so that viewing it reads nothing again."""

    WORKING = (ImportStatus.QUEUED, ImportStatus.READING, ImportStatus.IMPORTING)

    name = models.CharField("file name", max_length=255)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(help_text="Bytes.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True, help_text="Kept in each changed figure's history.")
    decimal_comma = models.BooleanField(
        "decimal commas", default=False, help_text="The file writes decimals as 19,61."
    )
    hidden_sheets = models.BooleanField(
        "read hidden sheets", default=False, help_text="Hidden sheets are read too."
    )
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    status_at = models.DateTimeField("status since", default=timezone.now)
    progress = models.CharField(max_length=200, blank=True, help_text="What the worker is doing.")
    preview = models.JSONField(null=True, blank=True, help_text="The file as read and checked.")
    notice = models.TextField(blank=True, help_text="Said once on the preview: why it is back.")
    error = models.TextField(blank=True, help_text="Why the work failed.")
    committed_at = models.DateTimeField("imported at", null=True, blank=True)
    summary = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = "spreadsheet import"
        # Who may import is decided by the permissions to add and change observations.
        default_permissions = ()

    def __str__(self) -> str:
        return self.name

    def content_is_intact(self) -> bool:
        return hashlib.sha256(bytes(self.content)).hexdigest() == self.sha256

    @property
    def working(self) -> bool:
        return self.status in self.WORKING


class MonthlyReturn(Observation):
    """The admin's monthly return: one form for every figure due in a month. No table of
    its own; it is here so that the admin lists the page under KPIs."""

    class Meta:
        proxy = True
        verbose_name = "monthly return"
        verbose_name_plural = "monthly return"
        # Who may use it is decided by the permissions to add and change observations.
        default_permissions = ()


class PublishedFigure(models.Model):
    """A figure as a published report printed it: the report's frozen snapshot, as rows, so
    that "revised since published" is one query against the current figures. Written when a
    report is published; never changed."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="published")
    month = models.DateField()
    value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    symbol = models.CharField(max_length=10, blank=True)
    shown = models.CharField(max_length=40, help_text="As the report printed it: “74.9%”.")
    report = models.CharField(max_length=40, help_text="Which report: “Q1 2022/23”.")
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["kpi", "month", "published_at"]
        indexes = [models.Index(fields=["kpi", "month"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "month", "report"], name="one_published_figure_per_report"
            )
        ]

    def __str__(self) -> str:
        return (
            f"KPI {self.kpi.ref}, {periods.month_label(self.month)}: {self.shown} ({self.report})"
        )

    @property
    def figure(self) -> Decimal | str | None:
        return Decimal(self.value) if self.value is not None else (self.symbol or None)


# =======================================================================================
# Published statistics for benchmarking
#
# Every local authority's, region's and England's published values from the Department for
# Education's and Ofsted's files (Open Government Licence v3.0), each kept with the release
# it came in. A *mapping*, kept by analysts in the admin, says which file, filters, value
# column and time periods give a KPI its comparators: nothing about a file's columns is
# written in code. Imported by kpis/published.py (Ofsted's judgements: contracts/ofsted.py),
# read by kpis/comparisons.py; the arithmetic is pure, in kpis/benchmarking.py.
# =======================================================================================

LA_CODE_HELP = (
    "A local authority: DfE's three-digit code (Sandwell: 333), or a joint return's codes "
    "(314 / 318). A region: its ONS code (E12000005). England: E92000001."
)


class Geography(models.Model):
    """A local authority, a region or England, as the published files name it."""

    level = models.CharField(max_length=10, choices=GeographicLevel.choices)
    code = models.CharField(max_length=30, help_text=LA_CODE_HELP)
    name = models.CharField(max_length=200)
    ons_code = models.CharField(
        "ONS code", max_length=60, blank=True, help_text="The current ONS code: E08000028."
    )
    earlier_ons_codes = models.CharField(
        "earlier ONS codes",
        max_length=200,
        blank=True,
        help_text="Codes it had before, space-separated (Barnsley: E08000016).",
    )
    region = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authorities",
        limit_choices_to={"level": GeographicLevel.REGIONAL},
    )

    class Meta:
        ordering = ["level", "name"]
        verbose_name = "authority or area"
        verbose_name_plural = "authorities and areas"
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="one_geography_per_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ons_codes(self) -> list[str]:
        """Every ONS code it has had, current first."""
        return [code for code in [self.ons_code, *self.earlier_ons_codes.split()] if code]

    @property
    def is_joint(self) -> bool:
        """A joint return of two authorities (Kingston upon Thames / Richmond upon Thames)."""
        return "/" in self.code


class ReleaseKind(models.TextChoices):
    STATISTICS = "statistics", "Published statistics (EES tidy CSV)"
    NEIGHBOURS = "neighbours", "Statistical neighbours"
    INSPECTIONS = "inspections", "Ofsted inspection outcomes"


class ReleaseQuerySet(models.QuerySet["Release"]):
    def imported(self) -> "ReleaseQuerySet":
        return self.filter(imported_at__isnull=False)

    def in_force(self) -> "ReleaseQuerySet":
        """Imported and not superseded by a newer release of the same file."""
        return self.imported().filter(superseded_by__isnull=True)


class Release(models.Model):
    """One published file, as uploaded and (once the preview is accepted) imported. A newer
    release of the same file supersedes it; its values stay, as history."""

    file_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=12, choices=ReleaseKind.choices)
    publisher = models.CharField(max_length=100, blank=True)
    label = models.CharField(
        "release",
        max_length=300,
        blank=True,
        help_text="How the release is cited: “Children looked after in England including "
        "adoptions, reporting year 2025”.",
    )
    published_on = models.DateField("publication date", null=True, blank=True)
    content = models.BinaryField(help_text="The file's bytes, as imported.")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(help_text="Bytes.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    imported_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        help_text="The newer release of the same file that replaced this one.",
    )
    summary = models.CharField(max_length=300, blank=True)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = "published file"
        constraints = [
            models.UniqueConstraint(
                fields=["file_name", "sha256"],
                condition=Q(imported_at__isnull=False),
                name="one_import_of_each_release",
            ),
        ]

    def __str__(self) -> str:
        return self.label or self.file_name

    @property
    def citation(self) -> str:
        """ "Department for Education, Children looked after… 2025 (cla….csv, published 20
        November 2025)"."""
        who = f"{self.publisher}, " if self.publisher else ""
        what = self.label or self.file_name
        when = f", published {self.published_on:%-d %B %Y}" if self.published_on else ""
        if self.imported_at and not self.published_on:
            when = f", imported {timezone.localtime(self.imported_at):%-d %B %Y}"
        file_name = f"{self.file_name}{when}" if self.label else when.lstrip(", ")
        return f"{who}{what} ({file_name})" if file_name else f"{who}{what}"

    def content_is_intact(self) -> bool:
        return hashlib.sha256(bytes(self.content)).hexdigest() == self.sha256


MONTH_CHOICES = [(number, dt.date(2000, number, 1).strftime("%B")) for number in range(1, 13)]


class BenchmarkMapping(models.Model):
    """Which published values a KPI is compared with: a file, its filters, a value column,
    time periods, and how a period maps to the KPI's months."""

    name = models.CharField(max_length=200, unique=True)
    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="benchmark_mappings")
    file_name = models.CharField(
        max_length=255,
        help_text="The published file's name (cla_number_and_rate_per_10k_children.csv); "
        "a file of that name imports with this mapping. Compared ignoring case.",
    )
    publisher = models.CharField(max_length=100, default="Department for Education")
    publication = models.CharField(
        max_length=300,
        help_text="The publication, as cited: “Children looked after in England including "
        "adoptions”.",
    )
    publication_url = models.URLField("publication address", blank=True)
    filters = models.TextField(
        blank=True,
        help_text="One a line: column = value. A column renamed between releases is written "
        "with its names separated by |: “population_type | population_count = Children looked "
        "after on 31 March each year”. Blank: every row of the file.",
    )
    value_column = models.CharField(
        max_length=200,
        help_text="The column of the value (its earlier names after |): “rate_per_10000”.",
    )
    time_periods = models.CharField(
        max_length=200,
        blank=True,
        help_text="Years and ranges (“2021-2025, 2019”); a two-year period such as 202223 "
        "is chosen by its first year. Blank: every period in the file.",
    )
    period_month = models.PositiveSmallIntegerField(
        "month of the period",
        choices=MONTH_CHOICES,
        default=3,
        help_text="The KPI month a period's figure is compared with: March for “at 31 March” "
        "(2022 → Mar-22), September for “at 30 September”. A two-year period (202223) "
        "falls in its first year from April to December, in its second from January to March.",
    )
    period_phrase = models.CharField(
        "period in sentences",
        max_length=100,
        default="at 31 March",
        help_text="Words before the year in sentences: “at 31 March”, “in the year to 31 "
        "March”, “at 30 September”.",
    )
    definition_note = models.TextField(
        "how the definitions differ",
        help_text="How the published measure differs from the KPI: “DfE: children looked after "
        "at 31 March, per 10,000 children (ONS mid-year estimate); ours: at the month's end, "
        "on the trust's own population base”.",
    )
    time_column = models.CharField(max_length=200, default="time_period")
    level_column = models.CharField(
        "geographic level column", max_length=200, default="geographic_level"
    )
    la_code_column = models.CharField(
        "local authority code column", max_length=200, default="old_la_code"
    )
    ons_code_column = models.CharField("ONS code column", max_length=200, default="new_la_code")
    la_name_column = models.CharField(
        "local authority name column", max_length=200, default="la_name"
    )
    region_code_column = models.CharField(max_length=200, default="region_code")
    region_name_column = models.CharField(max_length=200, default="region_name")

    COLUMN_FIELDS = (
        "value_column",
        "time_column",
        "level_column",
        "la_code_column",
        "ons_code_column",
        "la_name_column",
        "region_code_column",
        "region_name_column",
    )

    class Meta:
        ordering = ["kpi__order", "name"]
        verbose_name = "benchmark mapping"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        try:
            ees.parse_filters(self.filters)
        except ValueError as error:
            errors["filters"] = f"Filters, {error}."
        try:
            ees.parse_periods(self.time_periods)
        except ValueError as error:
            errors["time_periods"] = f"Time periods: {error}."
        for name in self.COLUMN_FIELDS:
            try:
                ees.column(getattr(self, name))
            except ValueError as error:
                errors[name] = f"{self.column_label(name).capitalize()}: {error}."
        if self.kpi_id and self.period_month:
            month = dt.date(2000, self.period_month, 1)
            if not self.kpi.is_due_in(month):
                errors["period_month"] = (
                    f"KPI {self.kpi.ref} is {self.kpi.get_frequency_display().lower()}: it has "
                    f"no figure in {month:%B} to compare with."
                )
        if errors:
            raise ValidationError(errors)

    def column(self, name: str) -> ees.Column:
        """One of the COLUMN_FIELDS as a Column."""
        return ees.column(getattr(self, name))

    @classmethod
    def column_label(cls, name: str) -> str:
        """ "value column": one of the COLUMN_FIELDS in words."""
        found = cls._meta.get_field(name)
        return str(getattr(found, "verbose_name", name))


class PublishedValue(models.Model):
    """One authority's, region's or England's value for a period, as a release of a file
    publishes it: a number, or a symbol (never zero, never blank)."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="values")
    mapping = models.ForeignKey(BenchmarkMapping, on_delete=models.PROTECT, related_name="values")
    geography = models.ForeignKey(Geography, on_delete=models.PROTECT, related_name="values")
    time_period = models.CharField(max_length=10, help_text="As the file writes it: 2022.")
    month = models.DateField(help_text="The KPI month it is compared with.")
    value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    symbol = models.CharField(max_length=10, blank=True)
    line = models.PositiveIntegerField(help_text="The line of the file it was read from.")

    class Meta:
        ordering = ["mapping", "month", "geography__level", "geography__name"]
        verbose_name = "published value"
        constraints = [
            models.UniqueConstraint(
                fields=["release", "mapping", "geography", "time_period"],
                name="one_published_value_per_period",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True, symbol__gt="") | Q(value__isnull=False, symbol=""),
                name="published_value_is_a_number_or_a_symbol",
            ),
        ]
        indexes = [models.Index(fields=["mapping", "month"])]

    def __str__(self) -> str:
        return f"{self.geography}, {self.time_period}: {self.shown}"

    @property
    def shown(self) -> str:
        return self.symbol if self.symbol else units.plain(Decimal(self.value or 0))


class ComparatorGroup(models.Model):
    """Authorities the organisation compares itself with, besides DfE's statistical
    neighbours: “our five regional statistical neighbours”."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True, help_text="Who chose them, when and why.")
    members = models.ManyToManyField(
        Geography,
        related_name="comparator_groups",
        limit_choices_to={"level": GeographicLevel.LOCAL_AUTHORITY},
    )
    order = models.PositiveSmallIntegerField("display order", default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "comparator group"

    def __str__(self) -> str:
        return self.name


class NeighbourModel(models.Model):
    """DfE's statistical-neighbour model of one release: each authority's ten closest."""

    release = models.OneToOneField(
        Release, on_delete=models.PROTECT, related_name="neighbour_model"
    )
    name = models.CharField(max_length=200, help_text="“DfE statistical neighbours, 2025”.")
    in_force_from = models.DateField(
        "in force from",
        validators=[first_of_month],
        help_text="The first month whose figures are compared with this model's neighbours. "
        "A later model takes over from its own month; months before every model use the "
        "earliest.",
    )

    class Meta:
        ordering = ["in_force_from", "id"]
        verbose_name = "statistical-neighbour model"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.in_force_from:
            self.in_force_from = periods.month_start(self.in_force_from)


class Neighbour(models.Model):
    model = models.ForeignKey(NeighbourModel, on_delete=models.CASCADE, related_name="neighbours")
    authority_code = models.CharField(max_length=3)
    authority_name = models.CharField(max_length=200)
    rank = models.PositiveSmallIntegerField(help_text="1 is the closest.")
    neighbour_code = models.CharField(max_length=3)
    neighbour_name = models.CharField(max_length=200, blank=True)
    closeness = models.CharField(max_length=40, blank=True, help_text="DfE's closeness band.")

    class Meta:
        ordering = ["model", "authority_code", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "authority_code", "rank"], name="one_neighbour_per_rank"
            ),
        ]
        indexes = [models.Index(fields=["model", "authority_code"])]

    def __str__(self) -> str:
        return f"{self.authority_name}: {self.rank}. {self.neighbour_name or self.neighbour_code}"
