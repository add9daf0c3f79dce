"""Per-step scores of one target: the unit every aggregate and every confidence interval is built from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from llm_as_rnn.metrics.classification import correct, hit_at_k


def _value(prediction: Mapping[str, Any] | None, name: str) -> Any:
    return None if prediction is None else prediction.get(name)


def step_scores(
    target: Any, predictions: Sequence[Mapping[str, Any] | None], truths: Sequence[Mapping[str, Any]]
) -> dict[str, list[float | None]]:
    """Scores per step for `target` (None where there was no valid prediction).

    regression: `abs_error`, `sq_error`; label: `correct` (0/1); topk: `hit@1` and `hit@k` against the primary
    truth (the first item of the truth list).
    """
    predicted = [_value(p, target.name) for p in predictions]
    actual = [t[target.name] for t in truths]
    if target.kind == "regression":
        abs_error = [None if p is None else abs(float(p) - float(a)) for p, a in zip(predicted, actual, strict=True)]
        return {"abs_error": abs_error, "sq_error": [None if e is None else e * e for e in abs_error]}
    if target.kind == "label":
        hits = [correct(p, a) for p, a in zip(predicted, actual, strict=True)]
        return {"correct": [None if hit is None else float(hit) for hit in hits]}
    ranked_keys = [None if p is None else [target.key(item) for item in p] for p in predicted]
    primary = [target.key(a[0]) if a else None for a in actual]
    scores = {"hit@1": [_hit(p, a, 1) for p, a in zip(ranked_keys, primary, strict=True)]}
    if target.k > 1:
        scores[f"hit@{target.k}"] = [_hit(p, a, target.k) for p, a in zip(ranked_keys, primary, strict=True)]
    return scores


def _hit(ranked: Any, relevant: Any, k: int) -> float | None:
    if ranked is not None and relevant is None:
        return 0.0  # a truth that normalises to nothing cannot be hit
    hit = hit_at_k(ranked, relevant, k)
    return None if hit is None else float(hit)


ERROR_SCORES = frozenset({"abs_error", "sq_error"})


def lower_is_better(metric: str) -> bool:
    """True for error scores; `metric` is a score name (`abs_error`) or a board metric (`temp_max.abs_error`)."""
    return metric.rpartition(".")[2] in ERROR_SCORES
