"""Deficit-recovery progress and risk scores: pure code, no database."""

from decimal import Decimal

import pytest

from finance.recovery import RepaymentLine, repayment_progress
from finance.risk import Rating, RiskScore, risk_score
from sct_portal.periods import FinancialYear

Y = FinancialYear


def lines(*rows):
    return [RepaymentLine(Y(start), planned, actual) for start, planned, actual in rows]


def test_progress_is_repaid_so_far_over_the_deficit():
    progress = repayment_progress(
        deficit=Decimal("4000000"),
        lines=lines(
            (2020, Decimal("1000000"), Decimal("1000000")),
            (2021, Decimal("1000000"), Decimal("500000")),
            (2022, Decimal("1900000"), None),
        ),
        as_at=Y(2021),
    )
    assert progress.repaid == Decimal("1500000")
    assert progress.percent == Decimal("37.5")
    assert progress.outstanding == Decimal("2500000")
    assert progress.years_counted == (Y(2020), Y(2021))
    assert progress.years_not_recorded == ()
    assert "That is 37.5% of the £4,000,000 deficit; £2,500,000 is outstanding." in (
        progress.sentence
    )


def test_progress_counts_only_years_up_to_the_year_asked_about():
    rows = lines((2020, None, Decimal("100")), (2021, None, Decimal("200")))
    assert repayment_progress(deficit=Decimal(300), lines=rows, as_at=Y(2020)).repaid == 100
    assert repayment_progress(deficit=Decimal(300), lines=rows, as_at=Y(2021)).repaid == 300


def test_a_year_without_an_actual_is_not_recorded_rather_than_nothing_repaid():
    progress = repayment_progress(
        deficit=Decimal("1000"),
        lines=lines((2022, Decimal("1000"), None)),
        as_at=Y(2022),
    )
    assert progress.repaid == 0
    assert progress.years_counted == ()
    assert progress.years_not_recorded == (Y(2022),)
    assert "No actual repayment is recorded up to 2022/23." in progress.sentence
    assert "The actual repayment for 2022/23 is not recorded yet." in progress.sentence


def test_without_the_deficit_amount_progress_has_no_share_and_says_why():
    progress = repayment_progress(
        deficit=None, lines=lines((2022, Decimal("1900000"), Decimal("1900000"))), as_at=Y(2022)
    )
    assert progress.repaid == Decimal("1900000")
    assert progress.percent is None
    assert progress.outstanding is None
    assert "the deficit's amount is not recorded" in progress.sentence.lower()


def test_a_recorded_zero_repayment_counts_as_nothing_repaid():
    progress = repayment_progress(
        deficit=Decimal("500"), lines=lines((2022, Decimal("500"), Decimal("0"))), as_at=Y(2022)
    )
    assert progress.years_counted == (Y(2022),)
    assert progress.percent == 0


@pytest.mark.parametrize(
    ("likelihood", "impact", "score", "rating"),
    [
        (1, 1, 1, Rating.LOW),
        (2, 2, 4, Rating.LOW),
        (1, 5, 5, Rating.MEDIUM),
        (3, 3, 9, Rating.MEDIUM),
        (2, 5, 10, Rating.HIGH),
        (5, 3, 15, Rating.HIGH),
        (4, 4, 16, Rating.VERY_HIGH),
        (5, 5, 25, Rating.VERY_HIGH),
    ],
)
def test_risk_score_is_likelihood_times_impact_with_its_rating_band(
    likelihood, impact, score, rating
):
    result = risk_score(likelihood, impact)
    assert result is not None
    assert (result.score, result.rating) == (score, rating)


def test_a_risk_not_fully_assessed_has_no_score():
    assert risk_score(None, 3) is None
    assert risk_score(4, None) is None


def test_a_risk_score_is_described_in_words():
    assert RiskScore(4, 3).description == "12 (high): likelihood 4, likely; impact 3, moderate"


@pytest.mark.parametrize(
    ("likelihood", "impact", "named"), [(0, 3, "likelihood"), (3, 6, "impact")]
)
def test_a_score_off_the_scale_is_refused_naming_the_part(likelihood, impact, named):
    with pytest.raises(ValueError, match=f"The {named} is scored 1 to 5"):
        RiskScore(likelihood, impact)
