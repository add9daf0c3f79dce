"""What a sequence program returns: one record per step, gathered into a `dspy.Prediction`."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from typing import Any

import dspy

from llm_as_rnn.programs.step_meter import StepMeter


@dataclass
class StepRecord:
    """Everything that happened at step t: the learning trace, one line of the JSONL trace file."""

    t: int
    input: str
    prediction: dict[str, Any] | None
    truth: dict[str, Any]
    adjustments: dict[str, float] = field(default_factory=dict)  # what the predictor added (`adjust` contract)
    memory_before: str = ""
    context_tokens: int = 0
    memory: str = ""
    memory_tokens: int = 0
    feedback: str = ""
    prompt_tokens: int = 0
    lm_calls: int = 0
    lm_seconds: float = 0.0
    latency: float = 0.0
    failures: list[str] = field(default_factory=list)
    budget_actions: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_STEP_LISTENERS: ContextVar[tuple[Callable[[StepRecord], None], ...]] = ContextVar("step_listeners", default=())


@contextmanager
def listen_steps(listener: Callable[[StepRecord], None]) -> Iterator[None]:
    """Call `listener(record)` after every finished step of any program run in this context (progress bars)."""
    token = _STEP_LISTENERS.set((*_STEP_LISTENERS.get(), listener))
    try:
        yield
    finally:
        _STEP_LISTENERS.reset(token)


class SequenceRecorder:
    """Collects step records and meters each step; `prediction()` builds the program's output."""

    def __init__(self, meter: StepMeter, initial_memory: str = "", count: Callable[[str], int] | None = None):
        self.meter = meter
        self.count = count
        self.initial_memory = initial_memory
        self.initial_memory_tokens = count(initial_memory) if count and initial_memory else 0
        self.records: list[StepRecord] = []
        self._started = 0.0

    def start(self, t: int, step: Any, memory_before: str = "") -> StepRecord:
        self.meter.reset()
        self._started = time.perf_counter()
        record = StepRecord(t=t, input=step.input, prediction=None, truth=dict(step.target),
                            memory_before=memory_before,
                            context_tokens=self.count(memory_before) if self.count and memory_before else 0)
        self.records.append(record)
        return record

    def finish(self, record: StepRecord) -> None:
        usage = self.meter.reset()
        record.lm_calls, record.prompt_tokens, record.lm_seconds = usage.lm_calls, usage.prompt_tokens, usage.lm_seconds
        record.latency = time.perf_counter() - self._started
        for listener in _STEP_LISTENERS.get():
            listener(record)

    def prediction(self, **extra: Any) -> dspy.Prediction:
        records = self.records
        failures = Counter(kind for r in records for kind in r.failures)
        return dspy.Prediction(
            predictions=[r.prediction for r in records],
            memories=[r.memory for r in records],
            initial_memory=self.initial_memory,
            initial_memory_tokens=self.initial_memory_tokens,
            feedback=[r.feedback for r in records],
            memory_tokens=[r.memory_tokens for r in records],
            context_tokens=[r.context_tokens for r in records],
            prompt_tokens=[r.prompt_tokens for r in records],
            lm_calls=[r.lm_calls for r in records],
            latencies=[r.latency for r in records],
            lm_seconds=[r.lm_seconds for r in records],
            failures=dict(failures),
            records=records,
            **extra,
        )


def as_plain(mapping: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Typed LM outputs -> JSON-ready values (floats, strings, lists)."""
    if mapping is None:
        return None
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in mapping.items()}
