"""Where a method leaves persistence: how often its forecast differs from today's value, and whether that helps.

The 1.5B forecasts today's value at most steps, so a method's MAE against persistence is decided by the few steps
where it departs from it. For every method of an evaluation folder and every regression target, this counts the
steps whose forecast equals the persistence forecast, and of the others how many came closer to the truth than
persistence did and how many went farther, with their total contribution to the MAE difference. A departure that
follows a step with an error is also classed by its direction: against that error (a correction: "too high" last
step, lower than today now) or with it (the wrong way). The measured feedback states that error's sign, so a memory
that learned from it would correct against it. No LM call: it reads the folder's sequence files and rebuilds the
split's sequences (same split, episodes, steps and task options).

`--reference` compares with another anchor instead (e.g. `auto_arima` for a `--weather-hint auto_arima` folder:
how often a method wrote the hint's number). A forecast "equals" the reference when it is the reference rounded to
the target's decimals (what the model would write to copy it); the Δ column sums over every step, so it still adds
up to the report's paired Δ against that anchor, and its 95% CI resamples whole sequences as the report does (so
a paired Δ against an anchor the report's table does not pair with, such as `auto_arima`, has a command too).

    python -m benchmarks.departures results/tune-weather/test [--tasks weather] [--reference persistence]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from benchmarks.common import table


def departures(task: Any, settings: dict[str, Any], folder: Path, *, reference: str = "persistence"
               ) -> list[list[Any]]:
    from llm_as_rnn.anchors.registry import anchor_predictions
    from llm_as_rnn.metrics.bootstrap import bootstrap_mean

    sequences = {q.id: q for q in task.sequences(settings["split"], limit=settings["episodes"],
                                                  steps=settings["steps"])}
    bases = {q.id: anchor_predictions(task, reference, q) for q in sequences.values()}  # once, for every method
    order = {sequence_id: index for index, sequence_id in enumerate(sequences)}  # the split's order, as the report
    rows = []
    for method_dir in sorted(p for p in (folder / "sequences").glob(f"{task.name}-*/*") if p.is_dir()):
        stored = [json.loads(f.read_text()) for f in sorted(method_dir.glob("*.json"))]
        stored = sorted((s for s in stored if s["sequence_id"] in sequences), key=lambda s: order[s["sequence_id"]])
        for target in (t for t in task.targets if t.kind == "regression"):
            same = closer = farther = steps = against = along = 0
            change = 0.0
            per_sequence: list[list[float]] = []  # each step's |error| minus the reference's, for the paired CI
            for record in stored:
                sequence, base = sequences[record["sequence_id"]], bases[record["sequence_id"]]
                per_sequence.append([])
                last_error = 0.0  # the method's own error at the previous step (0: none yet, or unscored)
                for predicted, anchor, step in zip(record["predictions"], base, sequence.steps, strict=True):
                    if not predicted or predicted.get(target.name) is None:
                        last_error = 0.0
                        continue
                    steps += 1
                    forecast, truth = float(predicted[target.name]), float(step.target[target.name])
                    base_value = float(anchor[target.name])
                    error, last_error = last_error, forecast - truth
                    delta = abs(forecast - truth) - abs(base_value - truth)
                    change += delta
                    per_sequence[-1].append(delta)
                    if abs(forecast - round(base_value, target.decimals)) < 1e-9:
                        same += 1
                        continue
                    closer += delta < 0
                    farther += delta > 0
                    if abs(error) >= 1e-9:
                        against += (forecast - base_value) * error < 0
                        along += (forecast - base_value) * error > 0
            if steps:
                rows.append([stored[0]["method"] if stored else method_dir.name, target.name, steps, same,
                             steps - same, closer, farther, round(change / steps, 3), against, along,
                             bootstrap_mean(per_sequence)])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="an evaluation folder (with evaluation.json and sequences/)")
    parser.add_argument("--tasks", default="weather")
    parser.add_argument("--reference", default="persistence", help="the anchor to compare with (default: persistence)")
    args = parser.parse_args()
    from llm_as_rnn.reports.formatting import format_interval
    from llm_as_rnn.tasks import get_task

    settings = json.loads((args.folder / "evaluation.json").read_text())
    for name in args.tasks.split(","):
        task = get_task(name, **(settings.get("task_options") or {}).get(name, {}))
        rows = [[*row[:-1], format_interval(row[-1])]
                for row in departures(task, settings, args.folder, reference=args.reference)]
        print(table(["method", "target", "steps", f"= {args.reference}", "departures", "closer", "farther",
                     "Δ MAE from departures", "against last error", "with last error",
                     f"Δ MAE vs {args.reference} [95% CI]"], rows,
                    title=f"{name}, {settings['split']}: where each method leaves {args.reference} ({args.folder})"))
        print()


if __name__ == "__main__":
    main()
