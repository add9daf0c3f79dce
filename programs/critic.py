"""Step 2 of the loop: feedback e_t on the prediction — grounded in the revealed truth, from a judge, or none."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import dspy

from llm_as_rnn.programs.failures import guarded_call
from llm_as_rnn.programs.memory import whole_sentences
from llm_as_rnn.programs.records import StepRecord
from llm_as_rnn.signatures.feedback import CritiqueWithTruth
from llm_as_rnn.signatures.fields import length_limits
from llm_as_rnn.signatures.judge import JudgeWithoutTruth

FeedbackMode = Literal["truth", "measured", "judge", "none", "shuffled", "shuffled_measured"]
FEEDBACK_MODES: tuple[str, ...] = get_args(FeedbackMode)
# Each mode fed the revealed truth y_t -> its control, fed an earlier step's truth instead (controls, not choices).
CONTROL_FOR = {"truth": "shuffled", "measured": "shuffled_measured"}
CONTROL_MODES = tuple(CONTROL_FOR.values())
CODE_ONLY_MODES = ("none", "measured", "shuffled_measured")  # no LM critique call
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


def check_feedback_mode(mode: str) -> None:
    if mode not in FEEDBACK_MODES:
        raise ValueError(f"unknown feedback mode {mode!r}; choose one of {', '.join(FEEDBACK_MODES)}")


def sees_truth(mode: str) -> bool:
    return mode in (*CONTROL_FOR, *CONTROL_MODES)


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

    def __init__(self, task: Any, mode: FeedbackMode = "truth", *, call_lm: bool = True):
        super().__init__()
        check_feedback_mode(mode)
        self.task = task
        self.mode = mode
        self.call_lm = call_lm and mode not in CODE_ONLY_MODES
        if self.call_lm:
            signature = CritiqueWithTruth if sees_truth(mode) else JudgeWithoutTruth
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
        revealed = revealed if sees_truth(self.mode) else None
        measured = self.task.measure(prediction, revealed) if revealed is not None else ""
        running = running if revealed is not None else ""
        feedback = Feedback(report=self.describe_step(observation, prediction, revealed), measured=measured,
                            running=running)
        if not self.call_lm or prediction is None or (sees_truth(self.mode) and revealed is None):
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
        lines = [f"Input:\n{observation}", f"Prediction: {self.task.format_prediction(prediction)}"]
        if revealed is not None:
            lines.append(f"Outcome: {self.task.format_truth(revealed)}")
        return "\n".join(lines)


def revealed_targets(mode: str, targets: Sequence[Mapping[str, Any]], seed: int) -> list[Mapping[str, Any] | None]:
    """What the critic is shown at each step: the truth, an earlier step's truth (shuffled control), or nothing."""
    if mode in CONTROL_FOR:
        return list(targets)
    if mode not in CONTROL_MODES:
        return [None] * len(targets)
    return [None if source is None else targets[source] for source in shuffled_sources(len(targets), seed)]


def shuffled_sources(n: int, seed: int) -> list[int | None]:
    """For the shuffled control: which step's truth step t is shown, drawn from steps 0..t-1 only.

    A control must never see a future truth: a derangement over the whole sequence handed most steps a later
    step's answer (often exactly y_{t+1}). Step 0 has no earlier step and is shown nothing.
    """
    rng = random.Random(seed)
    return [None if t == 0 else rng.randrange(t) for t in range(n)]
