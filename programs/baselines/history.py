"""Baselines that show the predictor past steps with their revealed outcomes, within a token budget.

They share the predictor, the memory slot in the system prompt and the loop; they differ only in which past steps
they select (`select`) and what they remember of a step (`remember`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import dspy

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.programs.past_steps import PastStep, describe_past_step
from llm_as_rnn.programs.records import StepRecord
from llm_as_rnn.programs.sequence_program import SequenceProgram

NO_HISTORY = "(no earlier steps yet)"
DEFAULT_CONTEXT_TOKENS = 1024


def fit_in_budget(items: Sequence[PastStep], budget: int, count: Callable[[str], int], header: str) -> str:
    """Take items in the given priority order while the rendered context fits `budget` tokens; render them in time
    order under `header`. An item that does not fit is skipped, never cut, so every shown step is whole."""
    chosen: list[PastStep] = []
    for item in items:
        candidate = render_context([*chosen, item], header)
        if count(candidate) <= budget:
            chosen.append(item)
    return render_context(chosen, header) if chosen else NO_HISTORY


def render_context(items: Sequence[PastStep], header: str) -> str:
    body = "\n\n".join(item.text for item in sorted(items, key=lambda i: i.t))
    return f"{header}\n\n{body}"


class HistoryProgram(SequenceProgram):
    """ŷ_t = predict(context(past steps), x_t); after predicting, the step's outcome is revealed and remembered."""

    header = "Earlier steps of this sequence with their outcomes:"

    def __init__(self, task: Any, *, context_budget: int = DEFAULT_CONTEXT_TOKENS, roles: Roles | None = None,
                 adjust: bool = False):
        super().__init__(task, roles=roles, adjust=adjust)
        if context_budget <= 0:
            raise ValueError(f"context budget must be a positive number of tokens, got {context_budget}")
        self.context_budget = context_budget

    def select(self, history: list[PastStep], step: Any) -> list[PastStep]:
        """Past steps in priority order (the budget keeps a prefix of this list)."""
        raise NotImplementedError

    def remember(self, t: int, step: Any, prediction: dict[str, Any] | None, record: StepRecord) -> PastStep:
        """What is kept of step t once its truth is revealed: the raw step and its outcome."""
        return describe_past_step(self.task, t, step)

    def forward(self, steps: Sequence[Any], sequence_id: str = "") -> dspy.Prediction:
        count = self.token_counter()
        history: list[PastStep] = []
        with self.session(count=count) as recorder:
            for t, step in enumerate(steps):
                context = fit_in_budget(self.select(history, step), self.context_budget, count, self.header)
                record = recorder.start(t, step, context)
                prediction = self.predictor(context, step.input, record, lm=self.roles.predictor)
                history.append(self.remember(t, step, prediction, record))  # y_t is revealed only now
                record.memory, record.memory_tokens = context, count(context)
                recorder.finish(record)
        return recorder.prediction()

    def config(self) -> dict[str, Any]:
        return {**super().config(), "context_budget": self.context_budget}
