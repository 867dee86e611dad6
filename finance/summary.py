"""A financial year's finance as plain frozen values: what the finance page, the quarterly
report and its Excel sheet render. One function, a fixed number of queries."""

from dataclasses import dataclass
from decimal import Decimal

from sct_portal.periods import FinancialYear, Quarter

from .models import DeficitRecoveryPlan, FinanceYear, RiskStatus
from .money import Variance, format_money
from .recovery import Progress, RepaymentLine, repayment_progress
from .risk import RiskScore


@dataclass(frozen=True)
class ForecastSummary:
    quarter: Quarter
    forecast_surplus: Decimal
    note: str


@dataclass(frozen=True)
class RepaymentSummary:
    year: FinancialYear
    planned: Decimal | None
    actual: Decimal | None
    note: str


@dataclass(frozen=True)
class RecoverySummary:
    deficit_year: FinancialYear
    deficit_amount: Decimal | None
    repay_by: FinancialYear
    description: str
    source: str
    repayments: tuple[RepaymentSummary, ...]
    progress: Progress

    @property
    def title(self) -> str:
        return f"Repaying the {self.deficit_year.label} deficit by the end of {self.repay_by.label}"

    @property
    def planned_total(self) -> Decimal | None:
        """The repayments planned in all, when every year's planned amount is recorded."""
        planned = [line.planned for line in self.repayments]
        if not planned or any(amount is None for amount in planned):
            return None
        return sum((amount for amount in planned if amount is not None), Decimal(0))

    @property
    def sentence(self) -> str:
        plans = "; ".join(
            f"{format_money(line.planned, short=True)} in {line.year.label}"
            if line.planned is not None
            else f"an amount not recorded in {line.year.label}"
            for line in self.repayments
        )
        planned = f" Repayments planned: {plans}." if plans else ""
        deficit = (
            f"a deficit of {format_money(self.deficit_amount, short=True)}"
            if self.deficit_amount is not None
            else "a deficit whose amount is not recorded"
        )
        return (
            f"The {self.deficit_year.label} plan is to repay {deficit} by the end of "
            f"{self.repay_by.label}.{planned} {self.progress.sentence}"
        )


@dataclass(frozen=True)
class LineSummary:
    area: str
    budget: Decimal
    forecast_outturn: Decimal
    note: str

    @property
    def variance(self) -> Variance:
        return Variance(budget=self.budget, forecast=self.forecast_outturn)


@dataclass(frozen=True)
class QuarterMonitoring:
    quarter: Quarter
    lines: tuple[LineSummary, ...]

    @property
    def total(self) -> Variance:
        return Variance(
            budget=sum((line.budget for line in self.lines), Decimal(0)),
            forecast=sum((line.forecast_outturn for line in self.lines), Decimal(0)),
        )

    @property
    def sentence(self) -> str:
        total = self.total
        areas = f"{len(self.lines)} area{'s' if len(self.lines) != 1 else ''}"
        text = (
            f"At {self.quarter} the forecast outturn across {areas} is "
            f"{format_money(total.forecast, short=True)} against a budget of "
            f"{format_money(total.budget, short=True)}: {total.description}."
        )
        overspends = [line for line in self.lines if line.variance.amount > 0]
        if overspends:
            worst = max(overspends, key=lambda line: line.variance.amount)
            text += f" The largest overspend is in {worst.area}: {worst.variance.description}."
        return text


@dataclass(frozen=True)
class RiskSummary:
    title: str
    description: str
    owner: str
    status: str
    status_label: str
    score: RiskScore | None
    value_at_risk: Decimal | None
    mitigation: str
    source: str

    @property
    def is_open(self) -> bool:
        return self.status != RiskStatus.CLOSED


