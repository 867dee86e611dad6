"""The Service Delivery Contract and its milestones, inspections, and the action plans that
follow them.

Whether a milestone or an action is overdue is derived (deadlines.py) for a day the caller
passes, never stored. Dates the source gives only to the month are kept with their precision.
Every save validates the whole row first.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from kpis.models import Kpi

from . import deadlines
from .deadlines import Precision, Timing


class ValidatedModel(models.Model):
    """Runs every check (fields, clean(), uniqueness, constraints) before each save."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.full_clean()
        super().save(*args, **kwargs)


def precision_field(name: str) -> Any:
    return models.CharField(
        f"{name} known to",
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        help_text="Month only when the source gives just a month (“Sept 2022”).",
    )


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Contract(ValidatedModel):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=20, blank=True, help_text="For example: SDC.")
    council = models.CharField("the council", max_length=200)
    provider = models.CharField(
        "the provider", max_length=200, help_text="Who delivers the service."
    )
    start_date = models.DateField("start date")
    start_date_note = models.TextField(
        blank=True, help_text="How the start date is known, where the source does not say it."
    )
    term_years = models.PositiveSmallIntegerField(
        "term (years)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="Blank while the term is not recorded.",
        error_messages={"min_value": "The term is at least one year."},
    )
    break_clause = models.TextField(blank=True)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["start_date"]

    def __str__(self) -> str:
        return self.name

    @property
    def end_date(self) -> dt.date | None:
        """The day before the term's anniversary; None while the term is not recorded."""
        if self.term_years is None or self.start_date is None:
            return None
        return add_years(self.start_date, self.term_years) - dt.timedelta(days=1)

    def within(self, day: dt.date, precision: str) -> str | None:
        """Why `day` cannot fall within the contract, or None when it can."""
        if deadlines.latest(day, precision) < self.start_date:
            return (
                f"falls before the contract started "
                f"({deadlines.describe(self.start_date, Precision.DAY)})"
            )
        end = self.end_date
        if end is not None and deadlines.earliest(day, precision) > end:
            return f"falls after the contract ends ({deadlines.describe(end, Precision.DAY)})"
        return None


class MilestoneKind(models.TextChoices):
    REVIEW = "review", "Contract review"
    CABINET = "cabinet", "Cabinet"
    SCRUTINY = "scrutiny", "Scrutiny"
    STATUTORY = "statutory", "Statutory"
    OTHER = "other", "Other"


class MilestoneStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in-progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


CLOSED_STATUSES = ("done", "cancelled")


class HasDeadline:
    """A milestone or an action: due on a day, in a month, or on no date yet; overdue once
    that has passed and it is neither done nor cancelled."""

    due_date: dt.date | None
    due_precision: str
    status: str

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def due(self) -> str:
        return deadlines.describe(self.due_date, self.due_precision)

    def timing(self, on: dt.date) -> Timing:
        return deadlines.timing(
            due=self.due_date, precision=self.due_precision, closed=self.is_closed, on=on
        )

    def is_overdue(self, on: dt.date) -> bool:
        return self.timing(on) is Timing.OVERDUE


