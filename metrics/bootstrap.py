"""Confidence intervals by bootstrap over sequences (steps inside a sequence are not independent)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_RESAMPLES = 2000
MIN_SEQUENCES_FOR_CI = 5  # below this a bootstrap CI over sequences is too coarse to read; reports warn


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float
    level: float = 0.95
    n: int = 0  # sequences the interval resamples (the unit of independence)

    def __str__(self) -> str:
        return f"{self.estimate:.3f} [{self.low:.3f}, {self.high:.3f}] (N={self.n})"

    def as_dict(self) -> dict[str, float]:
        return {"estimate": self.estimate, "low": self.low, "high": self.high, "level": self.level, "n": self.n}


def _resample_means(sums: np.ndarray, counts: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(sums), size=(resamples, len(sums)))
    totals = counts[picks].sum(axis=1)
    return np.divide(sums[picks].sum(axis=1), totals, out=np.full(resamples, np.nan), where=totals > 0)


def _step_matrix(per_sequence: Sequence[Sequence[float | None]]) -> tuple[np.ndarray, np.ndarray]:
    sums = np.array([sum(v for v in seq if v is not None) for seq in per_sequence], float)
    counts = np.array([sum(v is not None for v in seq) for seq in per_sequence], float)
    return sums, counts


def mean_of_steps(steps: Sequence[float | None]) -> float:
    """Mean over the scored steps of one sequence (NaN if none was scored)."""
    scored = [float(v) for v in steps if v is not None]
    return float(np.mean(scored)) if scored else float("nan")


def bootstrap_mean(
    per_sequence: Sequence[Sequence[float | None]], *, level: float = 0.95, resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> Interval:
    """Mean over all scored steps, with a percentile interval from resampling whole sequences."""
    sums, counts = _step_matrix(per_sequence)
    n = int((counts > 0).sum())
    if counts.sum() == 0:
        return Interval(float("nan"), float("nan"), float("nan"), level, 0)
    estimate = float(sums.sum() / counts.sum())
    if len(sums) < 2:
        return Interval(estimate, float("nan"), float("nan"), level, n)
    means = _resample_means(sums, counts, resamples, seed)
    tail = (1 - level) / 2 * 100
    low, high = float(np.nanpercentile(means, tail)), float(np.nanpercentile(means, 100 - tail))
    return Interval(estimate, low, high, level, n)


def paired_bootstrap_difference(
    a: Sequence[Sequence[float | None]], b: Sequence[Sequence[float | None]], *, level: float = 0.95,
    resamples: int = DEFAULT_RESAMPLES, seed: int = 0,
) -> Interval:
    """mean(a) - mean(b) on the steps both methods scored, resampling the same sequences for both."""
    if len(a) != len(b):
        raise ValueError(f"paired comparison needs the same sequences: {len(a)} vs {len(b)}")
    diffs = [
        [None if x is None or y is None else float(x) - float(y) for x, y in zip(seq_a, seq_b, strict=True)]
        for seq_a, seq_b in zip(a, b, strict=True)
    ]
    return bootstrap_mean(diffs, level=level, resamples=resamples, seed=seed)