@dataclass(frozen=True)
class FinanceSummary:
    year: FinancialYear
    contract_sum: Decimal | None
    contract_sum_approval: str
    planned_surplus: Decimal | None
    forecasts: tuple[ForecastSummary, ...]
    recovery_plans: tuple[RecoverySummary, ...]
    monitoring: tuple[QuarterMonitoring, ...]
    risks: tuple[RiskSummary, ...]
    source: str

    @property
    def latest_forecast(self) -> ForecastSummary | None:
        return self.forecasts[-1] if self.forecasts else None

    @property
    def surplus_against_plan(self) -> Decimal | None:
        """The latest forecast surplus less the planned one; None unless both are recorded."""
        forecast = self.latest_forecast
        if forecast is None or self.planned_surplus is None:
            return None
        return forecast.forecast_surplus - self.planned_surplus

    @property
    def surplus_sentence(self) -> str:
        planned = (
            f"The planned surplus for {self.year.label} is "
            f"{format_money(self.planned_surplus, short=True)}."
            if self.planned_surplus is not None
            else f"No planned surplus is recorded for {self.year.label}."
        )
        forecast = self.latest_forecast
        if forecast is None:
            return f"{planned} No forecast is recorded yet."
        gap = self.surplus_against_plan
        text = (
            f"{planned} At {forecast.quarter} the forecast surplus is "
            f"{format_money(forecast.forecast_surplus, short=True)}"
        )
        if gap is None:
            return text + "."
        if gap == 0:
            return text + ", as planned."
        word = "above" if gap > 0 else "below"
        return text + f", {format_money(abs(gap), short=True)} {word} plan."

    @property
    def latest_monitoring(self) -> QuarterMonitoring | None:
        return self.monitoring[-1] if self.monitoring else None

    @property
    def open_risks(self) -> tuple[RiskSummary, ...]:
        return tuple(risk for risk in self.risks if risk.is_open)


def finance_summary(
    *, year: FinancialYear, quarter: Quarter | None = None
) -> FinanceSummary | None:
    """The year's finance; with `quarter`, forecasts and monitoring lines up to that quarter.

    None when nothing is recorded for the year.
    """
    if quarter is not None and quarter.year != year:
        raise ValueError(f"{quarter} is not a quarter of {year}")
    record = FinanceYear.objects.filter(start_year=year.start).first()
    if record is None:
        return None
    last = quarter.number if quarter is not None else 4
    forecasts = tuple(
        ForecastSummary(Quarter(year, f.quarter), f.forecast_surplus, f.note)
        for f in record.forecasts.filter(quarter__lte=last).order_by("quarter")
    )
    by_quarter: dict[int, list[LineSummary]] = {}
    for line in record.lines.filter(quarter__lte=last).order_by("quarter", "order", "area"):
        by_quarter.setdefault(line.quarter, []).append(
            LineSummary(line.area, line.budget, line.forecast_outturn, line.note)
        )
    monitoring = tuple(
        QuarterMonitoring(Quarter(year, number), tuple(lines))
        for number, lines in sorted(by_quarter.items())
    )
    risks = tuple(
        RiskSummary(
            title=risk.title,
            description=risk.description,
            owner=risk.owner,
            status=risk.status,
            status_label=risk.get_status_display(),
            score=risk.score,
            value_at_risk=risk.value_at_risk,
            mitigation=risk.mitigation,
            source=risk.source,
        )
        for risk in record.risks.order_by("order", "title")
    )
    plans = DeficitRecoveryPlan.objects.filter(
        deficit_year__lt=year.start, repay_by_year__gte=year.start
    ).prefetch_related("repayments")
    return FinanceSummary(
        year=year,
        contract_sum=record.contract_sum,
        contract_sum_approval=record.approval,
        planned_surplus=record.planned_surplus,
        forecasts=forecasts,
        recovery_plans=tuple(_recovery(plan, year) for plan in plans),
        monitoring=monitoring,
        risks=risks,
        source=record.source,
    )


def _recovery(plan: DeficitRecoveryPlan, as_at: FinancialYear) -> RecoverySummary:
    repayments = tuple(
        RepaymentSummary(FinancialYear(r.year), r.planned, r.actual, r.note)
        for r in sorted(plan.repayments.all(), key=lambda r: r.year)
    )
    return RecoverySummary(
        deficit_year=plan.deficit_financial_year,
        deficit_amount=plan.deficit_amount,
        repay_by=plan.repay_by_financial_year,
        description=plan.description,
        source=plan.source,
        repayments=repayments,
        progress=repayment_progress(
            deficit=plan.deficit_amount,
            lines=[RepaymentLine(r.year, r.planned, r.actual) for r in repayments],
            as_at=as_at,
        ),
    )


def recorded_years() -> list[FinancialYear]:
    """Every financial year with finance recorded, newest first."""
    starts = FinanceYear.objects.order_by("-start_year").values_list("start_year", flat=True)
    return [FinancialYear(start) for start in starts]
