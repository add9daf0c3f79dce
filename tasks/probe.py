"""A learning-from-feedback probe (a diagnostic, not a benchmark): sequences whose answer the input alone cannot
give, and the revealed truths can.

Every sequence has a hidden rule, drawn per sequence and fixed within it:

- `offset`: the input shows a reading x_t (10 to 90); the answer is x_t + c for a hidden integer c (±3 to ±9). Without
  the rule the best guess is x_t (or any number); after one revealed answer, c = y - x is known exactly.
- `remap`: the input shows a colour; the answer is one of three code words, by a hidden one-to-one map from the
  three colours to the three words. Without the map the expected accuracy is 1/3 (chance, by construction); after
  a colour's answer has been revealed once, it is known.

Anchors frame what memory could achieve: `oracle` knows the rule (the ceiling), `from_revealed` infers it from the
truths revealed at earlier steps (what a perfect learner from feedback scores), `no_rule` answers without it (x_t;
the first code word). The share of the oracle's gain a method captures is
(score - zero-shot's) / (oracle's - zero-shot's) on the steps after the first (`python -m benchmarks.probe_share`).
Data are generated from a seed (deterministic, no download); train/dev/test use different seeds.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, ClassVar

from llm_as_rnn.tasks.base import Anchor, Step, StepSequence, Target, Task, select_evenly
from llm_as_rnn.tasks.memory_spec import MemorySpec, Section

COLOURS = ("red", "green", "blue")
WORDS = ("alpha", "beta", "gamma")
SPLIT_SEEDS = {"train": 11, "dev": 22, "test": 33}
SEQUENCES_PER_SPLIT = 24
MAX_STEPS = 12

PROBE_SPEC = MemorySpec(
    (
        Section("rule", "The hidden rule", "what the revealed answers show about this sequence's hidden rule, exactly"),
        Section("corrections", "Recent errors and corrections", "how your last answers were off and how to adjust"),
    ),
    example={"rule": ("<the rule the revealed answers show, with the numbers or pairs that show it>",),
             "corrections": ("<the sign and size of my recent errors, and the adjustment they call for>",)},
)


def _oracle(task: Any, sequence: StepSequence) -> list[dict[str, Any]]:
    return [dict(step.target) for step in sequence.steps]


def _no_rule(task: Any, sequence: StepSequence) -> list[dict[str, Any]]:
    if task.rule == "offset":
        return [{"value": float(step.context["reading"])} for step in sequence.steps]
    return [{"word": WORDS[0]} for _ in sequence.steps]


def _from_revealed(task: Any, sequence: StepSequence) -> list[dict[str, Any]]:
    """The rule inferred from the truths revealed before each step (the first step: no rule yet)."""
    out: list[dict[str, Any]] = []
    offset: float | None = None
    seen: dict[str, str] = {}
    for step in sequence.steps:
        if task.rule == "offset":
            guess = step.context["reading"] + (offset or 0.0)
            out.append({"value": float(guess)})
            offset = step.target["value"] - step.context["reading"]
        else:
            out.append({"word": seen.get(step.context["colour"], WORDS[0])})
            seen[step.context["colour"]] = step.target["word"]
    return out


class ProbeTask(Task):
    """A hidden per-sequence rule that only the revealed truths can teach (see the module docstring)."""

    rule: ClassVar[str]
    anchors: ClassVar[Mapping[str, Anchor]] = {"oracle": _oracle, "from_revealed": _from_revealed,
                                               "no_rule": _no_rule}
    primary_anchor = "no_rule"

    @property
    def memory_spec(self) -> MemorySpec:
        return PROBE_SPEC

    def sequences(self, split: str, *, limit: int | None = None, steps: int | None = None) -> list[StepSequence]:
        self.check_split(split)
        rng = random.Random(f"{self.rule}-{SPLIT_SEEDS[split]}")
        count = min(steps or 6, MAX_STEPS)
        out = []
        for index in range(SEQUENCES_PER_SPLIT):
            if self.rule == "offset":
                offset = rng.choice([c for c in range(-9, 10) if abs(c) >= 3])
                readings = [rng.randint(10, 90) for _ in range(count)]
                steps_ = tuple(Step(input=f"Reading: {x}", target={"value": float(x + offset)},
                                    context={"reading": x, "rule": offset}) for x in readings)
            else:
                mapping = dict(zip(COLOURS, rng.sample(WORDS, len(WORDS)), strict=True))
                colours = [rng.choice(COLOURS) for _ in range(count)]
                steps_ = tuple(Step(input=f"Colour: {c}", target={"word": mapping[c]},
                                    context={"colour": c, "rule": mapping}) for c in colours)
            out.append(StepSequence(id=f"{self.name}-{split}-{index:02d}", steps=steps_))
        return select_evenly(out, limit)


class OffsetProbe(ProbeTask):
    """The answer is the reading plus a hidden per-sequence integer."""

    name = "probe-offset"
    rule = "offset"
    tolerance = 0.5  # a right step: the exact integer
    targets = (Target("value", "regression", "the answer: a whole number", decimals=0, scale=3.0),)
    table_metrics = ("value.abs_error", "self_correction")
    description = ("Give the answer for this step. The answer is the reading changed by a hidden rule that is the "
                   "same at every step of this sequence; the rule is not shown, but each step's answer is revealed "
                   "after you give yours.")


class RemapProbe(ProbeTask):
    """Each colour stands for a code word by a hidden per-sequence one-to-one map."""

    name = "probe-remap"
    rule = "remap"
    targets = (Target("word", "label", "the answer: a code word", labels=WORDS),)
    table_metrics = ("word.correct", "self_correction")
    description = ("Give the code word for this step's colour. Each colour stands for one code word by a hidden "
                   "rule that is the same at every step of this sequence; the rule is not shown, but each step's "
                   "answer is revealed after you give yours.")
