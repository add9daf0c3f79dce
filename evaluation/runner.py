"""Run one program over sequences, one at a time, writing each finished sequence to the trace at once."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import dspy

from llm_as_rnn.programs.records import StepRecord, listen_steps
from llm_as_rnn.reports.trace import TraceWriter


@dataclass
class SequenceRun:
    """A finished sequence: its id and the program's output."""

    sequence_id: str
    output: dspy.Prediction

    @property
    def predictions(self) -> list[dict[str, Any] | None]:
        return list(self.output.predictions)

    @property
    def records(self) -> list[StepRecord]:
        return list(self.output.records)


def run_sequences(
    program: dspy.Module,
    sequences: Iterable[Any],
    *,
    method: str,
    trace: TraceWriter | None = None,
    on_step: Callable[[StepRecord], None] | None = None,
) -> list[SequenceRun]:
    """Run `program` on each sequence (fresh memory each time); append its steps to `trace` when it finishes."""
    runs = []
    listening = listen_steps(on_step) if on_step else contextlib.nullcontext()
    with listening:
        for sequence in sequences:
            output = program(steps=sequence.steps, sequence_id=sequence.id)
            if trace is not None:
                trace.write_sequence(sequence.id, method, output.records)
            runs.append(SequenceRun(sequence.id, output))
    return runs
