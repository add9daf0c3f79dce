"""Scores of several methods on the same sequences: per sequence, overall with CIs, and paired differences."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from llm_as_rnn.metrics.bootstrap import Interval, bootstrap_mean, mean_of_steps, paired_bootstrap_difference
from llm_as_rnn.metrics.sequence_metrics import correct_flags, learning_curve, self_correction_steps
from llm_as_rnn.metrics.step_scores import step_scores

Predictions = Sequence[Mapping[str, Any] | None]


@dataclass
class Scoreboard:
    """`scores[method][metric]` is a list (one per sequence) of per-step lists; metric names are
    `<target>.<score>`, e.g. `temp_max.abs_error`, `rain.correct`."""

    sequence_ids: list[str]
    methods: list[str]
    scores: dict[str, dict[str, list[list[float | None]]]] = field(default_factory=dict)

    @property
    def metrics(self) -> list[str]:
        return list(next(iter(self.scores.values())).keys()) if self.scores else []

    def overall(self, method: str, metric: str, **kwargs: Any) -> Interval:
        return bootstrap_mean(self.scores[method][metric], **kwargs)

    def coverage(self, method: str, metric: str) -> tuple[int, int]:
        """(steps scored, steps) of a method on a metric: a failed answer to a regression target is not scored."""
        steps = self.scores[method][metric]
        return sum(v is not None for seq in steps for v in seq), sum(len(seq) for seq in steps)

    def partly_scored(self, method: str, metric: str) -> str:
        """' (k/n steps)' when a method was scored on some but not all steps of a per-target metric (its peers may
        have been scored on all of them: a table must say so), else ''."""
        if "." not in metric:
            return ""
        scored, steps = self.coverage(method, metric)
        return f" ({scored}/{steps} steps)" if 0 < scored < steps else ""

    def per_sequence(self, method: str, metric: str) -> list[float]:
        return [mean_of_steps(steps) for steps in self.scores[method][metric]]

    def learning_curve(self, method: str, metric: str) -> list[tuple[int, float, int]]:
        return learning_curve(self.scores[method][metric])

    def difference(self, method: str, reference: str, metric: str, **kwargs: Any) -> Interval:
        """mean(method) - mean(reference) on shared steps, CI by resampling sequences."""
        return paired_bootstrap_difference(self.scores[method][metric], self.scores[reference][metric], **kwargs)


def build_scoreboard(
    task: Any, truths: Mapping[str, Sequence[Mapping[str, Any]]], predictions: Mapping[str, Mapping[str, Predictions]]
) -> Scoreboard:
    """`predictions[method][sequence_id]` -> per-step prediction dicts; only sequences every method finished.

    Besides the per-target scores, `<correct>` is the task's own notion of a right step (`align` for weather) when
    it adds something, and `self_correction` is P(right at t+1 | wrong at t).
    """
    shared = [sid for sid in truths if all(sid in by_seq for by_seq in predictions.values())]
    board = Scoreboard(sequence_ids=shared, methods=list(predictions))
    correct_name = getattr(task, "correct_metric", None)
    for method, by_sequence in predictions.items():
        scores: dict[str, list[list[float | None]]] = {}
        for sid in shared:
            for target in task.targets:
                for score, values in step_scores(target, by_sequence[sid], truths[sid]).items():
                    scores.setdefault(f"{target.name}.{score}", []).append(values)
            flags = correct_flags(task, by_sequence[sid], truths[sid])
            if correct_name:
                scores.setdefault(correct_name, []).append(flags)
            scores.setdefault("self_correction", []).append(self_correction_steps(flags))
        board.scores[method] = scores
    return board
