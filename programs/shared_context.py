"""LLM-as-RNN's predict and update calls as one conversation, so the update reuses what the prediction evaluated.

With separate prompts, each step evaluates the memory and the step's input twice: once after the predictor's
instructions and once after the updater's, and a transformer's cached keys for a token depend on everything before
it, so nothing of the first call serves the second. Here both calls start with one static head (the predictor's
instructions, then the updater's), then the memory; the predictor's turn is the observation, and the update turn
continues the same conversation after the predictor's own answer, with only what is new: the outcome, the
feedback, the budget. A prefix cache (the embedded engine's KV reuse, a provider's prompt cache) then evaluates the
head once per run and the memory and the input once per step (`benchmarks.step_floor` measures it).

The adapter is stateful within a sequence: the predictor's messages and raw answer are kept in a context variable
(each evaluation job runs in its own context) and the next update call extends them; any other call, or an update
without a preceding answer, is formatted as usual.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import dspy

from llm_as_rnn.programs.adapter import SystemPromptMemoryAdapter, memory_blocks

# (messages of the last predictor call, its raw answer) in this sequence's context
_LAST_TURN: ContextVar[tuple[list[dict[str, Any]], str | None] | None] = ContextVar("shared_turn", default=None)
UPDATE_HEADING = "When you are then asked to update your memory, this is that task:"


class SharedContextAdapter(SystemPromptMemoryAdapter):
    """The memory-in-system-prompt adapter with one static head for two predictors (`predict`, `update`), whose
    update call continues the predict call's conversation."""

    def __init__(self, predict: dspy.Predict, update: dspy.Predict, **kwargs: Any):
        super().__init__(**kwargs)
        self._predict = predict
        self._update = update

    def head(self) -> str:
        """Both predictors' static system text: what every call of the sequence starts with."""
        predict = _without_memory(self._predict.signature, self.memory_fields)
        update = self._update.signature  # its memory input is named in the update turn (a pointer, or numbered)
        return (f"{self.format_system_message(predict).rstrip()}\n\n{UPDATE_HEADING}\n"
                f"{self.format_system_message(update).rstrip()}")

    def format(self, signature: type[dspy.Signature], demos: list[dict[str, Any]], inputs: dict[str, Any]):
        if demos:
            return super().format(signature, demos, inputs)
        if signature is self._predict.signature:
            messages = super().format(signature, demos, inputs)
            blocks = memory_blocks(signature, self.memory_fields, inputs)
            messages[0]["content"] = f"{self.head()}\n\n{blocks}" if blocks else self.head()
            _LAST_TURN.set((messages, None))
            return messages
        turn = _LAST_TURN.get()
        if signature is self._update.signature and turn is not None and turn[1] is not None:
            tail = self.format_user_message_content(signature, inputs, main_request=True)
            return [*turn[0], {"role": "assistant", "content": turn[1]}, {"role": "user", "content": tail}]
        return super().format(signature, demos, inputs)

    def parse(self, signature: type[dspy.Signature], completion: str) -> dict[str, Any]:
        if signature is self._predict.signature:
            turn = _LAST_TURN.get()
            if turn is not None:
                _LAST_TURN.set((turn[0], completion))
        return super().parse(signature, completion)


def _without_memory(signature: type[dspy.Signature], names: tuple[str, ...]) -> type[dspy.Signature]:
    for name in names:
        if name in signature.input_fields:
            signature = signature.delete(name)
    return signature
