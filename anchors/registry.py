"""Which anchors each task has. An anchor maps (task, sequence) to one prediction dict per step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from anchors.persistence import weather_persistence

Anchor = Callable[[Any, Any], list[dict[str, Any]]]

ANCHORS: dict[str, dict[str, Anchor]] = {
    "weather": {"persistence": weather_persistence},
}


def anchor_names(task_name: str) -> list[str]:
    return list(ANCHORS.get(task_name, {}))


def anchor_predictions(task: Any, name: str, sequence: Any) -> list[dict[str, Any]]:
    anchors = ANCHORS.get(task.name, {})
    if name not in anchors:
        raise ValueError(f"task {task.name!r} has no anchor {name!r}; it has {', '.join(anchors) or 'none'}")
    return anchors[name](task, sequence)
