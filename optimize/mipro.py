"""MIPROv2, zero-shot: proposes instructions for the tuned predictors and searches them with Optuna's TPE."""

from __future__ import annotations

from typing import Any

import dspy

from llm_as_rnn.optimize.base import UpdateOptimizer


class MIPROUpdate(UpdateOptimizer):
    """Instruction-only MIPROv2 (no demos: examples are whole sequences, not per-step demos).

    Cost: about `num_trials` x |dev| sequence rollouts plus a few proposer calls.
    """

    name = "mipro"

    def __init__(self, task: Any, *, num_candidates: int = 3, num_trials: int = 4, **kwargs: Any):
        super().__init__(task, **kwargs)
        if num_candidates < 1 or num_trials < 1:
            raise ValueError("MIPROv2 needs num_candidates >= 1 and num_trials >= 1")
        self.num_candidates = num_candidates
        self.num_trials = num_trials

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "num_candidates": self.num_candidates, "num_trials": self.num_trials}

    def _compile(self, student, trainset, valset):
        optimizer = dspy.MIPROv2(metric=self.metric, prompt_model=self.proposer(), auto=None,
                                 num_candidates=self.num_candidates, max_bootstrapped_demos=0, max_labeled_demos=0,
                                 num_threads=1, seed=self.seed, verbose=False)
        return optimizer.compile(student, trainset=trainset, valset=valset, num_trials=self.num_trials,
                                 minibatch=False)
