"""Persistence: tomorrow is like today. Near-optimal for many daily series; every LLM number must beat it."""

from __future__ import annotations

from typing import Any


def weather_persistence(task: Any, sequence: Any) -> list[dict[str, Any]]:
    """temp_max(t+1) = temp_max(t); rain(t+1) = rain(t)."""
    return [{"temp_max": s.context["today_temp_max"], "rain": s.context["today_rain"]} for s in sequence.steps]


def finance_persistence(task: Any, sequence: Any) -> list[dict[str, Any]]:
    """Tomorrow's return = today's (momentum); direction likewise."""
    return [{"return_pct": s.context["today_return_pct"],
             "direction": "up" if s.context["today_return_pct"] > 0 else "down"} for s in sequence.steps]


def previous_target(task: Any, sequence: Any) -> list[dict[str, Any] | None]:
    """Any task: repeat the previous step's revealed truth (no prediction at the first step)."""
    return [None, *(dict(s.target) for s in sequence.steps[:-1])][: len(sequence.steps)]
