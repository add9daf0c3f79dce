"""The reward optimizers and gates maximise: a per-step score in [0, 1] over every target of the task.

Per target: regression: exp(-|error| / scale) (1 = exact; 0.37 at one `scale` of error); label: 1 if right; top-k:
reciprocal rank of the primary truth among the first k answers (0 if absent). A missing prediction scores 0. The
step reward is the mean over the task's targets (weather: temp_max and rain), so an optimizer cannot buy a better
primary target with a worse second one. A task may weigh them otherwise by defining `reward_weights`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any


def step_reward(task: Any, prediction: Mapping[str, Any] | None, target: Mapping[str, Any]) -> float:
    """The task's own metric for one step: the weighted mean of its targets' rewards, in [0, 1]."""
    weights = getattr(task, "reward_weights", None) or {t.name: 1.0 for t in task.targets}
    total = sum(weights.values())
    rewards = [w * target_reward(t, prediction, target) for t in task.targets if (w := weights.get(t.name, 0.0))]
    return sum(rewards) / total


def target_reward(spec: Any, prediction: Mapping[str, Any] | None, target: Mapping[str, Any]) -> float:
    """One target's reward in [0, 1] (see the module docstring)."""
    value = None if prediction is None else prediction.get(spec.name)
    if value is None:
        return 0.0
    if spec.kind == "regression":
        return math.exp(-abs(float(value) - float(target[spec.name])) / spec.scale)
    if spec.kind == "label":
        return float(str(value) == str(target[spec.name]))
    truth = list(target[spec.name])
    if not truth:
        return 0.0
    wanted = spec.key(truth[0])
    keys = [spec.key(item) for item in list(value)[: spec.k]]
    return 1.0 / (keys.index(wanted) + 1) if wanted is not None and wanted in keys else 0.0


def sequence_reward(task: Any, predictions: Sequence[Mapping[str, Any] | None],
                    targets: Sequence[Mapping[str, Any]]) -> float:
    """Mean step reward over a sequence (0 for an empty one)."""
    rewards = [step_reward(task, p, t) for p, t in zip(predictions, targets, strict=True)]
    return sum(rewards) / len(rewards) if rewards else 0.0
