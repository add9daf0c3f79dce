"""Step 2 of the loop: feedback e_t on the prediction — grounded in the revealed truth, from a judge, or none."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import dspy

from llm_as_rnn.programs.failures import guarded_call
from llm_as_rnn.programs.feedback_modes import FeedbackName, feedback_mode
from llm_as_rnn.programs.memory import whole_sentences
from llm_as_rnn.programs.records import StepRecord
from llm_as_rnn.signatures.fields import length_limits

CRITIQUE_MAX_TOKENS = 256  # room for both fields at their length limits (240 + 160 characters)


@dataclass
class Feedback:
    """e_t. `report` is the step as the updater sees it; `critique`/`lesson` come from an LM (or the fused
    updater); `measured` is the error computed in code from the revealed truth (free: no LM call)."""

    report: str
    measured: str = ""
    critique: str = ""
    lesson: str = ""
    running: str = ""  # the sequence so far (bias, hit rate), computed in code

    @property
    def text(self) -> str:
        parts = [f"Measured: {self.measured}"] * bool(self.measured)
        parts += [f"Sequence so far: {self.running}"] * bool(self.running)
        parts += [f"Critique: {self.critique}"] * bool(self.critique)
        parts += [f"Lesson: {self.lesson}"] * bool(self.lesson)
        return "\n".join(parts) if parts else "(no feedback)"


class Critic(dspy.Module):
    """Feedback by mode: `truth` critiques against y_t, `measured` is the critique computed against y_t in code
    (measured error, running bias and hit rate; no LM call), `judge` without y_t (LLM-as-judge), `none` gives
    nothing, `shuffled` critiques against an earlier step's truth (the control that shows whether feedback is used
    at all), and `shuffled_measured` is `measured` computed against that earlier truth (the control for `measured`:
    the same calls and the same text, only the truth is wrong).

    Why `measured`: a small backbone's own critique is often noise (Qwen2.5-Coder-0.5B, told its forecast was
    2.3 °C too low: "improve the prediction by increasing the actual temperature"), while the numbers it is
    computed from are exact; it also saves one LM call per step.

    With `call_lm=False` (the fused update) only the code-measured error is produced here; the critique is written
    by the updater in the same call as the new memory.
    """

    def __init__(self, task: Any, mode: FeedbackName = "truth", *, call_lm: bool = True, report_input: bool = True):
        """`report_input=False`: the step report leaves the input out (the update turn of a shared conversation
        follows the input it was predicted from)."""
        super().__init__()
        self.task = task
        self.report_input = report_input
        self.mode = mode
        self.reveals_truth = feedback_mode(mode).reveals_truth
        self.call_lm = call_lm and feedback_mode(mode).calls_lm
        if self.call_lm:
            signature = feedback_mode(mode).signature
            self.critique = dspy.Predict(signature)
            # read here, not from the predictor: an optimizer may wrap it (frozen) while it tunes another step
            self._length_limits = {name: length_limits(f)[1] for name, f in signature.output_fields.items()}

    def forward(
        self,
        observation: str,
        prediction: Mapping[str, Any] | None,
        revealed: Mapping[str, Any] | None,
        record: StepRecord,
        lm: dspy.BaseLM | None = None,
        running: str = "",
    ) -> Feedback:
        revealed = revealed if self.reveals_truth else None
        measured = self.task.measure(prediction, revealed) if revealed is not None else ""
        running = running if revealed is not None else ""
        feedback = Feedback(report=self.describe_step(observation, prediction, revealed), measured=measured,
                            running=running)
        if not self.call_lm or prediction is None or (self.reveals_truth and revealed is None):
            return feedback  # nothing to critique, or (shuffled, step 0) no earlier truth to ground it
        inputs = {"observation": observation, "prediction": self.task.format_prediction(prediction)}
        if revealed is not None:
            inputs["outcome"] = f"{self.task.format_truth(revealed)}\nMeasured error: {measured}"
            if running:
                inputs["outcome"] += f"\nSequence so far: {running}"
        out = guarded_call(self.critique, role="feedback", record=record, max_tokens=CRITIQUE_MAX_TOKENS, lm=lm,
                           **inputs)
        if out is None:
            return feedback
        feedback.critique = whole_sentences(str(out.critique), self._length_limits.get("critique"))
        feedback.lesson = whole_sentences(str(out.lesson), self._length_limits.get("lesson"))
        return feedback

    def describe_step(
        self, observation: str, prediction: Mapping[str, Any] | None, revealed: Mapping[str, Any] | None
    ) -> str:
        """The step as the memory updater reads it; the outcome appears only when the mode reveals it."""
        lines = [f"Input:\n{observation}"] * self.report_input
        lines.append(f"Prediction: {self.task.format_prediction(prediction)}")
        if revealed is not None:
            lines.append(f"Outcome: {self.task.format_truth(revealed)}")
        return "\n".join(lines)
