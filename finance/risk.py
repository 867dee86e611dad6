"""A risk's score on the five-by-five matrix: likelihood × impact, and its rating. Pure code."""

from dataclasses import dataclass
from enum import StrEnum

SCALE = range(1, 6)
LIKELIHOOD_WORDS = {1: "rare", 2: "unlikely", 3: "possible", 4: "likely", 5: "almost certain"}
IMPACT_WORDS = {1: "negligible", 2: "minor", 3: "moderate", 4: "major", 5: "severe"}


class Rating(StrEnum):
    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"
    VERY_HIGH = "Very high"


# The highest score of each rating: 1–4 low, 5–9 medium, 10–15 high, 16–25 very high.
BANDS = ((4, Rating.LOW), (9, Rating.MEDIUM), (15, Rating.HIGH), (25, Rating.VERY_HIGH))


@dataclass(frozen=True)
class RiskScore:
    likelihood: int
    impact: int

    def __post_init__(self) -> None:
        for name in ("likelihood", "impact"):
            if getattr(self, name) not in SCALE:
                raise ValueError(f"The {name} is scored 1 to 5, not {getattr(self, name)}")

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def rating(self) -> Rating:
        return next(rating for top, rating in BANDS if self.score <= top)

    @property
    def description(self) -> str:
        """ "12 (high): likelihood 4, likely; impact 3, moderate"."""
        return (
            f"{self.score} ({self.rating.value.lower()}): likelihood {self.likelihood}, "
            f"{LIKELIHOOD_WORDS[self.likelihood]}; impact {self.impact}, "
            f"{IMPACT_WORDS[self.impact]}"
        )


def risk_score(likelihood: int | None, impact: int | None) -> RiskScore | None:
    """The score, or None while the risk is not (fully) assessed."""
    if likelihood is None or impact is None:
        return None
    return RiskScore(likelihood, impact)
