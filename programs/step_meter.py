"""Per-step accounting of LM calls: how many, how many prompt tokens, how long inside the LM."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from dspy.utils.callback import BaseCallback

from llm_as_rnn.backbones.tokenizer import token_counter


@dataclass
class StepUsage:
    lm_calls: int = 0
    prompt_tokens: int = 0
    lm_seconds: float = 0.0


class StepMeter(BaseCallback):
    """A DSPy callback that meters every LM call made while it is installed.

    Prompt tokens are counted from the rendered messages with each backbone's own tokenizer, so the number is the
    same whether the call was served by the backbone or by DSPy's cache (chat-template tokens are not included).
    """

    def __init__(self) -> None:
        self.usage = StepUsage()
        self._started: dict[str, float] = {}
        self._counters: dict[int, Any] = {}
        self._lock = threading.Lock()

    def reset(self) -> StepUsage:
        """Return the usage since the last reset and start a new step."""
        with self._lock:
            usage, self.usage = self.usage, StepUsage()
        return usage

    def on_lm_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        tokens = self._count_prompt(instance, inputs)
        with self._lock:
            self.usage.lm_calls += 1
            self.usage.prompt_tokens += tokens
            self._started[call_id] = time.perf_counter()

    def on_lm_end(self, call_id: str, outputs: Any, exception: BaseException | None = None) -> None:
        with self._lock:
            started = self._started.pop(call_id, None)
            if started is not None:
                self.usage.lm_seconds += time.perf_counter() - started

    def _count_prompt(self, lm: Any, inputs: dict[str, Any]) -> int:
        count = self._counters.get(id(lm))
        if count is None:
            count = self._counters[id(lm)] = token_counter(lm)
        messages = inputs.get("messages") or []
        text = "\n".join(str(m.get("content") or "") for m in messages if isinstance(m, dict))
        return count(text or str(inputs.get("prompt") or ""))
