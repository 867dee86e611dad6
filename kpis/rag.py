"""Red/amber/green against a target, judged in the KPI's polarity. Pure code.

Green meets the target; amber misses it by no more than the tolerance; red misses it by
more. A KPI with no target, or no polarity, has no RAG and says so.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from .polarity import Polarity


class Rag(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"
    NO_TARGET = "no-target", "No target"
    NOT_JUDGED = "not-judged", "Not judged"
    NO_DATA = "no-data", "No data"


@dataclass(frozen=True)
class Stated:
    """A status the organisation states itself (its own RAG and/or words, and why), shown as
    stated, never mistaken for a derived RAG."""

    rag: str = ""  # green, amber, red, or ""
    words: str = ""
    reason: str = ""

    @property
    def text(self) -> str:
        """Amber: potential concern"""
        label = {"green": "Green", "amber": "Amber", "red": "Red"}.get(self.rag, "")
        return ": ".join(part for part in (label, self.words) if part)


@dataclass(frozen=True)
class Threshold:
    value: Decimal
    tolerance: Decimal = Decimal(0)


def rag(value: Decimal | None, threshold: Threshold | None, polarity: str) -> Rag:
    if polarity == Polarity.NEITHER:
        return Rag.NOT_JUDGED
    if threshold is None:
        return Rag.NO_TARGET
    if value is None:
        return Rag.NO_DATA
    # Shortfall: how far the value falls short of the target in the bad direction.
    shortfall = threshold.value - value if polarity == Polarity.HIGHER else value - threshold.value
    if shortfall <= 0:
        return Rag.GREEN
    if shortfall <= threshold.tolerance:
        return Rag.AMBER
    return Rag.RED


def explain(outcome: Rag, polarity: str) -> str:
    """The RAG outcome in words, for the page and for screen readers."""
    above_or_below = "at or above" if polarity == Polarity.HIGHER else "at or below"
    return {
        Rag.GREEN: f"meets its target ({above_or_below} it)",
        Rag.AMBER: "misses its target, but within the amber tolerance",
        Rag.RED: "misses its target by more than the amber tolerance",
        Rag.NO_TARGET: "has no target in force",
        Rag.NOT_JUDGED: "is a context measure, not judged against a target",
        Rag.NO_DATA: "has no figure to judge",
    }[outcome]