class Milestone(HasDeadline, ValidatedModel):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=MilestoneKind.choices)
    due_date = models.DateField(
        "due date", null=True, blank=True, help_text="Blank while the date is not known."
    )
    due_precision = precision_field("due date")
    follows = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followed_by",
        verbose_name="comes after",
        help_text="The milestone this one follows (“after cabinet”).",
    )
    status = models.CharField(
        max_length=12, choices=MilestoneStatus.choices, default=MilestoneStatus.SCHEDULED
    )
    outcome = models.TextField(blank=True)
    note = models.TextField(blank=True, help_text="Background, and where the facts come from.")
    order = models.PositiveSmallIntegerField("display order", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["contract", "order", "due_date", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.due_date:
            self.due_date = deadlines.normalise(self.due_date, self.due_precision)
            if self.contract_id is not None and (
                problem := self.contract.within(self.due_date, self.due_precision)
            ):
                errors["due_date"] = f"The due date ({self.due}) {problem}."
        if self.follows_id is not None:
            earlier = self.follows
            if earlier is None:
                pass
            elif self.pk is not None and earlier.pk == self.pk:
                errors["follows"] = "A milestone cannot come after itself."
            elif earlier.contract_id != self.contract_id:
                errors["follows"] = "The milestone this one follows must be of the same contract."
            elif (
                self.due_date
                and earlier.due_date
                and deadlines.latest(self.due_date, self.due_precision)
                < deadlines.earliest(earlier.due_date, earlier.due_precision)
            ):
                errors["due_date"] = (
                    f"The due date ({self.due}) is before that of the milestone it follows "
                    f"({earlier.title}, {earlier.due})."
                )
        if errors:
            raise ValidationError(errors)


class Judgement(models.TextChoices):
    """Ofsted's four-point scale."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires-improvement", "Requires improvement to be good"
    INADEQUATE = "inadequate", "Inadequate"


JUDGEMENT_ERROR = (
    "The {field} must be one of Ofsted's four: Outstanding, Good, "
    "Requires improvement to be good, or Inadequate (not %(value)r)."
)


class Inspection(ValidatedModel):
    inspectorate = models.CharField(max_length=100, default="Ofsted")
    framework = models.CharField(
        max_length=100,
        help_text="For example: ILACS (inspecting local authority children’s services).",
    )
    fieldwork_start = models.DateField("fieldwork start")
    fieldwork_end = models.DateField(
        "fieldwork end", null=True, blank=True, help_text="Blank when only the start is known."
    )
    fieldwork_precision = precision_field("fieldwork dates")
    published_on = models.DateField(
        "publication date", null=True, blank=True, help_text="Blank until the report is out."
    )
    overall_judgement = models.CharField(
        "overall judgement",
        max_length=20,
        choices=Judgement.choices,
        blank=True,
        error_messages={"invalid_choice": JUDGEMENT_ERROR.format(field="overall judgement")},
    )
    report_url = models.URLField("report address", blank=True)
    note = models.TextField(blank=True, help_text="Background, and where the facts come from.")

    class Meta:
        ordering = ["-fieldwork_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(overall_judgement__in=["", *Judgement.values]),
                name="inspection_judgement_on_the_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspectorate} {self.framework}, {self.fieldwork}"

    @property
    def fieldwork(self) -> str:
        """ "May 2022", "9 to 20 May 2022", "from 9 May 2022"."""
        start = deadlines.describe(self.fieldwork_start, self.fieldwork_precision)
        if self.fieldwork_end is None:
            return start if self.fieldwork_precision == Precision.MONTH else f"from {start}"
        end = deadlines.describe(self.fieldwork_end, self.fieldwork_precision)
        return start if start == end else f"{start} to {end}"

    @property
    def published(self) -> str:
        return deadlines.describe(self.published_on, Precision.DAY, unknown="not yet published")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        precision = self.fieldwork_precision
        if self.fieldwork_start:
            self.fieldwork_start = deadlines.normalise(self.fieldwork_start, precision)
        if self.fieldwork_end:
            self.fieldwork_end = deadlines.normalise(self.fieldwork_end, precision)
        if (
            self.fieldwork_start
            and self.fieldwork_end
            and self.fieldwork_end < self.fieldwork_start
        ):
            errors["fieldwork_end"] = "The fieldwork cannot end before it starts."
        last_fieldwork = self.fieldwork_end or self.fieldwork_start
        if self.published_on and last_fieldwork and self.published_on <= last_fieldwork:
            errors["published_on"] = (
                f"The publication date ({self.published}) must be after the fieldwork "
                f"({self.fieldwork})."
            )
        if self.overall_judgement and not self.published_on and "published_on" not in errors:
            errors["published_on"] = (
                "A judgement is given in the published report: enter the publication date."
            )
        if errors:
            raise ValidationError(errors)


class SubJudgement(ValidatedModel):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="sub_judgements"
    )
    area = models.CharField(max_length=300, help_text="What is judged, as the report words it.")
    judgement = models.CharField(
        max_length=20,
        choices=Judgement.choices,
        error_messages={"invalid_choice": JUDGEMENT_ERROR.format(field="judgement")},
    )
    order = models.PositiveSmallIntegerField("display order", default=0)

    class Meta:
        ordering = ["inspection", "order", "area"]
        verbose_name = "sub-judgement"
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "area"],
                name="one_sub_judgement_per_area",
                violation_error_message="This inspection already has a judgement for that area.",
            ),
            models.CheckConstraint(
                condition=Q(judgement__in=Judgement.values),
                name="sub_judgement_on_the_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.get_judgement_display()}"


class PlanStatus(models.TextChoices):
    PREPARING = "preparing", "Being prepared"
    SHARED = "shared", "Shared"
    CLOSED = "closed", "Closed"


class ActionPlan(ValidatedModel):
    title = models.CharField(max_length=300)
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_plans",
        help_text="The inspection the plan responds to, if any.",
    )
    description = models.TextField(blank=True)
    shared_with = models.CharField("to be shared with", max_length=200, blank=True)
    shared_on = models.DateField("shared on", null=True, blank=True)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default="preparing")
    note = models.TextField(blank=True, help_text="Background, and where the facts come from.")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.shared_on and not self.shared_with:
            raise ValidationError({"shared_with": "Say who the plan was shared with."})
        if self.status == PlanStatus.SHARED and not self.shared_on:
            raise ValidationError({"shared_on": "Enter the date the plan was shared."})
        inspection = self.inspection if self.inspection_id is not None else None
        if (
            self.shared_on
            and inspection is not None
            and inspection.published_on
            and self.shared_on < inspection.published_on
        ):
            raise ValidationError(
                {
                    "shared_on": "The plan cannot be shared before the inspection report was "
                    f"published ({inspection.published})."
                }
            )


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not-started", "Not started"
    IN_PROGRESS = "in-progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class ActionQuerySet(models.QuerySet["Action"]):
    def open(self) -> "ActionQuerySet":
        return self.exclude(status__in=CLOSED_STATUSES)


class Action(HasDeadline, ValidatedModel):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=200)
    due_date = models.DateField(
        "due date", null=True, blank=True, help_text="Blank while the date is not known."
    )
    due_precision = precision_field("due date")
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    kpis = models.ManyToManyField(
        Kpi,
        blank=True,
        related_name="actions",
        verbose_name="KPIs",
        help_text="The KPIs this action is meant to improve.",
    )
    outcome = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField("display order", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "order", "due_date", "id"]

    def __str__(self) -> str:
        text = self.description
        return text if len(text) <= 80 else text[:77] + "…"

    def clean(self) -> None:
        if self.due_date:
            self.due_date = deadlines.normalise(self.due_date, self.due_precision)


# =======================================================================================
# Ofsted's published judgements of every local authority (the ILACS outcomes file), for
# comparing the organisation's with its statistical neighbours'. Imported by
# contracts/ofsted.py into a kpis.Release, like every published file.
# =======================================================================================


class PublishedInspection(models.Model):
    """One inspection or visit of a local authority, as Ofsted's outcomes file lists it."""

    release = models.ForeignKey(
        "kpis.Release", on_delete=models.PROTECT, related_name="inspections"
    )
    ons_code = models.CharField("ONS code", max_length=20, help_text="As Ofsted gives it.")
    la_name = models.CharField("local authority", max_length=200)
    la_status = models.CharField(
        "local authority status",
        max_length=40,
        blank=True,
        help_text="Current, or no longer exists.",
    )
    region = models.CharField("Ofsted region", max_length=100, blank=True)
    kind = models.CharField(
        max_length=100, help_text="ILACS Standard Inspection, Short Inspection, Focused Visit…"
    )
    inspected_on = models.DateField("inspection date")
    published_on = models.DateField("publication date", null=True, blank=True)
    overall = models.CharField(
        "overall effectiveness", max_length=20, choices=Judgement.choices, blank=True
    )
    leadership = models.CharField(
        "impact of leaders", max_length=20, choices=Judgement.choices, blank=True
    )
    help_and_protection = models.CharField(
        "children who need help and protection",
        max_length=20,
        choices=Judgement.choices,
        blank=True,
    )
    in_care = models.CharField(
        "children in care", max_length=20, choices=Judgement.choices, blank=True
    )
    care_leavers = models.CharField(
        "care leavers",
        max_length=20,
        choices=Judgement.choices,
        blank=True,
        help_text="A sub-judgement since 1 January 2023: blank for earlier inspections.",
    )
    theme = models.CharField("visit theme", max_length=200, blank=True)
    place = models.CharField(max_length=100, help_text="The sheet and row it was read from.")

    JUDGEMENTS = ("overall", "leadership", "help_and_protection", "in_care", "care_leavers")

    class Meta:
        ordering = ["la_name", "-inspected_on"]
        verbose_name = "published inspection outcome"
        constraints = [
            models.UniqueConstraint(
                fields=["release", "ons_code", "inspected_on", "kind"],
                name="one_published_inspection_per_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.la_name}: {self.kind}, {self.inspected_on:%-d %B %Y}"
