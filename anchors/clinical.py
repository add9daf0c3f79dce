"""Clinical anchors: repeat the previous visit's diagnoses (the EHR's persistence), every revealed diagnosis ranked
by recurrence, and the training prior."""

from __future__ import annotations

import functools
from typing import Any


@functools.lru_cache(maxsize=4)
def _prior(task: Any) -> list[str]:
    """The most frequent primary diagnoses of the training patients, one per CCSR category."""
    seen, out = set(), []
    for item, _ in task.train_primary_counts().most_common():
        category = task.category(item)
        if category not in seen:
            seen.add(category)
            out.append(item)
    return out[: task.primary.k]


def most_frequent(task: Any, sequence: Any) -> list[dict[str, Any]]:
    return [{"diagnoses": list(_prior(task))} for _ in sequence.steps]


def repeat_previous(task: Any, sequence: Any) -> list[dict[str, Any]]:
    """Visit t's diagnoses = visit t-1's (first visit: the training prior)."""
    out, previous = [], None
    for step in sequence.steps:
        out.append({"diagnoses": list(previous[: task.primary.k]) if previous else list(_prior(task))})
        previous = step.target["diagnoses"]
    return out


def revealed_ranked(task: Any, sequence: Any) -> list[dict[str, Any]]:
    """Visit t's diagnoses = those of visits 0..t-1, most frequent first (`Task.revealed_ranking`, the list that
    LLM-as-RNN's `show_running` shows its predictor; first visit: the training prior). What a predictor that copies
    that list would score, so a gain of LLM-as-RNN over repeat-previous can be told apart from the list's own."""
    target = task.primary
    out, revealed = [], []
    for step in sequence.steps:
        ranked = [item for item, _, _ in task.revealed_ranking(target, revealed)]
        out.append({target.name: ranked[: target.k] if ranked else list(_prior(task))})
        revealed.append(step.target)
    return out
