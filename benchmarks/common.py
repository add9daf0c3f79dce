"""Shared by the benchmark scripts: offline settings, a fresh DSPy cache, and plain-text tables."""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("DSPY_CACHEDIR", tempfile.mkdtemp(prefix="llm-rnn-bench-cache-"))


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str = "") -> str:
    """A Markdown table (it reads as plain text too), numbers right-aligned with sensible precision."""
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.3g}" if abs(value) < 10 else f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}"
        return str(value)

    body = [[cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(headers)]
    lines = [f"**{title}**", ""] if title else []
    lines.append("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += ["| " + " | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in body]
    return "\n".join(lines)


def embedded_lm(**kwargs: Any):
    """The embedded backbone with DSPy's cache off, so every call reaches llama.cpp."""
    from llm_as_rnn.backbones import load_backbone
    from llm_as_rnn.backbones.model_string import EMBEDDED_SMOKE

    kwargs.setdefault("model", EMBEDDED_SMOKE)
    return load_backbone(cache=False, **kwargs)


def anchor_forecasts(task: Any, sequences: Sequence[Any], target: str, *, statistical: bool = False
                     ) -> dict[str, list[list[float]]]:
    """Each classical anchor's forecasts of `target`, one list per sequence; anchors that leave a step of it
    unforecast are left out. `statistical` adds AutoARIMA/AutoETS where statsforecast is installed."""
    from llm_as_rnn.anchors.registry import STATISTICAL, anchor_names, anchor_predictions

    names = [n for n in anchor_names(task) if statistical or n not in STATISTICAL]
    anchors = {name: (lambda t, s, name=name: anchor_predictions(t, name, s)) for name in names}
    out = {}
    for name, anchor in anchors.items():
        predicted = [anchor(task, sequence) for sequence in sequences]
        if all(p and p.get(target) is not None for seq in predicted for p in seq):
            out[name] = [[float(p[target]) for p in seq] for seq in predicted]
    return out


def truths(sequences: Sequence[Any], target: str) -> list[list[float]]:
    """The revealed value of `target` at every step, one list per sequence (the shape `absolute_errors` pairs)."""
    return [[float(step.target[target]) for step in sequence.steps] for sequence in sequences]


def absolute_errors(forecasts: Sequence[Sequence[float]], truths: Sequence[Sequence[float]]) -> list[list[float]]:
    """One list of |ŷ - y| per sequence: the metric's own per-step errors, applied sequence by sequence."""
    from llm_as_rnn.metrics.regression import absolute_errors as step_errors

    return [step_errors(fs, ys) for fs, ys in zip(forecasts, truths, strict=True)]


def load_folder(folder: Path) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    """task -> method -> sequence id -> the stored sequence."""
    from llm_as_rnn.evaluation.store import ResultStore

    stored: dict[str, dict[str, dict[str, dict[str, Any]]]] = defaultdict(lambda: defaultdict(dict))
    for result in ResultStore(folder).finished():
        stored[result["task"]][result["method"]][result["sequence_id"]] = result
    return stored
