"""Paired Δ between methods stored in two evaluation folders, on the sequences both finished.

A report pairs rows only within its folder, and a folder's rows are scored on the sequences every method in it
finished. So rows run apart (the 0.5B's `results/headline-full-05b` beside the 1.5B's `results/headline-full`, kept
apart so a partial row does not shrink a finished table) have no paired comparison in any report. This reads both
folders' sequence files, keeps the sequences both methods finished, and gives method A − method B on the same steps
of each regression target, with the report's 95% CI (whole sequences resampled, the split's order). No LM call. The
folders must share split, steps and task options (else the truths differ); it says which field differs and stops.

    python -m benchmarks.pair_folders results/headline-full-05b "llm_as_rnn:measured,..." \\
        results/headline-full zero_shot fhc memprompt [--tasks weather]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from benchmarks.common import load_folder, table


def check_comparable(folder_a: Path, folder_b: Path, task_name: str) -> dict[str, Any]:
    """The first folder's settings, once both folders are shown to hold the same sequences and truths of the task."""
    settings_a = json.loads((folder_a / "evaluation.json").read_text())
    settings_b = json.loads((folder_b / "evaluation.json").read_text())
    shared = {  # what decides the task's sequences and their truths
        "split": (settings_a.get("split"), settings_b.get("split")),
        "steps": (settings_a.get("steps"), settings_b.get("steps")),
        f"task_options.{task_name}": ((settings_a.get("task_options") or {}).get(task_name) or {},
                                      (settings_b.get("task_options") or {}).get(task_name) or {}),
    }
    for field, (value_a, value_b) in shared.items():
        if value_a != value_b:
            raise SystemExit(f"{folder_b / 'evaluation.json'}: field {field!r} is {value_b!r}, but "
                             f"{folder_a / 'evaluation.json'} has {value_a!r}; no paired comparison")
    return settings_a


def pair(task: Any, settings: dict[str, Any], stored_a: dict[str, dict[str, Any]], method_a: str,
         stored_b: dict[str, dict[str, Any]], method_b: str) -> list[list[Any]]:
    """One row per regression target: method A, method B, sequences, paired steps, mean A, mean B, paired Δ A − B.
    `stored_a`/`stored_b`: sequence id -> stored sequence of that method (one task of `load_folder`)."""
    from llm_as_rnn.metrics.bootstrap import bootstrap_mean, paired_bootstrap_difference
    from llm_as_rnn.metrics.regression import absolute_errors

    sequences = [q for q in task.sequences(settings["split"], limit=settings["episodes"], steps=settings["steps"])
                 if q.id in stored_a and q.id in stored_b]  # the split's order, as the report resamples
    rows = []
    for target in (t for t in task.targets if t.kind == "regression"):
        errors_a, errors_b = [], []
        for sequence in sequences:
            truths = [step.target[target.name] for step in sequence.steps]
            for errors, stored in ((errors_a, stored_a), (errors_b, stored_b)):
                predicted = [p.get(target.name) if p else None for p in stored[sequence.id]["predictions"]]
                errors.append(absolute_errors(predicted, truths))
        paired_steps = sum(x is not None and y is not None
                           for seq_a, seq_b in zip(errors_a, errors_b, strict=True)
                           for x, y in zip(seq_a, seq_b, strict=True))
        rows.append([method_a, method_b, target.name, len(sequences), paired_steps, bootstrap_mean(errors_a),
                     bootstrap_mean(errors_b), paired_bootstrap_difference(errors_a, errors_b)])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder_a", type=Path, help="the evaluation folder of method A")
    parser.add_argument("method_a", help="method A's name as its report prints it")
    parser.add_argument("folder_b", type=Path, help="the evaluation folder of the rivals")
    parser.add_argument("methods_b", nargs="+", help="the rivals' names as their report prints them")
    parser.add_argument("--tasks", default="weather")
    args = parser.parse_args()
    from llm_as_rnn.reports.formatting import format_interval
    from llm_as_rnn.tasks import get_task

    settings_by_task = {name: check_comparable(args.folder_a, args.folder_b, name) for name in args.tasks.split(",")}
    folder_a, folder_b = load_folder(args.folder_a), load_folder(args.folder_b)  # each read once, once both agree
    for name, settings in settings_by_task.items():
        task = get_task(name, **(settings.get("task_options") or {}).get(name, {}))
        stored_a = folder_a[name][args.method_a]
        rows = [row for method_b in args.methods_b
                for row in pair(task, settings, stored_a, args.method_a, folder_b[name][method_b], method_b)]
        print(table(["A", "B", "target", "sequences", "paired steps", "MAE A", "MAE B", "Δ A − B [95% CI]"],
                    [[*row[:5], *(format_interval(x) for x in row[5:])] for row in rows],
                    title=f"{name}, {settings['split']}: {args.folder_a} against {args.folder_b}, paired"))
        print()


if __name__ == "__main__":
    main()
