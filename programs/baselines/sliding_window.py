"""Sliding window: only the last k steps with their outcomes."""

from __future__ import annotations

from typing import Any

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.programs.baselines.history import DEFAULT_CONTEXT_TOKENS, HistoryProgram
from llm_as_rnn.programs.past_steps import PastStep


class SlidingWindow(HistoryProgram):
    """The last `window` steps (within the same token budget as FHC)."""

    name = "window"

    def __init__(self, task: Any, *, window: int = 3, context_budget: int = DEFAULT_CONTEXT_TOKENS,
                 roles: Roles | None = None, adjust: bool = False):
        super().__init__(task, context_budget=context_budget, roles=roles, adjust=adjust)
        if window < 1:
            raise ValueError(f"window must be at least 1 step, got {window}")
        self.window = window

    def select(self, history: list[PastStep], step: Any) -> list[PastStep]:
        return history[::-1][: self.window]

    def config(self) -> dict[str, Any]:
        return {**super().config(), "window": self.window}
