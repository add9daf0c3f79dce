"""Whole sequences as DSPy examples: one example = one sequence, the program's forward is the whole rollout."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import dspy


def sequence_examples(sequences: Iterable[Any]) -> list[dspy.Example]:
    """Inputs are the steps (their truths are revealed by the program only after each prediction) and the id."""
    return [dspy.Example(steps=s.steps, sequence_id=s.id).with_inputs("steps", "sequence_id") for s in sequences]
