"""The machinery every sequence program shares: memory in the system prompt, per-step metering, records."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dspy

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.backbones.tokenizer import TokenCounter, token_counter
from llm_as_rnn.programs.adapter import SystemPromptMemoryAdapter
from llm_as_rnn.programs.predictor import StepPredictor
from llm_as_rnn.programs.records import SequenceRecorder
from llm_as_rnn.programs.step_meter import StepMeter


class SequenceProgram(dspy.Module):
    """Base class: a `StepPredictor` (shared by every method, so comparisons are fair), backbones per role, and
    `session()`, which installs the memory-in-system-prompt adapter and meters each step of one sequence."""

    name = "sequence_program"

    def __init__(self, task: Any, *, roles: Roles | None = None):
        super().__init__()
        self.task = task
        self.roles = roles or Roles()
        self.adapter = SystemPromptMemoryAdapter()
        self.predictor = StepPredictor(task)

    def token_counter(self) -> TokenCounter:
        """Memory and context sizes are counted in the predictor backbone's tokens (it is the one reading them)."""
        return token_counter(self.roles.predictor)

    @contextmanager
    def session(self, initial_memory: str = "", count: TokenCounter | None = None) -> Iterator[SequenceRecorder]:
        """Install the adapter and a step meter for one sequence; `count` measures what each step is shown."""
        meter = StepMeter()
        recorder = SequenceRecorder(meter, initial_memory, count)
        with dspy.context(adapter=self.adapter, callbacks=[*(dspy.settings.get("callbacks") or []), meter]):
            yield recorder

    def config(self) -> dict[str, Any]:
        """What rebuilds this program's architecture (saved beside its JSON state)."""
        return {"program": self.name, "task": self.task.name}
