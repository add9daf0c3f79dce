"""A readable Markdown page of the memory evolving, step by step: the learning trace of the paper."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import groupby
from pathlib import Path
from typing import Any


def write_memory_page(path: str | Path, task: Any, rows: Iterable[Mapping[str, Any]], *, title: str) -> Path:
    """One section per sequence; per step the input, prediction vs truth, feedback and the rewritten memory."""
    path = Path(path)
    out = [f"# {title}", "", f"Task: {task.name}. {task.description}", ""]
    for sequence_id, steps in groupby(rows, key=lambda r: (r["sequence_id"], r.get("method", ""))):
        steps = list(steps)
        out += [f"## {sequence_id[0]} ({sequence_id[1]})", ""]
        if steps and steps[0].get("memory_before") is not None:
            out += ["Initial memory h_0:", "", _block(steps[0].get("memory_before", "")), ""]
        for row in steps:
            out += [
                f"### step {row['t']}",
                "",
                f"- prediction: {task.format_prediction(row.get('prediction'))}",
                f"- truth: {task.format_truth(row['truth'])}",
                f"- memory tokens: {row.get('memory_tokens', 0)}, prompt tokens: {row.get('prompt_tokens', 0)}, "
                f"LM calls: {row.get('lm_calls', 0)}, {row.get('latency', 0.0):.2f} s",
            ]
            if row.get("adjustments"):  # the `adjust` contract: what the predictor added before its forecast
                out.append("- adjustment written before the forecast: " + ", ".join(
                    f"{name} {value:+g}" if isinstance(value, int | float) else f"{name} {value}"
                    for name, value in row["adjustments"].items()))
            if row.get("failures"):
                out.append(f"- failures: {', '.join(row['failures'])}")
            if row.get("budget_actions"):
                out.append(f"- budget: {', '.join(row['budget_actions'])}")
            out += ["", "<details><summary>input</summary>", "", _block(row["input"]), "", "</details>", ""]
            out += ["Feedback:", "", _block(row.get("feedback", "")), "", "Memory h_t:", "",
                    _block(row.get("memory", "")), ""]
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def _block(text: str) -> str:
    fence = "````" if "```" in (text or "") else "```"
    return f"{fence}text\n{text or '(empty)'}\n{fence}"
