"""Point-forecast errors: MAE, MSE, RMSE and directional accuracy."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _pairs(predicted: Sequence[float | None], actual: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    if len(predicted) != len(actual):
        raise ValueError(f"{len(predicted)} predictions for {len(actual)} truths")
    keep = [i for i, p in enumerate(predicted) if p is not None]
    return np.asarray([predicted[i] for i in keep], float), np.asarray([actual[i] for i in keep], float)


def absolute_errors(predicted: Sequence[float | None], actual: Sequence[float]) -> list[float | None]:
    """|ŷ - y| per step; None where there is no prediction."""
    return [None if p is None else abs(float(p) - float(a)) for p, a in zip(predicted, actual, strict=True)]


def mae(predicted: Sequence[float | None], actual: Sequence[float]) -> float:
    p, a = _pairs(predicted, actual)
    return float(np.mean(np.abs(p - a))) if len(p) else float("nan")


def mse(predicted: Sequence[float | None], actual: Sequence[float]) -> float:
    p, a = _pairs(predicted, actual)
    return float(np.mean((p - a) ** 2)) if len(p) else float("nan")


def rmse(predicted: Sequence[float | None], actual: Sequence[float]) -> float:
    return float(np.sqrt(mse(predicted, actual)))


def directional_accuracy(predicted: Sequence[float | None], actual: Sequence[float]) -> float:
    """Share of steps whose predicted sign matches the actual sign (returns: up vs down; zero counts as down)."""
    p, a = _pairs(predicted, actual)
    return float(np.mean((p > 0) == (a > 0))) if len(p) else float("nan")
