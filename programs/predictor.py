"""The prediction step shared by LLM-as-RNN and every baseline: same signature, different memory."""

from __future__ import annotations

from typing import Any

import dspy

from llm_as_rnn.programs.failures import guarded_call
from llm_as_rnn.programs.records import StepRecord, as_plain
from llm_as_rnn.signatures.predict import predict_signature


class StepPredictor(dspy.Module):
    """ŷ_t = predict(memory, x_t). A malformed answer yields no prediction and a counted failure, never a crash.

    `adjust=True` adds an adjustment field before each numeric target (`signatures.predict.adjustment_field`); the
    adjustments go to the step record (`record.adjustments`), never into the scored prediction."""

    def __init__(self, task: Any, *, max_tokens: int | None = None, adjust: bool = False):
        super().__init__()
        self.predict = dspy.Predict(predict_signature(task.targets, task.description, adjust=adjust))
        self.targets = tuple(t.name for t in task.targets)
        # The adjustment fields the signature asks for: none without `adjust` or without a numeric target.
        self.adjustments = tuple(name for name in self.predict.signature.output_fields if name not in self.targets)
        self.max_tokens = max_tokens or _prediction_max_tokens(task.targets) + 24 * len(self.adjustments)

    def forward(self, memory: str, observation: str, record: StepRecord, lm: dspy.BaseLM | None = None):
        out = guarded_call(self.predict, role="predict", record=record, max_tokens=self.max_tokens, lm=lm,
                           memory=memory, observation=observation)
        if out is None:
            return None
        prediction = as_plain({name: out.get(name) for name in self.targets})
        record.prediction = prediction
        record.adjustments = {name: out.get(name) for name in self.adjustments}
        return prediction


def _prediction_max_tokens(targets) -> int:
    """Room for the longest JSON the schema allows: top-k items are free text (up to 128 tokens each under the
    embedded grammar); numbers and labels are short."""
    return 32 + sum(128 * t.k if t.kind == "topk" else 24 for t in targets)
