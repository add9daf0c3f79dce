"""Zero-shot: the predictor sees x_t only; nothing is carried from step to step."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dspy

from llm_as_rnn.programs.sequence_program import SequenceProgram

NO_MEMORY = "(nothing: predict from the input alone)"


class ZeroShot(SequenceProgram):
    """ŷ_t = predict(∅, x_t): the lower bound every memory method must beat."""

    name = "zero_shot"

    def forward(self, steps: Sequence[Any], sequence_id: str = "") -> dspy.Prediction:
        with self.session() as recorder:
            for t, step in enumerate(steps):
                record = recorder.start(t, step, NO_MEMORY)
                self.predictor(NO_MEMORY, step.input, record, lm=self.roles.predictor)
                record.memory = NO_MEMORY
                recorder.finish(record)
        return recorder.prediction()
