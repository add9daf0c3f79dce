"""Sequence metrics for DSPy optimizers: the mean step reward, and a GEPA variant with textual feedback."""

from __future__ import annotations

from typing import Any

import dspy

from llm_as_rnn.metrics.objective import sequence_reward, step_reward


class SequenceMetric:
    """`metric(example, prediction, trace=None)`: the mean step reward of the rollout, in [0, 1]."""

    def __init__(self, task: Any):
        self.task = task

    def __call__(self, example: dspy.Example, prediction: dspy.Prediction, trace: Any = None) -> float:
        return sequence_reward(self.task, prediction.predictions, [s.target for s in example.steps])


class FeedbackMetric(SequenceMetric):
    """GEPA's five-argument metric: the same score, plus what a reflection model needs to rewrite the memory-update
    instruction — per step, the error, whether it got better after the memory changed, and the memory itself."""

    max_steps_described = 8

    def __call__(self, example: dspy.Example, prediction: dspy.Prediction, trace: Any = None,
                 pred_name: str | None = None, pred_trace: Any = None) -> dspy.Prediction:
        targets = [s.target for s in example.steps]
        score = sequence_reward(self.task, prediction.predictions, targets)
        lines = [f"Mean step reward {score:.2f} (1 = perfect)."]
        rewards = [step_reward(self.task, p, t) for p, t in zip(prediction.predictions, targets, strict=True)]
        for t, record in enumerate(prediction.records[: self.max_steps_described]):
            trend = "" if t == 0 else (" (better than the step before)" if rewards[t] > rewards[t - 1]
                                       else " (worse than the step before)" if rewards[t] < rewards[t - 1] else "")
            lines.append(f"Step {t + 1}: {self.task.measure(record.prediction, record.truth)}{trend}. "
                         f"Memory the prediction was made with:\n{record.memory_before}")
        lines.append("A good memory update keeps only specific, correct lessons that make the next predictions "
                     "better; memories that repeat numbers from the input or are vague make them worse.")
        return dspy.Prediction(score=score, feedback="\n".join(lines))
