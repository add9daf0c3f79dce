"""Gated updates: keep the new memory h_t only if it does no worse than the alternatives on a replay of recent steps.

GEPA accepts a candidate prompt only if it helps on validation data; this is the recurrent analogue (a kind of
gradient clipping for text). The alternatives are h_{t-1} (reject the rewrite) and h_0 (reset: a memory that
has gone stale — say, a number the predictor keeps copying — is worse than none). Ties go to the newest memory, so
learning goes on when nothing is lost. Replays score with the revealed truth, so the gate needs `truth` feedback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from llm_as_rnn.metrics.objective import step_reward
from llm_as_rnn.programs.memory import Memory


class ReplayGate:
    """Choose among h_t, h_{t-1} and h_0 by the task's step reward on the last `replay` steps it is given.

    LLMAsRNN passes the steps before t: h_t was written from step t, so replaying step t would favour h_t.
    """

    def __init__(self, task: Any, replay: int = 2, *, allow_reset: bool = True):
        if replay < 1:
            raise ValueError(f"gate replay must be at least 1 step, got {replay}")
        self.task = task
        self.replay = replay
        self.allow_reset = allow_reset

    def __call__(self, old: Memory, new: Memory, steps: Sequence[Any], record: Any,
                 predict: Callable[[Memory, Any], dict[str, Any] | None], initial: Memory | None = None) -> Memory:
        recent = list(steps)[-self.replay:]
        candidates = [("accept", new), ("reject", old)]
        if self.allow_reset and initial is not None:
            candidates.append(("reset", initial))
        unique: list[tuple[str, Memory]] = []
        for name, memory in candidates:  # the same memory under two names is replayed once, under the first
            if all(memory != seen for _, seen in unique):
                unique.append((name, memory))
        if not recent:
            record.budget_actions.append("gate:accept:no earlier step to replay")
            return new
        if len(unique) == 1:
            return new
        scores = [sum(step_reward(self.task, predict(memory, s), s.target) for s in recent) for _, memory in unique]
        best = max(range(len(unique)), key=lambda i: (scores[i], -i))  # ties: the earlier (newer) candidate
        record.budget_actions.append(f"gate:{unique[best][0]}:{scores[best] - scores[0]:+.2f}")
        return unique[best][1]
