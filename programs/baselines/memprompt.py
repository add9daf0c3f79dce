"""MemPrompt as adapted by LLM-as-RNN's baselines: an append-only bank of per-step LLM summaries (with outcomes),
trimmed oldest-first to the budget. (The original MemPrompt retrieves user feedback keyed by similar questions;
the paper's reproduction summarises every visit, which is what is implemented here.)"""

from __future__ import annotations

from typing import Any

import dspy

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.programs.baselines.history import DEFAULT_CONTEXT_TOKENS, HistoryProgram
from llm_as_rnn.programs.failures import guarded_call
from llm_as_rnn.programs.past_steps import PastStep
from llm_as_rnn.programs.records import StepRecord
from llm_as_rnn.signatures.summarize import SummarizeStep

SUMMARY_MAX_TOKENS = 96


class MemPrompt(HistoryProgram):
    """Each step is summarised by the LM once its outcome is known; summaries are appended, never rewritten."""

    name = "memprompt"
    header = "Summaries of earlier steps of this sequence:"

    def __init__(self, task: Any, *, context_budget: int = DEFAULT_CONTEXT_TOKENS, roles: Roles | None = None,
                 adjust: bool = False):
        super().__init__(task, context_budget=context_budget, roles=roles, adjust=adjust)
        self.summarizer = dspy.Predict(SummarizeStep)

    def select(self, history: list[PastStep], step: Any) -> list[PastStep]:
        return history[::-1]

    def remember(self, t: int, step: Any, prediction: dict[str, Any] | None, record: StepRecord) -> PastStep:
        report = (f"Input:\n{step.input}\nPrediction: {self.task.format_prediction(prediction)}\n"
                  f"Outcome: {self.task.format_truth(step.target)}")
        out = guarded_call(self.summarizer, role="summarize", record=record, max_tokens=SUMMARY_MAX_TOKENS,
                           lm=self.roles.updater, step=report)
        summary = str(out.summary).strip() if out is not None else ""
        # A failed summary keeps the outcome itself: the bank never loses what was revealed.
        text = summary or f"outcome {self.task.format_truth(step.target)}"
        return PastStep(t, f"Step {t + 1}: {text}", step.input)
