"""The reward optimizers and gates maximise: a per-step score in [0, 1] on the task's primary target.

regression: exp(-|error| / scale) (1 = exact; 0.37 at one `scale` of error); label: 1 if right; top-k: reciprocal
rank of the primary truth among the first k answers (0 if absent). A missing prediction scores 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any


def step_reward(task: Any, prediction: Mapping[str, Any] | None, target: Mapping[str, Any]) -> float:
    primary = task.primary
    value = None if prediction is None else prediction.get(primary.name)
    if value is None:
        return 0.0
    if primary.kind == "regression":
        return math.exp(-abs(float(value) - float(target[primary.name])) / primary.scale)
    if primary.kind == "label":
        return float(str(value) == str(target[primary.name]))
    truth = list(target[primary.name])
    if not truth:
        return 0.0
    wanted = primary.key(truth[0])
    keys = [primary.key(item) for item in list(value)[: primary.k]]
    return 1.0 / (keys.index(wanted) + 1) if wanted is not None and wanted in keys else 0.0


def sequence_reward(task: Any, predictions: Sequence[Mapping[str, Any] | None],
                    targets: Sequence[Mapping[str, Any]]) -> float:
    """Mean step reward over a sequence (0 for an empty one)."""
    rewards = [step_reward(task, p, t) for p, t in zip(predictions, targets, strict=True)]
    return sum(rewards) / len(rewards) if rewards else 0.0
