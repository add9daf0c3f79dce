"""GEPA: a reflection model reads per-sequence feedback and rewrites the tuned instructions, keeping a Pareto
front of candidates on the dev set."""

from __future__ import annotations

from typing import Any

import dspy

from llm_as_rnn.optimize.base import UpdateOptimizer, tuned_instructions
from llm_as_rnn.optimize.metric import FeedbackMetric


class GEPAUpdate(UpdateOptimizer):
    """Cost: `max_metric_calls` sequence rollouts plus one reflection call per iteration."""

    name = "gepa"

    def __init__(self, task: Any, *, max_metric_calls: int = 16, reflection_minibatch_size: int = 2,
                 **kwargs: Any):
        super().__init__(task, **kwargs)
        if max_metric_calls < 1 or reflection_minibatch_size < 1:
            raise ValueError("GEPA needs max_metric_calls >= 1 and reflection_minibatch_size >= 1")
        self.max_metric_calls = max_metric_calls
        self.reflection_minibatch_size = reflection_minibatch_size

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "max_metric_calls": self.max_metric_calls,
                "reflection_minibatch_size": self.reflection_minibatch_size}

    def _compile(self, student, trainset, valset):
        optimizer = dspy.GEPA(metric=FeedbackMetric(self.task), reflection_lm=self.proposer(),
                              max_metric_calls=self.max_metric_calls,
                              reflection_minibatch_size=min(self.reflection_minibatch_size, len(trainset)),
                              num_threads=1, seed=self.seed, track_stats=True)
        return optimizer.compile(student, trainset=trainset, valset=valset)

    def _candidates(self, compiled):
        """Every candidate GEPA accepted onto its dev Pareto front (the seed is candidate 0), with its mean dev
        score, its parent and the metric calls spent when it was found. Proposals rejected on a train minibatch
        never reach dev; they are in the log (`-v`)."""
        details = getattr(compiled, "detailed_results", None)
        if details is None:
            return []
        return [{"index": i, "dev_score": float(score), "parents": list(details.parents[i] or []),
                 "found_after_metric_calls": details.discovery_eval_counts[i],
                 "instructions": tuned_instructions(candidate, self.tune)}
                for i, (candidate, score) in enumerate(zip(details.candidates, details.val_aggregate_scores,
                                                           strict=True))]
