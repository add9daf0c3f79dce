"""A tiny synthetic task for logic tests: each step shows a number, the truth is a distinctive next number."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from llm_as_rnn.anchors import persistence
from llm_as_rnn.programs.memory import MemorySchema
from llm_as_rnn.tasks.base import Anchor, Step, StepSequence, Target, Task
from llm_as_rnn.tasks.memory_spec import MemorySpec, Section

TOY_SCHEMA = MemorySchema((
    Section("patterns", "Patterns", "what the sequence does"),
    Section("corrections", "Corrections", "how to fix your errors"),
))


class ToyTask(Task):
    """value(t+1) = value(t) + 1.25; label `up` always. Truth values (x.25) never appear in any input."""

    name = "toy"
    description = "Predict the next value of a counter."
    anchors: ClassVar[Mapping[str, Anchor]] = {"previous_target": persistence.previous_target}
    primary_anchor = "previous_target"
    table_metrics = ("value.abs_error", "direction.correct")
    targets = (
        Target("value", "regression", "the next value", unit="units", decimals=2),
        Target("direction", "label", "does the value go up or down", labels=("up", "down")),
    )

    @property
    def memory_spec(self) -> MemorySpec:
        return TOY_SCHEMA

    def sequences(self, split: str = "test", *, limit: int | None = None, steps: int | None = None):
        steps = steps or 4
        out = []
        for i in range(limit or 2):
            start = 10 * (i + 1)
            out.append(StepSequence(
                id=f"toy-{i}",
                steps=tuple(
                    Step(input=f"current value: {start + 2 * t}", target={"value": start + 2 * t + 1.25,
                                                                          "direction": "up"},
                         context={"today": start + 2 * t})
                    for t in range(steps)
                ),
            ))
        return out


def shown_value(call) -> float:
    """The counter value in a scripted call's step input (the format `ToyTask.sequences` writes)."""
    return float(call.user.split("current value:")[-1].split()[0])


def toy_responder(call):
    """Predicts value + 1; writes bullets that quote what it was shown."""
    if call.role == "predict":
        adjustment = {"value_adjustment": 0.0} if "value_adjustment" in call.fields else {}
        return {**adjustment, "value": shown_value(call) + 1, "direction": "up"}
    if call.role in ("feedback", "fused"):
        out = {"critique": "a bit low", "lesson": "add a quarter more"}
        if call.role == "fused":
            out = {"critique": "a bit low", "patterns": ["adds about 1"], "corrections": ["too low by 0.25"]}
        return {k: v for k, v in out.items() if k in call.fields}
    return {"patterns": ["adds about 1"], "corrections": [f"step seen: {len(call.user)} chars"]}
