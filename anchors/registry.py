"""Which anchors each task family has. An anchor maps (task, sequence) to one prediction dict per step (a dict
may leave a target out, or be None: that step is then not scored for that anchor)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llm_as_rnn.anchors import climatology, clinical, finance, persistence, statistical

Anchor = Callable[[Any, Any], list[dict[str, Any] | None]]

ANCHORS: dict[str, dict[str, Anchor]] = {
    "weather": {"persistence": persistence.weather_persistence, "climatology": climatology.weather_climatology},
    "finance": {"zero_return": finance.zero_return, "persistence": persistence.finance_persistence,
                "train_mean": finance.train_mean_return},
    "clinical": {"repeat_previous": clinical.repeat_previous, "revealed_ranked": clinical.revealed_ranked,
                 "most_frequent": clinical.most_frequent},
    "custom": {"previous_target": persistence.previous_target},
}
STATISTICAL = {"auto_arima": statistical.auto_arima, "auto_ets": statistical.auto_ets}
PRIMARY_ANCHOR = {"weather": "persistence", "finance": "zero_return", "clinical": "repeat_previous",
                  "custom": "previous_target"}


def _family(task: Any) -> str:
    return getattr(task, "family", task.name)


def anchor_names(task: Any) -> list[str]:
    family = _family(task)
    names = list(ANCHORS.get(family, {}))
    if family in statistical.SERIES_COLUMN and statistical.available():
        names += list(STATISTICAL)
    return names


def primary_anchor(task: Any) -> str | None:
    """The classical reference every LLM method is compared with (persistence or its equivalent)."""
    return PRIMARY_ANCHOR.get(_family(task))


def anchor_predictions(task: Any, name: str, sequence: Any) -> list[dict[str, Any] | None]:
    family = _family(task)
    anchors = {**ANCHORS.get(family, {}), **(STATISTICAL if family in statistical.SERIES_COLUMN else {})}
    if name not in anchors:
        raise ValueError(f"task {task.name!r} has no anchor {name!r}; it has {', '.join(anchors) or 'none'}")
    return anchors[name](task, sequence)
