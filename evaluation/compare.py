"""Several programs (and the task's anchors) on the same held-out sequences, scored together."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from llm_as_rnn.anchors import anchor_names, anchor_predictions
from llm_as_rnn.evaluation.runner import run_sequences
from llm_as_rnn.reports.scoreboard import Scoreboard, build_scoreboard


def compare_programs(task: Any, programs: Mapping[str, Any], sequences: Sequence[Any], *,
                     with_anchors: bool = True) -> Scoreboard:
    truths = {s.id: [step.target for step in s.steps] for s in sequences}
    predictions = {name: {r.sequence_id: r.predictions for r in run_sequences(program, sequences, method=name)}
                   for name, program in programs.items()}
    if with_anchors:
        for anchor in anchor_names(task):
            predictions[anchor] = {s.id: anchor_predictions(task, anchor, s) for s in sequences}
    return build_scoreboard(task, truths, predictions)
