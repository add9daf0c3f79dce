"""Finance anchors: the zero-return forecast (a random walk) and the training-period mean return."""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd


@functools.lru_cache(maxsize=4)
def _train_stats(task: Any) -> tuple[float, str]:
    frame = task.daily.to_pandas()
    train = frame[pd.to_datetime(frame["date"]).dt.year.isin(task.split_years["train"])]
    up_share = float((train["return_pct"] > 0).mean())
    return float(train["return_pct"].mean()), "up" if up_share >= 0.5 else "down"


def zero_return(task: Any, sequence: Any) -> list[dict[str, Any]]:
    """Return 0 % (a random walk); direction = the training years' more common direction."""
    _, direction = _train_stats(task)
    return [{"return_pct": 0.0, "direction": direction} for _ in sequence.steps]


def train_mean_return(task: Any, sequence: Any) -> list[dict[str, Any]]:
    """The mean daily return of the training years (a random walk with drift)."""
    mean, direction = _train_stats(task)
    return [{"return_pct": round(mean, 4), "direction": direction} for _ in sequence.steps]
