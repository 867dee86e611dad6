"""Which way is better for a KPI, and whether a change was for the better. Pure code."""

from decimal import Decimal

from django.db import models


class Polarity(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"
    NEITHER = "neither", "Neither (context measure)"


class Direction(models.TextChoices):
    BETTER = "better", "Better"
    WORSE = "worse", "Worse"
    SAME = "same", "No change"
    NOT_JUDGED = "not-judged", "Not judged"
    NO_DATA = "no-data", "No data to compare"


def direction(previous: Decimal | None, current: Decimal | None, polarity: str) -> Direction:
    """Judge a move from `previous` to `current` by the KPI's polarity."""
    if previous is None or current is None:
        return Direction.NO_DATA
    if current == previous:
        return Direction.SAME
    if polarity == Polarity.NEITHER:
        return Direction.NOT_JUDGED
    rose = current > previous
    return Direction.BETTER if rose == (polarity == Polarity.HIGHER) else Direction.WORSE


def movement(previous: Decimal | None, current: Decimal | None) -> str:
    """Plain movement regardless of polarity: "up", "down", "unchanged" or ""."""
    if previous is None or current is None:
        return ""
    if current == previous:
        return "unchanged"
    return "up" if current > previous else "down"
