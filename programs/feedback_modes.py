"""Where e_t comes from: the table of feedback modes that the critic, the program, the method specs, the Optuna
search and the CLI help all read, so a new mode is one row here (and, if it calls an LM, its signature)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import dspy

from llm_as_rnn.signatures.feedback import CritiqueWithTruth
from llm_as_rnn.signatures.judge import JudgeWithoutTruth

FeedbackName = Literal["truth", "measured", "judge", "none", "shuffled", "shuffled_measured"]


@dataclass(frozen=True)
class FeedbackMode:
    """One way to get feedback on a prediction.

    Attributes:
        name: What the mode is called in specs (`llm_as_rnn:measured`) and flags (`--feedback measured`).
        reveals_truth: The critic (and the memory) are shown a truth: this step's y_t, or for a control an earlier
            step's.
        calls_lm: An LM writes a critique at every step (else the feedback is computed in code, or absent).
        control_of: For a control, the mode it controls for: the same calls and text, fed an earlier step's truth
            instead of y_t (never a later one). None for every mode a user chooses.
        signature: The critique's DSPy signature when the mode calls an LM.
        help: One line for `--help` and the docs.
    """

    name: str
    reveals_truth: bool
    calls_lm: bool
    control_of: str | None = None
    signature: type[dspy.Signature] | None = None
    help: str = ""

    @property
    def is_control(self) -> bool:
        return self.control_of is not None

    @property
    def grounded(self) -> bool:
        """Shown this step's own truth y_t (the modes a replay of the revealed truth may serve)."""
        return self.reveals_truth and not self.is_control


FEEDBACK_MODES: dict[str, FeedbackMode] = {mode.name: mode for mode in (
    FeedbackMode("truth", reveals_truth=True, calls_lm=True, signature=CritiqueWithTruth,
                 help="an LM critique of the prediction against the revealed y_t (the paper)"),
    FeedbackMode("measured", reveals_truth=True, calls_lm=False,
                 help="the critique computed from y_t in code: error, running bias, hit rate (no LM call)"),
    FeedbackMode("judge", reveals_truth=False, calls_lm=True, signature=JudgeWithoutTruth,
                 help="an LLM judge of the prediction without y_t"),
    FeedbackMode("none", reveals_truth=False, calls_lm=False, help="no feedback"),
    FeedbackMode("shuffled", reveals_truth=True, calls_lm=True, control_of="truth", signature=CritiqueWithTruth,
                 help="control for truth: the same critique against an earlier step's truth"),
    FeedbackMode("shuffled_measured", reveals_truth=True, calls_lm=False, control_of="measured",
                 help="control for measured: the same computed critique against an earlier step's truth"),
)}
CONTROL_FOR: dict[str, str] = {m.control_of: m.name for m in FEEDBACK_MODES.values() if m.control_of}
CHOSEN_MODES: tuple[str, ...] = tuple(name for name, m in FEEDBACK_MODES.items() if not m.is_control)


def feedback_mode(name: str) -> FeedbackMode:
    """The mode called `name`; an unknown name is a ValueError listing the known ones."""
    mode = FEEDBACK_MODES.get(name)
    if mode is None:
        raise ValueError(f"unknown feedback mode {name!r}; choose one of {', '.join(FEEDBACK_MODES)}")
    return mode


def describe_modes() -> str:
    """'truth: ...; measured: ...' for help texts."""
    return "; ".join(f"{m.name}: {m.help}" for m in FEEDBACK_MODES.values())


def revealed_targets(mode: str, targets: Sequence[Mapping[str, Any]], seed: int) -> list[Mapping[str, Any] | None]:
    """What the critic is shown at each step: the truth, an earlier step's truth (a control), or nothing."""
    chosen = feedback_mode(mode)
    if not chosen.reveals_truth:
        return [None] * len(targets)
    if not chosen.is_control:
        return list(targets)
    return [None if source is None else targets[source] for source in shuffled_sources(len(targets), seed)]


def shuffled_sources(n: int, seed: int) -> list[int | None]:
    """For a control: which step's truth step t is shown, drawn from steps 0..t-1 only.

    A control must never see a future truth: a derangement over the whole sequence handed most steps a later
    step's answer (often exactly y_{t+1}). Step 0 has no earlier step and is shown nothing.
    """
    rng = random.Random(seed)
    return [None if t == 0 else rng.randrange(t) for t in range(n)]
