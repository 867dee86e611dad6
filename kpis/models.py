import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import NotSupportedError, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from sct_portal import periods

from . import units
from .polarity import Polarity
from .rag import Threshold
from .units import Unit

MONEY_DIGITS = {"max_digits": 16, "decimal_places": 4}


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly (recorded at the quarter's last month)"
    ANNUAL = "annual", "Annual (recorded at March, the year's last month)"


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
        quarter's last month, annual at March."""
        due = Q(frequency=Frequency.MONTHLY)
        if periods.is_quarter_end(month):
            due |= Q(frequency=Frequency.QUARTERLY)
        if month.month == 3:
            due |= Q(frequency=Frequency.ANNUAL)
        return self.filter(due)


class Kpi(models.Model):
    ref = models.CharField(
        "reference",
        max_length=20,
        unique=True,
        help_text="As the report prints it: 1, 6a, 13, A2, CH01.",
    )
    description = models.CharField(max_length=300)
    short_name = models.CharField(
        "name in sentences",
        max_length=150,
        blank=True,
        help_text="How the KPI reads inside a sentence, e.g. “rate of children on a child "
        "protection plan”. Blank: its description.",
    )
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="kpis")
    unit = models.CharField(max_length=10, choices=Unit.choices)
    decimals = models.PositiveSmallIntegerField(
        default=1, help_text="Decimal places the KPI is kept to and shown with."
    )
    polarity = models.CharField(max_length=10, choices=Polarity.choices)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default="monthly")
    order = models.PositiveSmallIntegerField("display order", default=0)
    definition = models.TextField(blank=True)
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

    def is_due_in(self, month: dt.date) -> bool:
        if self.frequency == Frequency.QUARTERLY:
            return periods.is_quarter_end(month)
        if self.frequency == Frequency.ANNUAL:
            return month.month == 3
        return True


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


class Target(models.Model):
    """An ongoing threshold, in force from one month to another (open-ended when no end)."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="targets")
    value = models.DecimalField(max_digits=16, decimal_places=4)
    tolerance = models.DecimalField(
        "amber tolerance",
        max_digits=16,
        decimal_places=4,
        default=Decimal(0),
        help_text="How far short of the target is still amber, in the KPI's unit.",
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
        return f"KPI {self.kpi.ref} target {self.kpi.format(self.value)} ({start} – {end})"

    @property
    def threshold(self) -> Threshold:
        return Threshold(Decimal(self.value), Decimal(self.tolerance))

    def in_force(self, month: dt.date) -> bool:
        return self.valid_from <= month and (self.valid_to is None or month <= self.valid_to)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.valid_from:
            self.valid_from = periods.month_start(self.valid_from)
        if self.valid_to:
            self.valid_to = periods.month_start(self.valid_to)
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = "The last month in force cannot be before the first."
        if self.tolerance is not None and self.tolerance < 0:
            errors["tolerance"] = "The amber tolerance cannot be negative."
        if self.kpi_id and self.value is not None:
            for problem in units.problems(Decimal(self.value), self.kpi.unit, 4):
                errors["value"] = f"Target for KPI {self.kpi.ref}: {problem}."
        if self.kpi_id and self.valid_from and not errors:
            overlapping = Target.objects.filter(kpi_id=self.kpi_id).exclude(pk=self.pk)
            overlapping = overlapping.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from)
            )
            if self.valid_to:
                overlapping = overlapping.filter(valid_from__lte=self.valid_to)
            if clash := overlapping.first():
                errors["valid_from"] = f"This overlaps another target for the KPI: {clash}."
        if errors:
            raise ValidationError(errors)


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


class Comparator(models.TextChoices):
    STATISTICAL_NEIGHBOURS = "sn", "Statistical neighbours"
    REGION = "region", "Region"
    ENGLAND = "england", "England"


class Statistic(models.TextChoices):
    MEAN = "mean", "Mean (average)"
    MEDIAN = "median", "Median"


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
