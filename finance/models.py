"""Finance per financial year: the contract sum, the planned surplus and its forecasts, the
deficit-recovery plan and its repayments, quarterly monitoring lines and the risk register.

Money is Decimal to the penny. Variance, repayment progress and risk scores are derived
(money.py, recovery.py, risk.py), never stored. Every save validates the whole row first.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from sct_portal import periods
from sct_portal.periods import FinancialYear

from .money import MONEY_DIGITS, MONEY_PLACES, Variance, format_money
from .risk import IMPACT_WORDS, LIKELIHOOD_WORDS, RiskScore, risk_score

FIRST_YEAR, LAST_YEAR = 2010, 2040
YEAR_CHOICES = [(start, FinancialYear(start).label) for start in range(FIRST_YEAR, LAST_YEAR + 1)]
QUARTER_CHOICES = [
    (1, "Q1 (April–June)"),
    (2, "Q2 (July–September)"),
    (3, "Q3 (October–December)"),
    (4, "Q4 (January–March)"),
]


def money_field(
    name: str, *, signed: bool = False, required: bool = True, help_text: str = ""
) -> Any:
    """A DecimalField in pounds to the penny whose every error message names the field."""
    label = name[0].upper() + name[1:]
    return models.DecimalField(
        name,
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        null=not required,
        blank=not required,
        validators=[] if signed else [MinValueValidator(Decimal(0))],
        help_text=help_text or "In pounds, to the penny: 1900000.00 for £1.9m.",
        error_messages={
            "invalid": f"{label}: enter an amount in pounds, such as 1900000.00.",
            "min_value": f"{label} cannot be negative.",
            "max_decimal_places": f"{label} is kept to the penny: at most 2 decimal places.",
            "max_digits": f"{label} is too large: at most 12 digits before the decimal point.",
            "max_whole_digits": f"{label} is too large: at most 12 digits before the point.",
            "required": f"Enter the {name}.",
        },
    )


def year_field(name: str, help_text: str = "") -> Any:
    return models.PositiveSmallIntegerField(
        name,
        choices=YEAR_CHOICES,
        help_text=help_text,
        error_messages={"invalid_choice": f"The {name} must be a financial year such as 2022/23."},
    )


class ValidatedModel(models.Model):
    """Runs every check (fields, clean(), uniqueness, constraints) before each save."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.full_clean()
        super().save(*args, **kwargs)


class FinanceYear(ValidatedModel):
    start_year = models.PositiveSmallIntegerField(
        "financial year",
        choices=YEAR_CHOICES,
        unique=True,
        error_messages={
            "unique": "This financial year is already recorded.",
            "invalid_choice": "The financial year must be one such as 2022/23.",
        },
    )
    contract_sum = money_field(
        "contract sum",
        required=False,
        help_text="The year's Contract Sum in pounds; blank while the amount is not recorded.",
    )
    contract_sum_approved_by = models.CharField(
        "contract sum approved by", max_length=200, blank=True, help_text="For example: Cabinet."
    )
    contract_sum_approved_in = models.DateField(
        "contract sum approved in",
        null=True,
        blank=True,
        help_text="The month of the approval (any day of it; kept as the month).",
    )
    planned_surplus = money_field(
        "planned surplus",
        signed=True,
        required=False,
        help_text="The surplus planned for the year, in pounds (negative for a deficit).",
    )
    source = models.TextField(blank=True, help_text="Where these facts come from.")

    class Meta:
        ordering = ["-start_year"]
        verbose_name = "financial year"

    def __str__(self) -> str:
        return self.financial_year.label

    def get_absolute_url(self) -> str:
        return reverse("finance:year", kwargs={"year": self.financial_year.slug})

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear(self.start_year)

    @property
    def approval(self) -> str:
        """ "Approved by Cabinet in February 2022"; honest about what is missing."""
        if not self.contract_sum_approved_by and not self.contract_sum_approved_in:
            return "Approval not recorded"
        who = f" by {self.contract_sum_approved_by}" if self.contract_sum_approved_by else ""
        when = (
            f" in {periods.month_name(self.contract_sum_approved_in)}"
            if self.contract_sum_approved_in
            else ""
        )
        return f"Approved{who}{when}"

    def clean(self) -> None:
        if self.contract_sum_approved_in:
            self.contract_sum_approved_in = periods.month_start(self.contract_sum_approved_in)


