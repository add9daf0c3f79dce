"""Gated updates: accept the new memory h_t only if it does no worse than h_{t-1} on a replay of recent steps.

GEPA accepts a candidate prompt only if it helps on validation data; this is the recurrent analogue (a kind of
gradient clipping for text): a rewrite that would have made the last few predictions worse is rejected. Replays
score with the revealed truth, so the gate needs the `truth` feedback mode.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from metrics.objective import step_reward
from programs.memory import Memory


class ReplayGate:
    """Compare h_{t-1} and h_t on the last `replay` steps (the current one included) by the task's step reward."""

    def __init__(self, task: Any, replay: int = 2):
        if replay < 1:
            raise ValueError(f"gate replay must be at least 1 step, got {replay}")
        self.task = task
        self.replay = replay

    def __call__(self, old: Memory, new: Memory, steps: Sequence[Any], record: Any,
                 predict: Callable[[Memory, Any], dict[str, Any] | None]) -> Memory:
        if new == old or not steps:
            return new
        recent = list(steps)[-self.replay:]
        old_score = sum(step_reward(self.task, predict(old, s), s.target) for s in recent)
        new_score = sum(step_reward(self.task, predict(new, s), s.target) for s in recent)
        accepted = new_score >= old_score
        record.budget_actions.append(f"gate:{'accept' if accepted else 'reject'}:{new_score - old_score:+.2f}")
        return new if accepted else old
