"""The share of the oracle's gain a method captures on the learning-from-feedback probe (tasks/probe.py).

    python -m benchmarks.probe_share results/probe [--from-step 1]

No LM call: reads the stored sequences of an evaluation folder over the probe tasks. For each method, on the steps
from `--from-step` on (step 0 carries no revealed truth yet), its score S (accuracy; for a number, the share of exact
answers) and

    share = (S(method) - S(zero-shot on the same backbone)) / (S(oracle) - S(zero-shot))

with a 95% bootstrap CI over sequences (the ratio recomputed on each resample). `from_revealed` (a perfect learner
from the revealed truths) is the ceiling for learning from feedback; the oracle knows the rule. A diagnostic, not a
benchmark: it says whether the mechanism learns at all, apart from any data set.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np


def _right(task: Any, prediction: Any, truth: Any) -> float:
    return float(bool(task.correct(prediction, truth)))


def scores(folder: Path, from_step: int) -> dict[str, dict[str, np.ndarray]]:
    """task -> method (and anchor) -> per-sequence mean of right answers on steps >= from_step."""
    from llm_as_rnn.anchors import anchor_names, anchor_predictions
    from llm_as_rnn.evaluation.store import ResultStore
    from llm_as_rnn.tasks import get_task

    settings = json.loads((folder / "evaluation.json").read_text(encoding="utf-8"))
    stored: dict[tuple[str, str], dict[str, list]] = {}
    for result in ResultStore(folder).finished():
        stored.setdefault((result["task"], result["method"]), {})[result["sequence_id"]] = result["predictions"]
    out: dict[str, dict[str, np.ndarray]] = {}
    for name in settings["tasks"]:
        task = get_task(name, **(settings.get("task_options") or {}).get(name, {}))
        sequences = task.sequences(settings["split"], limit=settings["episodes"], steps=settings["steps"])
        predictions = {m: by for (t, m), by in stored.items() if t == name}
        for anchor in anchor_names(task):
            predictions[anchor] = {s.id: anchor_predictions(task, anchor, s) for s in sequences}
        table = {}
        for method, by_sequence in predictions.items():
            if not all(s.id in by_sequence for s in sequences):
                continue  # unfinished: not scored
            table[method] = np.array([np.mean([_right(task, p, step.target) for p, step in
                                               zip(by_sequence[s.id][from_step:], s.steps[from_step:], strict=True)])
                                      for s in sequences])
        out[name] = table
    return out


def share(method: np.ndarray, zero: np.ndarray, oracle: np.ndarray, *, resamples: int = 2000,
          seed: int = 0) -> tuple[float, float, float]:
    """The share of the oracle's gain over zero-shot, with a percentile CI from resampling sequences."""
    def ratio(index: np.ndarray) -> float:
        gain = oracle[index].mean() - zero[index].mean()
        return float((method[index].mean() - zero[index].mean()) / gain) if gain > 0 else float("nan")

    rng = np.random.default_rng(seed)
    n = len(method)
    draws = [ratio(rng.integers(0, n, n)) for _ in range(resamples)]
    return ratio(np.arange(n)), float(np.nanpercentile(draws, 2.5)), float(np.nanpercentile(draws, 97.5))


def backbone_of(method: str) -> str:
    return method.split("backbone=", 1)[1].split(",")[0] if "backbone=" in method else "(main)"


def lm_methods(table: dict[str, np.ndarray]) -> set[str]:
    """The rows of `table` that are LM methods (every stored method names a method spec with a colon or is one
    of the paper's method names), not anchors."""
    return {m for m in table if ":" in m or m in ("zero_shot", "fhc", "memprompt", "llm_as_rnn")}


def ordered(table: dict[str, np.ndarray]) -> list[str]:
    """Methods grouped by backbone (the run's own first), zero-shot then FHC then the rest; anchors last."""
    methods = lm_methods(table)
    backbones = list(dict.fromkeys(backbone_of(m) for m in table if m in methods))
    backbones.sort(key=lambda b: b != "(main)")
    kind = {"zero_shot": 0, "fhc": 1}
    rows = sorted(methods, key=lambda m: (backbones.index(backbone_of(m)), kind.get(m.split(":")[0], 2), m))
    return rows + [m for m in table if m not in methods]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--from-step", type=int, default=1)
    args = parser.parse_args(argv)
    settings = json.loads((args.folder / "evaluation.json").read_text(encoding="utf-8"))
    main_backbone = (settings.get("backbones") or {}).get("predictor", "(the run's backbone)")
    for task, table in scores(args.folder, args.from_step).items():
        n = len(next(iter(table.values())))
        print(f"{task}: {n} sequences, steps >= {args.from_step}; share of the oracle's gain over zero-shot "
              "on the same backbone [95% CI]")
        print()
        print("| backbone | method | right | share [95% CI] |")
        print("| --- | --- | --- | --- |")
        methods = lm_methods(table)
        for method in ordered(table):
            values = table[method]
            zero_name = "zero_shot" + (f":backbone={backbone_of(method)}" if "backbone=" in method else "")
            zero = table.get(zero_name)
            cell = ""
            if zero is not None and method != zero_name:
                estimate, low, high = share(values, zero, table["oracle"])
                cell = f"{estimate:+.2f} [{low:+.2f}, {high:+.2f}]"
            backbone = backbone_of(method) if method in methods else "(anchor)"
            name = method.replace(f",backbone={backbone}", "").replace(f":backbone={backbone}", "")
            shown = main_backbone if backbone == "(main)" else backbone
            print(f"| {shown} | `{name}` | {values.mean():.3f} | {cell} |")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
