import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MinValueValidator
from django.db import NotSupportedError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from sct_portal import periods

from . import spc, units
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

    # Figures change one at a time through save() and delete(), so that every change is
    # checked (units, closed months) and kept in the history. Bulk writes would skip both.
    def update(self, **kwargs: Any) -> int:
        raise NotSupportedError(BULK_REFUSED)

    def bulk_create(self, *args: Any, **kwargs: Any) -> list["Observation"]:
        raise NotSupportedError(BULK_REFUSED)

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise NotSupportedError(BULK_REFUSED)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete one by one, so that each deletion is checked and kept in the history."""
        count = 0
        with transaction.atomic():
            for observation in self:
                observation.delete()
                count += 1
        return count, {Observation._meta.label: count}


BULK_REFUSED = (
    "Figures change one at a time with save() or delete(), so that each change is checked "
    "and kept in the figure's history."
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


class Observation(models.Model):
    """One KPI's figure for one month, exactly as entered.

    Every save and delete writes an ObservationRevision. Set `change_reason`,
    `change_source` and `changed_by` on the instance before saving to say who and why.
    In a closed month (ClosedMonth), a save or delete is refused unless `changed_by` has the
    permission to amend closed periods and `change_reason` is given.
    """

    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="observations")
    month = models.DateField(validators=[first_of_month], help_text="The month's first day.")
    value = models.DecimalField(max_digits=16, decimal_places=4)
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField("analyst's note", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Rises by one with every change."
    )

    objects = ObservationQuerySet.as_manager()

    # Not stored on the row: what the next save records in the history.
    change_reason: str = ""
    change_source: str = "admin"
    changed_by: Any = None
    _changing = False
    _in_closed_month: bool | None = None  # what closed_month_problem() last found

    class Meta:
        ordering = ["kpi__order", "kpi__ref", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "month"],
                name="one_observation_per_kpi_per_month",
                violation_error_message="There is already a figure for this KPI and month.",
            ),
        ]
        indexes = [models.Index(fields=["month"])]
        permissions = [("amend_closed_period", "Can amend closed periods")]

    def __str__(self) -> str:
        return f"KPI {self.kpi.ref}, {periods.month_label(self.month)}: {self.formatted}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        with transaction.atomic():
            old = None
            if self.pk is not None:
                old = Observation.objects.select_for_update().filter(pk=self.pk).first()
            if old is not None and not self._differs_from(old):
                return
            self._changing = True  # known here; spares clean() a query
            try:
                self.full_clean()
            finally:
                self._changing = False
            if old is not None:
                self.version = old.version + 1
            super().save(*args, **kwargs)
            ObservationRevision.record(old=old, new=self, closed=self._in_closed_month)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        with transaction.atomic():
            if problem := self.closed_month_problem():
                where = f"KPI {self.kpi.ref}, {periods.month_label(self.month)}"
                raise ValidationError(f"{where}: {problem}.", code=CLOSED_MONTH)
            ObservationRevision.record(old=self, new=None, closed=self._in_closed_month)
            return super().delete(*args, **kwargs)

    def closed_month_problem(self) -> str | None:
        """Why this save or delete is refused because its month is closed; None if it is not."""
        closed = ClosedMonth.objects.filter(month=self.month).first()
        self._in_closed_month = closed is not None
        if closed is None:
            return None
        return closed.amendment_problem(by=self.changed_by, reason=self.change_reason)

    def _changes_stored_figure(self) -> bool:
        if self.pk is None or self._changing:
            return True
        stored = Observation.objects.filter(pk=self.pk).first()
        return stored is None or self._differs_from(stored)

    @property
    def formatted(self) -> str:
        return self.kpi.format(self.value)

    @property
    def month_label(self) -> str:
        return periods.month_label(self.month)

    def clean(self) -> None:
        if self.month:
            self.month = periods.month_start(self.month)
        if not (self.kpi_id and self.month):
            return
        errors = self.figure_errors()
        if self._changes_stored_figure() and (problem := self.closed_month_problem()):
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                ValidationError(f"{self._where}: {problem}.", code=CLOSED_MONTH)
            )
        if errors:
            raise ValidationError(errors)

    @property
    def _where(self) -> str:
        return f"KPI {self.kpi.ref}, {periods.month_label(self.month)}"

    def figure_errors(self) -> dict[str, list[Any]]:
        """What is wrong with the figure itself, by field, each naming the KPI and month:
        a month not started or not due, a value its unit forbids, a fraction that does
        not fit. Needs the KPI and the (first-of-)month; no database query."""
        where = self._where
        errors: dict[str, list[Any]] = {}
        today = timezone.localdate()
        if self.month > periods.month_start(today):
            errors.setdefault("month", []).append(
                f"{where}: the month has not started yet, so it cannot have a figure."
            )
        if not self.kpi.is_due_in(self.month):
            when = (
                "quarter ends (Jun, Sep, Dec, Mar)"
                if self.kpi.frequency == Frequency.QUARTERLY
                else "March"
            )
            errors.setdefault("month", []).append(
                f"{where}: a {self.kpi.frequency} KPI takes figures only at {when}."
            )
        if self.value is not None and _storable(Decimal(self.value)):
            for problem in units.problems(Decimal(self.value), self.kpi.unit, self.kpi.decimals):
                errors.setdefault("value", []).append(f"{where}: {problem}.")
        if (self.numerator is None) != (self.denominator is None):
            errors.setdefault("denominator", []).append(
                f"{where}: give both numerator and denominator, or neither."
            )
        elif self.numerator is not None and self.denominator is not None:
            errors.update(self._fraction_errors(where))
        return errors

    def _fraction_errors(self, where: str) -> dict[str, list[Any]]:
        assert self.numerator is not None
        assert self.denominator is not None
        if self.denominator == 0:
            return {"denominator": [f"{where}: the denominator cannot be 0."]}
        if self.kpi.unit != Unit.PERCENT or self.value is None:
            return {}
        if self.numerator > self.denominator:
            return {"numerator": [f"{where}: the numerator cannot exceed the denominator."]}
        expected = Decimal(100) * self.numerator / self.denominator
        half_step = Decimal(1).scaleb(-self.kpi.decimals) / 2
        if abs(expected - Decimal(self.value)) > half_step:
            shown = units.format_value(expected, Unit.PERCENT, self.kpi.decimals)
            return {
                "value": [
                    f"{where}: {self.numerator} of {self.denominator} is {shown}, "
                    f"not {self.kpi.format(Decimal(self.value))}."
                ]
            }
        return {}

    TRACKED = ("value", "numerator", "denominator", "note")

    def _differs_from(self, other: "Observation") -> bool:
        return any(
            _normalised(getattr(self, name)) != _normalised(getattr(other, name))
            for name in self.TRACKED
        )


def _storable(value: Decimal) -> bool:
    """Whether the value fits the column (16 digits, 4 after the point). Beyond it the
    field's own check speaks, and the unit checks are not run on such numbers."""
    return (
        value.is_finite()
        and abs(value) < Decimal(10) ** 12
        and value == value.quantize(Decimal("0.0001"))
    )


