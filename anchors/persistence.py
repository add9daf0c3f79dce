"""Persistence: tomorrow is like today. Near-optimal for many daily series; every LLM number must beat it."""

from __future__ import annotations

from typing import Any


def weather_persistence(task: Any, sequence: Any) -> list[dict[str, Any]]:
    """temp_max(t+1) = temp_max(t); rain(t+1) = rain(t)."""
    return [{"temp_max": s.context["today_temp_max"], "rain": s.context["today_rain"]} for s in sequence.steps]
