"""Step 3 of the loop: rewrite h_{t-1} into h_t, re-ask once if over budget, then cut at section boundaries."""

from __future__ import annotations

from typing import Any, Literal, get_args

import dspy

from llm_as_rnn.programs.budget import MemoryBudget, TokenCounter
from llm_as_rnn.programs.critic import Feedback
from llm_as_rnn.programs.failures import guarded_call
from llm_as_rnn.programs.memory import Memory, MemorySchema, whole_sentences
from llm_as_rnn.programs.records import StepRecord
from llm_as_rnn.signatures.edit import edit_signature
from llm_as_rnn.signatures.fields import length_limits
from llm_as_rnn.signatures.fused import fused_signature
from llm_as_rnn.signatures.update import update_signature

UpdatePolicy = Literal["rewrite", "delta"]
MEMORY_POINTER = "(your memory of this sequence, as shown in the system prompt above)"
# Worst-case tokens of one bullet under the embedded engine's grammar (120 characters; numbers cost about one token
# per character). max_tokens must let a grammar-bounded answer finish: a truncated JSON loses every section.
BULLET_TOKENS = 128
UPDATE_POLICIES: tuple[str, ...] = get_args(UpdatePolicy)


def string_limit(lm: Any) -> int | None:
    """The cap the backbone's engine puts on one JSON string (the embedded engine's grammar: 160 characters by
    default), or None where nothing cuts a string (hosted backbones, a proposer engine with the cap off)."""
    limit = getattr(getattr(lm, "engine", None), "max_string_chars", None)
    return limit if isinstance(limit, int) and limit > 0 else None


class MemoryUpdater(dspy.Module):
    """h_t = update(h_{t-1}, step, e_t) with the budget shown to the model and enforced in code.

    `rewrite` (the paper) writes the whole new memory; `delta` removes numbered bullets and adds new ones, keeping
    the rest (the ACE/ExpeL answer to context collapse). A malformed answer keeps h_{t-1}. An answer over budget is
    re-asked once with its size; if still over, bullets are dropped from the lowest-priority section until it fits.
    With `fused=True` the same call also writes the critique (two LM calls per step instead of three).
    """

    def __init__(self, schema: MemorySchema, budget: MemoryBudget, *, fused: bool = False,
                 policy: UpdatePolicy = "rewrite", memory_shown: bool = False):
        """`memory_shown`: the memory is already in the conversation (a shared predict/update context): a rewrite
        gets a pointer to it instead of a second copy; a delta edit still needs it numbered."""
        super().__init__()
        self.memory_shown = memory_shown
        if policy not in UPDATE_POLICIES:
            raise ValueError(f"unknown update policy {policy!r}; choose one of {', '.join(UPDATE_POLICIES)}")
        self.schema = schema
        self.budget = budget
        self.fused = fused
        self.policy = policy
        if policy == "delta":
            signature = edit_signature(schema, fused=fused)
        else:
            signature = fused_signature(schema) if fused else update_signature(schema)
        self.update = dspy.Predict(signature)
        # read here, not from the predictor: an optimizer may wrap it (frozen) while it tunes another step
        self._critique_limit = length_limits(signature.output_fields["critique"])[1] if fused else None

    @property
    def max_tokens(self) -> int:
        """Room for the longest answer the schema allows (every section full), so a constrained answer always
        completes; the budget is enforced on the result, not by truncating the model."""
        bullets = sum(section.max_bullets for section in self.schema.sections)
        return bullets * BULLET_TOKENS + 96 + (160 if self.fused else 0)

    def forward(
        self,
        memory: Memory,
        feedback: Feedback,
        record: StepRecord,
        count: TokenCounter,
        lm: dspy.BaseLM | None = None,
    ) -> Memory:
        rendered = memory.render()
        shown = MEMORY_POINTER if self.memory_shown and self.policy != "delta" else None
        inputs = {"memory": shown or memory.render(numbered=self.policy == "delta"), "step": feedback.report,
                  "budget": self.budget.describe(count(rendered))}
        if not self.fused:
            inputs["feedback"] = feedback.text
        elif feedback.measured:
            inputs["step"] = f"{feedback.report}\nMeasured error: {feedback.measured}"
        limit = string_limit(lm or dspy.settings.lm)
        out = self._ask(inputs, record, lm)
        if out is None:
            return memory
        if self.fused:
            feedback.critique = whole_sentences(str(out.get("critique") or ""), self._critique_limit)
        draft = self._apply(memory, out, limit)
        used = count(draft.render())
        if used > self.budget.tokens:
            record.budget_actions.append(f"reask:{used}")
            retry = self._ask({**inputs, "memory": draft.render(numbered=self.policy == "delta"),  # the draft itself
                               "budget": self.budget.describe_overflow(used)}, record, lm)
            if retry is not None:
                draft = self._apply(draft, retry, limit)
        draft, dropped = self.budget.fit(draft, count)
        if dropped:
            record.budget_actions.append(f"cut:{dropped}")
        if draft.bullet_count == 0 and memory.bullet_count > 0:
            record.budget_actions.append("emptied")
        return draft

    def _apply(self, memory: Memory, out: dict[str, Any], limit: int | None) -> Memory:
        if self.policy == "delta":
            return memory.edited(out.get("remove") or [], {name: out.get(name) or [] for name in self.schema.names},
                                 limit=limit)
        return Memory.from_outputs(self.schema, out, limit=limit)

    def _ask(self, inputs: dict[str, Any], record: StepRecord, lm: dspy.BaseLM | None) -> dict[str, Any] | None:
        out = guarded_call(self.update, role="update", record=record, max_tokens=self.max_tokens, lm=lm, **inputs)
        return None if out is None else dict(out)
