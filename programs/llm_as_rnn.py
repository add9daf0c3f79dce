"""LLM-as-RNN (arXiv 2601.13352): a frozen LLM as a recurrent predictor whose hidden state is a memory text."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import dspy

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.programs.adapter import SystemPromptMemoryAdapter
from llm_as_rnn.programs.budget import MemoryBudget
from llm_as_rnn.programs.config import DEFAULT_BUDGET_TOKENS, POLICIES, RNNConfig
from llm_as_rnn.programs.critic import Critic
from llm_as_rnn.programs.feedback_modes import feedback_mode, revealed_targets
from llm_as_rnn.programs.gate import ReplayGate
from llm_as_rnn.programs.memory import Memory, MemorySchema
from llm_as_rnn.programs.past_steps import PastStep, describe_past_step
from llm_as_rnn.programs.records import StepRecord
from llm_as_rnn.programs.sequence_program import SequenceProgram, unwrapped
from llm_as_rnn.programs.shared_context import SharedContextAdapter
from llm_as_rnn.programs.updater import MemoryUpdater

__all__ = ["DEFAULT_BUDGET_TOKENS", "POLICIES", "LLMAsRNN", "RNNConfig"]


class LLMAsRNN(SequenceProgram):
    """Each step t: (1) predict ŷ_t from (h_{t-1}, x_t); (2) get feedback e_t; (3) rewrite h_{t-1} into h_t.

    The memory h_t lives in the system prompt (see `SystemPromptMemoryAdapter`), is structured in the task's
    sections, and never exceeds `budget` tokens of the predictor's tokenizer. Nothing about the backbone changes:
    learning happens only in the memory text, which the returned trace makes readable.

    Args:
        task: A `tasks.Task` (targets, input format, memory spec).
        config: The settings (`RNNConfig`); keyword settings (`budget=120, feedback="measured"`) build or override
            it. What each does:

            - budget: memory budget in tokens.
            - feedback: where e_t comes from (`programs.feedback_modes`): `truth` (critique grounded in y_t),
              `measured` (the same critique computed in code: error, running bias, hit rate; no LM call), `judge`
              (LLM-as-judge, no y_t), `none`, and the controls `shuffled` / `shuffled_measured` (an earlier step's
              truth, never a later one: they show whether the loop learns from feedback at all).
            - fused: critique and rewrite in one LM call (2 calls per step instead of 3).
            - sections: keep only these sections of the task's memory (structure search).
            - policy: `rewrite` (the paper: the updater writes the whole new memory), `delta` (it removes and adds
              bullets), or `gated` (rewrite, kept only if it does no worse than keeping h_{t-1} or resetting to h_0
              on a replay of the last `gate_replay` steps before t; needs a mode that reveals y_t).
            - recent_steps: also show the predictor the last k raw steps (with outcomes when the mode reveals them).
            - mask_values: replace, in each new memory, every number equal to a past prediction or revealed outcome
              of a numeric target by "[a past value]" (a small predictor copies such values as its next answer).
            - show_running: the predictor also reads the computed record of the sequence so far under the memory:
              bias and mean absolute error per numeric target, hit rate per label, and for top-k targets the answers
              revealed so far, most frequent first (`Task.revealed_history`); that list also closes the observation.
              Kept in code, so a correction or a past diagnosis the updater fails to write still reaches the
              prediction. Built from revealed steps only. The list is shown twice because the 1.5B followed its
              first entry most often with both (results/README.md, "clinical-show-running-dev").
            - short_report: the updater's step report leaves the step's input out (prediction, outcome and
              feedback only; a weather input is about 200 of a step's ~950 new prompt tokens).
            - shared_context: predict and update in one conversation (`programs.shared_context`): both calls start
              with one static head and the memory, and the update continues after the prediction, so a prefix cache
              evaluates the memory and the input once per step instead of twice.
            - adjust: the predictor first writes how much its memory says to add to each numeric forecast (see
              `SequenceProgram`).
            - seed: seeds the shuffled-truth control.
        schema: Memory sections; defaults to the task's memory spec.
        initial_memory: h_0; defaults to empty sections.
        roles: Backbones for predictor, critic and updater; `None` roles use the configured LM.
    """

    name = "llm_as_rnn"

    def __init__(
        self,
        task: Any,
        config: RNNConfig | None = None,
        *,
        schema: MemorySchema | None = None,
        initial_memory: Memory | None = None,
        roles: Roles | None = None,
        **settings: Any,
    ):
        config = (config or RNNConfig()).replace(**settings) if settings else (config or RNNConfig())
        super().__init__(task, roles=roles, adjust=config.adjust)
        self.settings = config
        self.schema = MemorySchema.of(schema or task.memory_spec)
        if config.sections:
            self.schema = self.schema.select(config.sections)
        self.budget = MemoryBudget(config.budget)
        self.feedback_mode = config.feedback
        self.fused = config.fused
        self.policy = config.policy
        self.recent_steps = config.recent_steps
        self.gate_replay = config.gate_replay
        self.mask_values = config.mask_values
        self.show_running = config.show_running
        self.seed = config.seed
        self.initial_memory = initial_memory or self.schema.empty()
        self.shared_context = config.shared_context
        self.critic = Critic(task, config.feedback, call_lm=not config.fused,
                             report_input=not (config.short_report or config.shared_context))
        self.updater = MemoryUpdater(self.schema, self.budget, fused=config.fused,
                                     policy="delta" if config.policy == "delta" else "rewrite",
                                     memory_shown=config.shared_context)
        self.gate = ReplayGate(task, config.gate_replay) if config.policy == "gated" else None
        if self.roles.predictor is not None or dspy.settings.lm is not None:  # else: checked when forward starts
            self.check_budget(self.token_counter())

    def step_adapter(self) -> SystemPromptMemoryAdapter:
        """One conversation for predict and update (`shared_context`), else the per-call layout. Built per sequence
        from the predictors as they are now (tuned, or wrapped while an optimizer tunes another)."""
        if not self.shared_context:
            return self.adapter
        return SharedContextAdapter(unwrapped(self.predictor.predict), unwrapped(self.updater.update))

    def check_budget(self, count) -> None:
        """The empty structure and h_0 must both fit the budget, before any LM call is spent."""
        self.budget.check_feasible(self.schema, count)
        self.budget.check_initial(self.initial_memory, count)

    def forward(self, steps: Sequence[Any], sequence_id: str = "") -> dspy.Prediction:
        count = self.token_counter()
        self.check_budget(count)
        memory = self.initial_memory                                                           # h_0
        revealed = revealed_targets(self.feedback_mode, [s.target for s in steps], _seed(self.seed, sequence_id))
        past: list[PastStep] = []
        predicted: list[Any] = []
        running = ""  # the computed record of the revealed steps so far (the critic's and the predictor's)
        shown_record = ""  # what the predictor reads under the memory (`show_running`): `running`, revealed answers
        shown_history = ""  # the revealed answers again, closing the observation (`show_running`, top-k targets)
        with self.session(memory.render(), count) as recorder:
            for t, step in enumerate(steps):
                context = self.shown(memory, past, shown_record)
                record = recorder.start(t, step, context)
                if shown_history:  # the trace shows x_t as the predictor read it, and counts what was added
                    record.input = self.observed(step.input, shown_history)
                    record.context_tokens += count(shown_history)
                y_hat = self.predictor(context, record.input, record, lm=self.roles.predictor)       # (1) ŷ_t
                predicted.append(y_hat)
                running = self._running(predicted, revealed[: t + 1])
                shown_history = self._shown_history(revealed[: t + 1])
                shown_record = "; ".join(part for part in (running, shown_history) if part) if self.show_running else ""
                feedback = self.critic(step.input, y_hat, revealed[t], record, lm=self.roles.critic,  # (2) e_t
                                       running=running)
                updated = self.updater(memory, feedback, record, count, lm=self.roles.updater)         # (3) h_t
                if self.mask_values:
                    updated = updated.masked(self._numbers(predicted, revealed[: t + 1]))
                if self.gate is not None:
                    # Replay only steps before t: h_t was written from step t, so scoring on it favours h_t.
                    replay = self._replay(past, shown_record, shown_history)
                    updated = self.gate(memory, updated, steps[:t], record, replay, initial=self.initial_memory)
                memory = updated
                past.append(describe_past_step(self.task, t, step, y_hat,
                                               with_outcome=feedback_mode(self.feedback_mode).reveals_truth
                                               and revealed[t] is not None,
                                               outcome=revealed[t]))
                record.feedback = feedback.text
                record.memory = memory.render()
                record.memory_tokens = count(record.memory)
                recorder.finish(record)
        return recorder.prediction(final_memory=memory.render())

    def _numbers(self, predicted: list[Any], revealed: Sequence[Any]) -> list[float]:
        """The numeric target values the loop has seen so far: its predictions and the revealed outcomes."""
        names = [t.name for t in self.task.targets if t.kind == "regression"]
        seen = [*predicted, *revealed]
        return [float(v[n]) for v in seen if v for n in names if isinstance(v.get(n), int | float)]

    def _running(self, predicted: list[Any], revealed: Sequence[Any]) -> str:
        """Bias and hit rate over the steps whose truth this mode revealed (computed, no LM call)."""
        pairs = [(p, y) for p, y in zip(predicted, revealed, strict=True) if y is not None]
        return self.task.running([p for p, _ in pairs], [y for _, y in pairs]) if pairs else ""

    def _shown_history(self, revealed: Sequence[Any]) -> str:
        """The answers revealed so far, shown under the memory and closing the observation (`show_running`; empty
        without it or without a top-k target)."""
        if not self.show_running:
            return ""
        return self.task.revealed_history([y for y in revealed if y is not None])

    @staticmethod
    def observed(observation: str, history: str) -> str:
        """x_t as the predictor reads it: the step input, closed by the revealed answers (`_shown_history`)."""
        return f"{observation}\n\n{history}" if history else observation

    def layout(self) -> dict[str, Any]:
        # The revealed answers, once only under the memory, now also close the observation; only top-k tasks show any.
        shows_history = self.show_running and bool(self.task.listed_targets)
        return {"revealed_history": "memory and observation"} if shows_history else {}

    def shown(self, memory: Memory, past: list[PastStep], computed_record: str = "") -> str:
        """What the predictor reads in its system prompt: h_{t-1}, the computed record so far (`running` and the
        revealed answers; empty without `show_running`), and the last `recent_steps` raw steps."""
        text = memory.render()
        if computed_record:
            text += f"\n\nMeasured so far (computed from the revealed outcomes): {computed_record}"
        if self.recent_steps and past:
            recent = "\n\n".join(p.text for p in past[-self.recent_steps:])
            text += f"\n\nRecent steps:\n\n{recent}"
        return text

    def _replay(self, past: list[PastStep], computed_record: str, history: str):
        """Predict a replayed step from a candidate memory, without touching the real step's record."""
        def predict(memory: Memory, step: Any) -> dict[str, Any] | None:
            scratch = StepRecord(t=-1, input=step.input, prediction=None, truth=dict(step.target))
            return self.predictor(self.shown(memory, past, computed_record), self.observed(step.input, history),
                                  scratch, lm=self.roles.predictor)
        return predict

    def config(self) -> dict[str, Any]:
        """What rebuilds this program's architecture (saved beside its JSON state): `RNNConfig.saved`, with
        `adjust` as the predictor applies it (off on a task without a numeric target)."""
        saved = self.settings.saved(sections=self.schema.names)
        saved.pop("adjust", None)
        return {**super().config(), **saved}


def _seed(seed: int, sequence_id: str) -> int:
    return seed * 1_000_003 + zlib.crc32(sequence_id.encode())