class SurplusForecast(ValidatedModel):
    """The surplus forecast at a quarter; each quarter's forecast is kept."""

    year = models.ForeignKey(FinanceYear, on_delete=models.PROTECT, related_name="forecasts")
    quarter = models.PositiveSmallIntegerField(choices=QUARTER_CHOICES)
    forecast_surplus = money_field("forecast surplus", signed=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter"],
                name="one_surplus_forecast_per_quarter",
                violation_error_message="There is already a surplus forecast for this quarter.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period}: forecast surplus {format_money(self.forecast_surplus)}"

    @property
    def period(self) -> periods.Quarter:
        return periods.Quarter(FinancialYear(self.year.start_year), self.quarter)


class DeficitRecoveryPlan(ValidatedModel):
    deficit_year = year_field("year of the deficit", "The financial year the deficit arose in.")
    deficit_amount = money_field(
        "deficit amount", required=False, help_text="Blank while the amount is not recorded."
    )
    repay_by_year = year_field("to be repaid by the end of", "The last financial year of the plan.")
    description = models.TextField(blank=True)
    source = models.TextField(blank=True, help_text="Where the plan is described.")

    class Meta:
        ordering = ["-deficit_year"]
        verbose_name = "deficit-recovery plan"
        constraints = [
            models.UniqueConstraint(
                fields=["deficit_year"],
                name="one_recovery_plan_per_deficit_year",
                violation_error_message="There is already a recovery plan for that year's deficit.",
            ),
            models.CheckConstraint(
                condition=Q(repay_by_year__gt=models.F("deficit_year")),
                name="recovery_plan_ends_after_the_deficit",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Repay the {self.deficit_financial_year.label} deficit by the end of "
            f"{self.repay_by_financial_year.label}"
        )

    @property
    def deficit_financial_year(self) -> FinancialYear:
        return FinancialYear(self.deficit_year)

    @property
    def repay_by_financial_year(self) -> FinancialYear:
        return FinancialYear(self.repay_by_year)

    def covers(self, year: FinancialYear) -> bool:
        return bool(self.deficit_year < year.start <= self.repay_by_year)

    def clean(self) -> None:
        if self.deficit_year and self.repay_by_year and self.repay_by_year <= self.deficit_year:
            raise ValidationError(
                {
                    "repay_by_year": "The year the deficit is to be repaid by must come after "
                    f"the year of the deficit ({FinancialYear(self.deficit_year).label})."
                }
            )


class Repayment(ValidatedModel):
    """One year of a recovery plan: the repayment planned and, once known, the actual."""

    plan = models.ForeignKey(
        DeficitRecoveryPlan, on_delete=models.CASCADE, related_name="repayments"
    )
    year = year_field("financial year")
    planned = money_field(
        "planned repayment", required=False, help_text="Blank while not recorded."
    )
    actual = money_field(
        "actual repayment",
        required=False,
        help_text="Blank until the year's outturn is known; 0.00 only when nothing was repaid.",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year"],
                name="one_repayment_per_plan_per_year",
                violation_error_message="This plan already has a repayment for that year.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.financial_year.label}: planned {format_money(self.planned)}"

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear(self.year)

    def clean(self) -> None:
        if self.plan_id is None or not self.year:
            return
        plan = self.plan
        if not plan.covers(self.financial_year):
            raise ValidationError(
                {
                    "year": f"A repayment year must fall after the deficit's year "
                    f"({plan.deficit_financial_year.label}) and no later than "
                    f"{plan.repay_by_financial_year.label}, not {self.financial_year.label}."
                }
            )


class MonitoringLine(ValidatedModel):
    """One area's budget and forecast outturn at a quarter. Variance is derived."""

    year = models.ForeignKey(FinanceYear, on_delete=models.PROTECT, related_name="lines")
    quarter = models.PositiveSmallIntegerField(choices=QUARTER_CHOICES)
    area = models.CharField(max_length=100, help_text="For example: Placements, Staffing.")
    budget = money_field("budget")
    forecast_outturn = money_field("forecast outturn")
    note = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField("display order", default=0)

    class Meta:
        ordering = ["year", "quarter", "order", "area"]
        verbose_name = "quarterly monitoring line"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter", "area"],
                name="one_monitoring_line_per_area_per_quarter",
                violation_error_message="This area already has a line for that quarter.",
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="budget_not_negative"),
            models.CheckConstraint(
                condition=Q(forecast_outturn__gte=0), name="forecast_outturn_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period}, {self.area}"

    @property
    def period(self) -> periods.Quarter:
        return periods.Quarter(FinancialYear(self.year.start_year), self.quarter)

    @property
    def variance(self) -> Variance:
        return Variance(budget=Decimal(self.budget), forecast=Decimal(self.forecast_outturn))


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    MANAGED = "managed", "Managed (mitigation in place, still watched)"
    CLOSED = "closed", "Closed"


LIKELIHOOD_CHOICES = [(n, f"{n} – {word}") for n, word in LIKELIHOOD_WORDS.items()]
IMPACT_CHOICES = [(n, f"{n} – {word}") for n, word in IMPACT_WORDS.items()]


class FinancialRisk(ValidatedModel):
    year = models.ForeignKey(FinanceYear, on_delete=models.PROTECT, related_name="risks")
    title = models.CharField(max_length=200)
    description = models.TextField()
    owner = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    likelihood = models.PositiveSmallIntegerField(
        choices=LIKELIHOOD_CHOICES,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (rare) to 5 (almost certain); blank while not assessed.",
        error_messages={"invalid_choice": "The likelihood is scored 1 to 5."},
    )
    impact = models.PositiveSmallIntegerField(
        choices=IMPACT_CHOICES,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (negligible) to 5 (severe); blank while not assessed.",
        error_messages={"invalid_choice": "The impact is scored 1 to 5."},
    )
    value_at_risk = money_field(
        "value at risk", required=False, help_text="In pounds, where known; blank otherwise."
    )
    mitigation = models.TextField(blank=True)
    source = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField("display order", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "order", "title"]
        verbose_name = "financial risk"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "title"],
                name="one_risk_per_title_per_year",
                violation_error_message="The register already has a risk of that title this year.",
            ),
            models.CheckConstraint(
                condition=Q(likelihood__isnull=True) | Q(likelihood__gte=1, likelihood__lte=5),
                name="risk_likelihood_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(impact__isnull=True) | Q(impact__gte=1, impact__lte=5),
                name="risk_impact_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> RiskScore | None:
        return risk_score(self.likelihood, self.impact)

    def clean(self) -> None:
        if (self.likelihood is None) != (self.impact is None):
            missing = "impact" if self.impact is None else "likelihood"
            raise ValidationError(
                {missing: f"Score both likelihood and impact, or neither: the {missing} is blank."}
            )