def _normalised(value: object) -> object:
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value)).normalize()
    if isinstance(value, str):
        try:
            return Decimal(value).normalize()
        except ArithmeticError:
            return value
    return value


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
    version = models.PositiveIntegerField(help_text="The figure's version after this change.")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
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
        if self.action == RevisionAction.CREATED:
            return f"entered as {kpi.format(self.new_value)}"
        if self.action == RevisionAction.DELETED:
            return f"{kpi.format(self.old_value)} deleted"
        if self.old_value != self.new_value:
            return f"{kpi.format(self.old_value)} → {kpi.format(self.new_value)}"
        return "numerator, denominator or note changed"

    @classmethod
    def record(
        cls, *, old: Observation | None, new: Observation | None, closed: bool | None = None
    ) -> "ObservationRevision":
        """Write one change to the history; `closed` says whether the month is closed
        (looked up when not given)."""
        current = new or old
        assert current is not None
        by = current.changed_by
        if by is None and new is not None and old is None:
            by = new.entered_by
        return cls.objects.create(
            kpi_id=current.kpi_id,
            month=current.month,
            action=(
                RevisionAction.CREATED
                if old is None
                else RevisionAction.DELETED
                if new is None
                else RevisionAction.CHANGED
            ),
            old_value=old.value if old else None,
            new_value=new.value if new else None,
            old_numerator=old.numerator if old else None,
            new_numerator=new.numerator if new else None,
            old_denominator=old.denominator if old else None,
            new_denominator=new.denominator if new else None,
            old_note=old.note if old else "",
            new_note=new.note if new else "",
            version=current.version,
            changed_by=by if getattr(by, "pk", None) else None,
            source=current.change_source,
            reason=current.change_reason,
            closed_period=(
                ClosedMonth.objects.filter(month=current.month).exists()
                if closed is None
                else closed
            ),
        )


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
        """How a sentence names it: “April 2023: new definition from April 2023”."""
        return f"{periods.month_name(self.month)}: {self.reason}"

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
    as the record of what was imported."""

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


class MonthlyReturn(Observation):
    """The admin's monthly return: one form for every figure due in a month. No table of
    its own; it is here so that the admin lists the page under KPIs."""

    class Meta:
        proxy = True
        verbose_name = "monthly return"
        verbose_name_plural = "monthly return"
        # Who may use it is decided by the permissions to add and change observations.
        default_permissions = ()
