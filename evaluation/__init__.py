"""Running programs over held-out sequences: traces, progress, and scores beside classical anchors."""

from llm_as_rnn.evaluation.runner import SequenceRun, run_sequences

__all__ = ["SequenceRun", "run_sequences"]
