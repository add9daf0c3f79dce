"""Label and ranking accuracy: Acc@1 and Acc@k."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np


def correct(predicted: Any, actual: Any) -> bool | None:
    """Exact label match; None where there is no prediction."""
    return None if predicted is None else str(predicted) == str(actual)


def accuracy(predicted: Sequence[Any], actual: Sequence[Any]) -> float:
    hits = [correct(p, a) for p, a in zip(predicted, actual, strict=True)]
    hits = [h for h in hits if h is not None]
    return float(np.mean(hits)) if hits else float("nan")


def hit_at_k(ranked: Iterable[Any] | None, relevant: Any, k: int) -> bool | None:
    """Is `relevant` among the first k of `ranked`? None where there is no prediction."""
    if ranked is None:
        return None
    return relevant in list(ranked)[:k]


def accuracy_at_k(ranked: Sequence[Iterable[Any] | None], relevant: Sequence[Any], k: int) -> float:
    hits = [hit_at_k(r, a, k) for r, a in zip(ranked, relevant, strict=True)]
    hits = [h for h in hits if h is not None]
    return float(np.mean(hits)) if hits else float("nan")
