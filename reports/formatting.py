"""How numbers and confidence intervals are written in tables (console and Markdown)."""

from __future__ import annotations

import math
from typing import Any


def format_number(value: float | None, digits: int = 3) -> str:
    """A number with fixed decimals; a dash for missing or NaN."""
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def format_interval(interval: Any, digits: int = 3, separator: str = " ") -> str:
    """'estimate [low, high]' (the CI after `separator`); the estimate alone when there is no CI."""
    if math.isnan(interval.estimate):
        return "—"
    if math.isnan(interval.low):
        return format_number(interval.estimate, digits)
    low, high = format_number(interval.low, digits), format_number(interval.high, digits)
    return f"{format_number(interval.estimate, digits)}{separator}[{low}, {high}]"
