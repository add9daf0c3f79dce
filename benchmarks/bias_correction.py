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

`--statistical` adds AutoARIMA/AutoETS as bases: the forecast a `--weather-hint` run hands every LLM method.
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


def compare(task: Any, split: str, episodes: int, steps: int, *, statistical: bool = False
            ) -> list[list[Any]]:
    from llm_as_rnn.metrics.bootstrap import bootstrap_mean, paired_bootstrap_difference

    sequences = task.sequences(split, limit=episodes, steps=steps)
    rows = []
    for target in (t for t in task.targets if t.kind == "regression"):
        revealed = truths(sequences, target.name)
        for name, base in anchor_forecasts(task, sequences, target.name, statistical=statistical).items():
            base_errors = absolute_errors(base, revealed)
            rows.append([split, target.name, name, "—", str(bootstrap_mean(base_errors)), "", len(sequences)])
            for share in SHARES:
                errors = absolute_errors([corrected(bs, ys, share) for bs, ys in zip(base, revealed, strict=True)],
                                         revealed)
                rows.append([split, target.name, name, f"{share:g} x running bias", str(bootstrap_mean(errors)),
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
