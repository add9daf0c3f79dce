"""Metrics over the course of a sequence: right/wrong per step, self-correction, learning curves."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def correct_flags(task: Any, predictions: Sequence[Mapping[str, Any] | None],
                  truths: Sequence[Mapping[str, Any]]) -> list[float | None]:
    """1.0 / 0.0 per step by the task's own notion of a right step (Align for weather); None when undefined."""
    flags = [task.correct(p, t) for p, t in zip(predictions, truths, strict=True)]
    return [None if f is None else float(f) for f in flags]


def self_correction_steps(flags: Sequence[float | None]) -> list[float | None]:
    """For each step after a wrong one: was it right? (The mean over sequences is P(right at t+1 | wrong at t);
    the paper reports 54.8 %.) Steps not following a wrong step are None."""
    out: list[float | None] = [None]
    for previous, current in itertools.pairwise(flags):
        out.append(current if previous == 0.0 and current is not None else None)
    return out


def learning_curve(per_sequence: Sequence[Sequence[float | None]]) -> list[tuple[int, float, int]]:
    """(t, mean score at step t over sequences, number of sequences scored at t)."""
    length = max((len(s) for s in per_sequence), default=0)
    curve = []
    for t in range(length):
        values = [s[t] for s in per_sequence if t < len(s) and s[t] is not None]
        curve.append((t, float(np.mean(values)) if values else float("nan"), len(values)))
    return curve
