"""COPRO: coordinate ascent over instruction candidates proposed by the prompt model, scored on the trainset."""

from __future__ import annotations

from typing import Any

import dspy

from llm_as_rnn.optimize.base import UpdateOptimizer


class COPROUpdate(UpdateOptimizer):
    """Cost: depth x breadth x |train| sequence rollouts plus depth proposer calls per tuned predictor."""

    name = "copro"

    def __init__(self, task: Any, *, breadth: int = 2, depth: int = 1, init_temperature: float = 1.0,
                 **kwargs: Any):
        super().__init__(task, **kwargs)
        if breadth < 2 or depth < 1:
            raise ValueError("COPRO needs breadth >= 2 and depth >= 1")
        self.breadth, self.depth, self.init_temperature = breadth, depth, init_temperature

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "breadth": self.breadth, "depth": self.depth,
                "init_temperature": self.init_temperature}

    def _compile(self, student, trainset, valset):
        optimizer = dspy.COPRO(prompt_model=self.proposer(), metric=self.metric, breadth=self.breadth,
                               depth=self.depth, init_temperature=self.init_temperature)
        return optimizer.compile(student, trainset=trainset,
                                 eval_kwargs={"num_threads": 1, "display_progress": False})
