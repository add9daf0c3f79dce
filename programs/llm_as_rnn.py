"""LLM-as-RNN (arXiv 2601.13352): a frozen LLM as a recurrent predictor whose hidden state is a memory text."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import dspy

from backbones.roles import Roles
from programs.budget import MemoryBudget
from programs.critic import Critic, FeedbackMode, revealed_targets
from programs.memory import Memory, MemorySchema
from programs.sequence_program import SequenceProgram
from programs.updater import MemoryUpdater

DEFAULT_BUDGET_TOKENS = 160


class LLMAsRNN(SequenceProgram):
    """Each step t: (1) predict ŷ_t from (h_{t-1}, x_t); (2) get feedback e_t; (3) rewrite h_{t-1} into h_t.

    The memory h_t lives in the system prompt (see `SystemPromptMemoryAdapter`), is structured in the task's
    sections, and never exceeds `budget` tokens of the predictor's tokenizer. Nothing about the backbone changes:
    learning happens only in the memory text, which the returned trace makes readable.

    Args:
        task: A `tasks.Task` (targets, input format, memory sections).
        budget: Memory budget in tokens.
        feedback: `truth` (critique grounded in y_t), `judge` (LLM-as-judge, no y_t), `none`, or `shuffled`
            (another step's truth: the control that shows whether the loop learns from feedback at all).
        fused: Critique and rewrite in one LM call (2 calls per step instead of 3).
        schema: Memory sections; defaults to the task's.
        initial_memory: h_0; defaults to empty sections.
        roles: Backbones for predictor, critic and updater; `None` roles use the configured LM.
        seed: Seeds the shuffled-truth control.
    """

    name = "llm_as_rnn"

    def __init__(
        self,
        task: Any,
        *,
        budget: int = DEFAULT_BUDGET_TOKENS,
        feedback: FeedbackMode = "truth",
        fused: bool = False,
        schema: MemorySchema | None = None,
        initial_memory: Memory | None = None,
        roles: Roles | None = None,
        seed: int = 0,
    ):
        super().__init__(task, roles=roles)
        self.schema = schema or task.memory_schema
        self.budget = MemoryBudget(budget)
        self.feedback_mode = feedback
        self.fused = fused
        self.seed = seed
        self.initial_memory = initial_memory or self.schema.empty()
        self.critic = Critic(task, feedback, call_lm=not fused)
        self.updater = MemoryUpdater(self.schema, self.budget, fused=fused)

    def forward(self, steps: Sequence[Any], sequence_id: str = "") -> dspy.Prediction:
        count = self.token_counter()
        self.budget.check_feasible(self.schema, count)
        memory = self.initial_memory                                                           # h_0
        shown = revealed_targets(self.feedback_mode, [s.target for s in steps], _seed(self.seed, sequence_id))
        with self.session(memory.render(), count) as recorder:
            for t, step in enumerate(steps):
                record = recorder.start(t, step, memory.render())
                y_hat = self.predictor(memory.render(), step.input, record, lm=self.roles.predictor)     # (1)
                feedback = self.critic(step.input, y_hat, shown[t], record, lm=self.roles.critic)         # (2)
                memory = self.updater(memory, feedback, record, count, lm=self.roles.updater)             # (3)
                record.feedback = feedback.text
                record.memory = memory.render()
                record.memory_tokens = count(record.memory)
                recorder.finish(record)
        return recorder.prediction(final_memory=memory.render())

    def config(self) -> dict[str, Any]:
        """What rebuilds this program's architecture (saved beside its JSON state)."""
        return {
            **super().config(),
            "budget": self.budget.tokens,
            "feedback": self.feedback_mode,
            "fused": self.fused,
            "sections": list(self.schema.names),
            "seed": self.seed,
        }


def _seed(seed: int, sequence_id: str) -> int:
    return seed * 1_000_003 + zlib.crc32(sequence_id.encode())
