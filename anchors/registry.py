"""A task's anchors: the ones it declares (`Task.anchors`), plus AutoARIMA/AutoETS for a task with a
`series_column` when statsforecast is installed. An anchor maps (task, sequence) to one prediction dict per step
(a dict may leave a target out, or be None: that step is then not scored for that anchor)."""

from __future__ import annotations

from typing import Any

from llm_as_rnn.anchors import statistical

STATISTICAL = {"auto_arima": statistical.auto_arima, "auto_ets": statistical.auto_ets}


def _anchors(task: Any) -> dict[str, Any]:
    extra = STATISTICAL if task.series_column and statistical.available() else {}
    return {**task.anchors, **extra}


def anchor_names(task: Any) -> list[str]:
    return list(_anchors(task))


def primary_anchor(task: Any) -> str | None:
    """The classical reference every LLM method is compared with (persistence or its equivalent)."""
    return task.primary_anchor


def anchor_predictions(task: Any, name: str, sequence: Any) -> list[dict[str, Any] | None]:
    anchors = _anchors(task)
    if name not in anchors:
        raise ValueError(f"task {task.name!r} has no anchor {name!r}; it has {', '.join(anchors) or 'none'}")
    return anchors[name](task, sequence)
