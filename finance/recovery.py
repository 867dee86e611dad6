"""The deficit-recovery plan: how much of a deficit has been repaid. Pure code."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sct_portal.periods import FinancialYear

from .money import HUNDRED, format_money, format_percent


@dataclass(frozen=True)
class RepaymentLine:
    year: FinancialYear
    planned: Decimal | None
    actual: Decimal | None


@dataclass(frozen=True)
class Progress:
    """Repayments recorded up to a year, against the deficit (when its amount is known)."""

    as_at: FinancialYear
    deficit: Decimal | None
    repaid: Decimal
    years_counted: tuple[FinancialYear, ...]
    years_not_recorded: tuple[FinancialYear, ...]

    @property
    def percent(self) -> Decimal | None:
        """Repaid so far as a percentage of the deficit; None when the deficit is not recorded."""
        if self.deficit is None or self.deficit == 0:
            return None
        return HUNDRED * self.repaid / self.deficit

    @property
    def outstanding(self) -> Decimal | None:
        if self.deficit is None:
            return None
        return self.deficit - self.repaid

    @property
    def sentence(self) -> str:
        parts: list[str] = []
        if self.years_counted:
            counted = ", ".join(year.label for year in self.years_counted)
            parts.append(f"Repayments of {format_money(self.repaid)} are recorded ({counted}).")
        else:
            parts.append(f"No actual repayment is recorded up to {self.as_at.label}.")
        if self.years_not_recorded:
            missing = ", ".join(year.label for year in self.years_not_recorded)
            parts.append(f"The actual repayment for {missing} is not recorded yet.")
        if self.deficit is None:
            parts.append(
                "The deficit's amount is not recorded, so progress cannot be given as a share."
            )
        else:
            parts.append(
                f"That is {format_percent(self.percent)} of the {format_money(self.deficit)} "
                f"deficit; {format_money(self.outstanding)} is outstanding."
            )
        return " ".join(parts)


def repayment_progress(
    *, deficit: Decimal | None, lines: Sequence[RepaymentLine], as_at: FinancialYear
) -> Progress:
    """Actual repayments in years up to and including `as_at`; a year whose actual is not
    recorded counts as unknown, not as nothing repaid."""
    up_to = sorted((line for line in lines if line.year <= as_at), key=lambda line: line.year)
    counted = tuple(line for line in up_to if line.actual is not None)
    return Progress(
        as_at=as_at,
        deficit=deficit,
        repaid=sum((line.actual for line in counted if line.actual is not None), Decimal(0)),
        years_counted=tuple(line.year for line in counted),
        years_not_recorded=tuple(line.year for line in up_to if line.actual is None),
    )
