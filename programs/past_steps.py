"""Past steps as shown to a predictor: the history baselines and LLM-as-RNN's optional recent-steps window."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PastStep:
    """What is kept of step t: the text shown for it, and its raw input (for retrieval)."""

    t: int
    text: str
    input: str = ""


def describe_past_step(task: Any, t: int, step: Any, prediction: Any = None, *, with_outcome: bool = True,
                       outcome: Any = None) -> PastStep:
    """Step t's input and, once revealed, its outcome (without it, the prediction made, for no-truth modes).

    `outcome` replaces the step's own truth (the shuffled control shows what that step's critic was shown)."""
    shown = outcome if outcome is not None else step.target
    last = (f"Outcome: {task.format_truth(shown)}" if with_outcome
            else f"Your prediction: {task.format_prediction(prediction)}")
    return PastStep(t, f"Step {t + 1}:\n{step.input}\n{last}", step.input)
