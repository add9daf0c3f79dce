"""How numbers and confidence intervals are written in tables (console and Markdown)."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

from llm_as_rnn.metrics.bootstrap import MIN_SEQUENCES_FOR_CI


def format_number(value: float | None, digits: int = 3) -> str:
    """A number with fixed decimals; a dash for missing or NaN."""
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def format_interval(interval: Any, digits: int = 3, separator: str = " ") -> str:
    """'estimate [low, high] N=n' (the CI after `separator`, with the number of sequences it resamples, flagged
    with '!' below `MIN_SEQUENCES_FOR_CI`); the estimate and N alone when there is no CI."""
    if math.isnan(interval.estimate):
        return "—"
    n = getattr(interval, "n", 0)
    count = f" N={n}{'!' if n < MIN_SEQUENCES_FOR_CI else ''}" if n else ""
    if math.isnan(interval.low):
        return f"{format_number(interval.estimate, digits)}{count}"
    low, high = format_number(interval.low, digits), format_number(interval.high, digits)
    return f"{format_number(interval.estimate, digits)}{separator}[{low}, {high}]{count}"


def format_interval_dict(row: dict[str, Any], digits: int = 3) -> str:
    """`format_interval` of an interval stored as a dict (`estimate`, `low`, `high`, `n`) in results.json."""
    def number(key: str) -> float:
        value = row.get(key)
        return float("nan") if value is None else float(value)

    interval = SimpleNamespace(estimate=number("estimate"), low=number("low"), high=number("high"),
                               n=int(row.get("n") or 0))
    return format_interval(interval, digits)
