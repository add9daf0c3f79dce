"""Step 3 of the loop: rewrite h_{t-1} into h_t, re-ask once if over budget, then cut at section boundaries."""

from __future__ import annotations

from typing import Any

import dspy

from programs.budget import MemoryBudget, TokenCounter
from programs.critic import Feedback
from programs.failures import guarded_call
from programs.memory import Memory, MemorySchema
from programs.records import StepRecord
from signatures.fused import fused_signature
from signatures.update import update_signature


class MemoryUpdater(dspy.Module):
    """h_t = rewrite(h_{t-1}, step, e_t) with the budget shown to the model and enforced in code.

    A malformed answer keeps h_{t-1}. An answer over budget is re-asked once with its size; if still over, bullets
    are dropped from the lowest-priority section until it fits. With `fused=True` the same call also writes the
    critique (two LM calls per step instead of three).
    """

    def __init__(self, schema: MemorySchema, budget: MemoryBudget, *, fused: bool = False):
        super().__init__()
        self.schema = schema
        self.budget = budget
        self.fused = fused
        self.update = dspy.Predict(fused_signature(schema) if fused else update_signature(schema))

    @property
    def max_tokens(self) -> int:
        """Room for the JSON of a full memory; a longer answer is truncated, repaired and then cut to budget."""
        return 2 * self.budget.tokens + 64 + (96 if self.fused else 0)

    def forward(
        self,
        memory: Memory,
        feedback: Feedback,
        record: StepRecord,
        count: TokenCounter,
        lm: dspy.BaseLM | None = None,
    ) -> Memory:
        rendered = memory.render()
        inputs = {"memory": rendered, "step": feedback.report, "budget": self.budget.describe(count(rendered))}
        if not self.fused:
            inputs["feedback"] = feedback.text
        elif feedback.measured:
            inputs["step"] = f"{feedback.report}\nMeasured error: {feedback.measured}"
        out = self._ask(inputs, record, lm)
        if out is None:
            return memory
        if self.fused:
            feedback.critique = str(out.get("critique") or "").strip()
        draft = Memory.from_outputs(self.schema, out)
        used = count(draft.render())
        if used > self.budget.tokens:
            record.budget_actions.append(f"reask:{used}")
            retry = self._ask({**inputs, "memory": draft.render(), "budget": self.budget.describe_overflow(used)},
                              record, lm)
            if retry is not None:
                draft = Memory.from_outputs(self.schema, retry)
        draft, dropped = self.budget.fit(draft, count)
        if dropped:
            record.budget_actions.append(f"cut:{dropped}")
        if draft.bullet_count == 0 and memory.bullet_count > 0:
            record.budget_actions.append("emptied")
        return draft

    def _ask(self, inputs: dict[str, Any], record: StepRecord, lm: dspy.BaseLM | None) -> dict[str, Any] | None:
        out = guarded_call(self.update, role="update", record=record, max_tokens=self.max_tokens, lm=lm, **inputs)
        return None if out is None else dict(out)
