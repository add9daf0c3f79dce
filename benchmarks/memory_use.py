"""Does a variant still write its memory, and is it no worse than a base method? No LM call.

    python -m benchmarks.memory_use results/speed-dev --base "llm_as_rnn:measured,mask_values,show_running"

A faster variant can be fast because it stops writing: a delta update that keeps the empty skeleton costs few
generated tokens and leaves the predictor memoryless. For each method stored in an evaluation folder this prints,
per task, the paired difference to `--base` on the task's first target (abs error, or hit@1 / correct), resampling
the sequences both finished, and how the memory was used: mean memory tokens after a step, and the steps whose
memory after the update is still the initial memory h_0.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path
from typing import Any

from benchmarks.common import load_folder


def primary_scores(task: Any, result: dict[str, Any]) -> list[float | None]:
    """Per-step scores of the task's first target: the unit of the paired interval."""
    from llm_as_rnn.metrics.step_scores import step_scores

    target = task.targets[0]
    truths = [record["truth"] for record in result["records"]]
    scores = step_scores(target, result["predictions"], truths)
    return next(iter(scores.values()))


def memory_use(result: dict[str, Any]) -> tuple[list[int], int]:
    """Memory tokens after each step, and how many steps ended with the initial memory unchanged."""
    records = result["records"]
    if not records or "memory" not in records[0]:
        return [], 0
    initial = records[0]["memory_before"]
    return [int(r["memory_tokens"]) for r in records], sum(r["memory"] == initial for r in records)


def compare(folder: Path, base: str) -> dict[str, list[dict[str, Any]]]:
    """task -> one row per stored method: N, the paired Δ to `base` (None for `base`), memory tokens, steps at h_0."""
    from llm_as_rnn.metrics.bootstrap import paired_bootstrap_difference
    from llm_as_rnn.tasks import get_task

    table: dict[str, list[dict[str, Any]]] = {}
    for task_name, methods in load_folder(folder).items():
        if base not in methods:
            raise ValueError(f"{folder}: task {task_name} has no method {base!r}; it has {sorted(methods)}")
        task = get_task(task_name)
        rows = table[task_name] = []
        for method, sequences in methods.items():
            ids = sorted(set(sequences) & set(methods[base]))
            scores = [primary_scores(task, sequences[i]) for i in ids]
            base_scores = [primary_scores(task, methods[base][i]) for i in ids]
            difference = None if method == base else paired_bootstrap_difference(scores, base_scores)
            tokens, kept = [], 0
            for i in ids:
                after, unchanged = memory_use(sequences[i])
                tokens += after
                kept += unchanged
            rows.append({"method": method, "n": len(ids), "difference": difference, "memory_tokens": tokens,
                         "at_h0": kept})
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--base", required=True, help="the method spec every other method is paired with")
    args = parser.parse_args(argv)
    try:
        table = compare(args.folder, args.base)
    except ValueError as exc:
        parser.error(str(exc))
    if not table:
        parser.error(f"{args.folder} holds no stored sequences (sequences/*/*/*.json)")
    for task_name, rows in table.items():
        print(f"{task_name} (first target, paired with {args.base} on the sequences both finished)")
        for row in rows:
            line = f"  {row['method']}: N={row['n']}"
            if row["difference"] is not None:
                line += f", Δ {row['difference']}"
            if any(row["memory_tokens"]):
                line += (f", memory tokens {statistics.fmean(row['memory_tokens']):.0f} (mean after a step), "
                         f"memory still h_0 after {row['at_h0']}/{len(row['memory_tokens'])} steps")
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
