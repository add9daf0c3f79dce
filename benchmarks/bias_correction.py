"""What is the computed feedback worth to a predictor that follows it exactly? No LM call: a ceiling, in seconds.

LLM-as-RNN's `measured` feedback and `show_running` give the predictor the running bias of its forecasts ("mean
error -1.7 °C, too low on average"). The 1.5B forecasts today's value at most steps, so its bias is close to the
bias of persistence. This script applies that correction perfectly to each classical base forecast of a task
(persistence; zero return on finance): at step t, base_t − k × (mean error of the base over the steps revealed
before t), k = 0.5 and 1, on episodes of the same length as the evaluations, and compares the MAE with the base's,
paired, with a bootstrap CI over sequences. If the correction loses to the base, a memory that only learns "my
forecasts ran too low/high" cannot beat persistence on that task, however well the backbone reads it.

    python -m benchmarks.bias_correction [--tasks weather,finance] [--splits train,dev,test] [--episodes 12]
        [--steps 4] [--statistical]

`--statistical` adds AutoARIMA/AutoETS as bases: the forecast a `--weather-hint` run hands every LLM method. Every
base other than persistence also gets a second kind of adaptation a memory could carry ("which forecast has been
closer in this sequence"): at step t, the base or persistence, whichever had the lower absolute error over the steps
revealed before t (the base at ties and at step 0).
"""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks.common import absolute_errors, anchor_forecasts, table, truths

SHARES = (0.5, 1.0)


def corrected(base: list[float], truth: list[float], share: float) -> list[float]:
    """base_t − share × mean(base_s − truth_s for s < t): only truths revealed before step t are used."""
    out, errors = [], []
    for forecast, outcome in zip(base, truth, strict=True):
        bias = sum(errors) / len(errors) if errors else 0.0
        out.append(forecast - share * bias)
        errors.append(forecast - outcome)
    return out


def better_so_far(base: list[float], other: list[float], truth: list[float]) -> list[float]:
    """At each step, `base` or `other`, whichever was closer over the steps revealed before it (base on ties)."""
    out, base_error, other_error = [], 0.0, 0.0
    for b, o, outcome in zip(base, other, truth, strict=True):
        out.append(b if base_error <= other_error else o)
        base_error, other_error = base_error + abs(b - outcome), other_error + abs(o - outcome)
    return out


def compare(task: Any, split: str, episodes: int, steps: int, *, statistical: bool = False
            ) -> list[list[Any]]:
    from llm_as_rnn.metrics.bootstrap import bootstrap_mean, paired_bootstrap_difference

    sequences = task.sequences(split, limit=episodes, steps=steps)
    rows = []
    for target in (t for t in task.targets if t.kind == "regression"):
        revealed = truths(sequences, target.name)
        forecasts = anchor_forecasts(task, sequences, target.name, statistical=statistical)
        for name, base in forecasts.items():
            base_errors = absolute_errors(base, revealed)
            rows.append([split, target.name, name, "—", str(bootstrap_mean(base_errors)), "", len(sequences)])
            adapted = {f"{share:g} x running bias": [corrected(bs, ys, share) for bs, ys in
                                                     zip(base, revealed, strict=True)] for share in SHARES}
            if name != "persistence" and "persistence" in forecasts:
                adapted["better so far of it and persistence"] = [
                    better_so_far(bs, ps, ys) for bs, ps, ys in zip(base, forecasts["persistence"], revealed,
                                                                    strict=True)]
            for label, values in adapted.items():
                errors = absolute_errors(values, revealed)
                rows.append([split, target.name, name, label, str(bootstrap_mean(errors)),
                             str(paired_bootstrap_difference(errors, base_errors)), len(sequences)])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default="weather,finance")
    parser.add_argument("--splits", default="train,dev,test")
    parser.add_argument("--episodes", type=int, default=12)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--statistical", action="store_true", help="also correct AutoARIMA and AutoETS")
    args = parser.parse_args()
    from llm_as_rnn.tasks import get_task

    for name in args.tasks.split(","):
        task = get_task(name)
        rows = [row for split in args.splits.split(",") for row in compare(task, split, args.episodes, args.steps,
                                                                   statistical=args.statistical)]
        print(table(["split", "target", "base", "correction", "MAE", "Δ vs base", "sequences"], rows,
                    title=f"{name}: the base forecast corrected by its own running bias ({args.steps} steps)"))
        print()


if __name__ == "__main__":
    main()
