"""How far below its reference anchor can a forecaster get on a task's split? No LM call: the bar, in seconds.

The weather target asks LLM-as-RNN to beat persistence with a paired CI excluding 0. Whether that is within reach
of any forecaster that reads the same history is a property of the data and of N, not of the LLM: this script
pairs every classical anchor of a task (AutoARIMA and AutoETS included, fitted on the training years) with the
task's reference anchor (persistence on weather, zero return on finance) on the same steps, at the evaluations'
sizes (12 and 24 sequences) and on every sequence of the split, with a bootstrap CI over sequences. If no classical
forecaster clears the reference at N=12, a CI excluding 0 there asks more of a 1.5B model than of AutoARIMA.

    python -m benchmarks.headroom [--tasks weather,finance] [--splits dev,test] [--episodes 12,24,all]
        [--steps 4]
"""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks.common import absolute_errors, anchor_forecasts, table, truths


def compare(task: Any, split: str, episodes: int | None, steps: int) -> list[list[Any]]:
    """One row per anchor and regression target: its MAE and its paired difference to the reference anchor."""
    from llm_as_rnn.metrics.bootstrap import bootstrap_mean, paired_bootstrap_difference

    sequences = task.sequences(split, limit=episodes, steps=steps)
    reference = task.primary_anchor
    rows = []
    for target in (t for t in task.targets if t.kind == "regression"):
        revealed = truths(sequences, target.name)
        forecasts = anchor_forecasts(task, sequences, target.name, statistical=True)
        errors = {name: absolute_errors(f, revealed) for name, f in forecasts.items()}
        for name, anchor_errors in errors.items():
            difference = "" if name == reference else str(paired_bootstrap_difference(anchor_errors,
                                                                                       errors[reference]))
            rows.append([split, len(sequences), target.name, name, str(bootstrap_mean(anchor_errors)), difference])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default="weather,finance")
    parser.add_argument("--splits", default="dev,test")
    parser.add_argument("--episodes", default="12,24,all", help="comma-separated counts; 'all' = every sequence")
    parser.add_argument("--steps", type=int, default=4)
    args = parser.parse_args()
    from llm_as_rnn.tasks import get_task

    counts = [None if c == "all" else int(c) for c in args.episodes.split(",")]
    for name in args.tasks.split(","):
        task = get_task(name)
        rows = [row for split in args.splits.split(",") for count in counts
                for row in compare(task, split, count, args.steps)]
        print(table(["split", "sequences", "target", "anchor", "MAE", f"Δ vs {task.primary_anchor}"], rows,
                    title=f"{name}: each classical anchor against {task.primary_anchor} ({args.steps} steps)"))
        print()


if __name__ == "__main__":
    main()
