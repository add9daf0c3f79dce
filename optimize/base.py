"""The common frame of instruction optimizers here: tune only some predictors (default: the memory update) of a
sequence program, with examples = whole sequences, train to optimise, dev to select and score."""

from __future__ import annotations

import collections
import contextlib
import io
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import dspy
from dspy.utils.callback import BaseCallback

from llm_as_rnn.backbones.registry import proposer_for
from llm_as_rnn.optimize.freeze import freeze_all_but, unfreeze
from llm_as_rnn.optimize.metric import SequenceMetric

logger = logging.getLogger(__name__)

DEFAULT_TUNE = ("updater.update",)


def tuned_instructions(program: dspy.Module, names: Sequence[str]) -> dict[str, str]:
    """The instructions of the named predictors of `program`."""
    return {name: p.signature.instructions for name, p in program.named_predictors() if name in names}


@dataclass
class OptimizationResult:
    """A compiled program and what it cost: dev scores before/after (mean step reward), LM calls by model."""

    program: dspy.Module
    optimizer: str
    settings: dict[str, Any]
    tuned: list[str]
    dev_before: float
    dev_after: float
    seconds: float
    lm_calls: dict[str, int] = field(default_factory=dict)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    kept_start: bool = False  # no candidate beat the start program on dev: `program` is the start program

    def instructions(self) -> dict[str, str]:
        return tuned_instructions(self.program, self.tuned)

    def summary(self) -> dict[str, Any]:
        return {"optimizer": self.optimizer, "settings": self.settings, "tuned": self.tuned,
                "dev_before": self.dev_before, "dev_after": self.dev_after, "seconds": self.seconds,
                "lm_calls": self.lm_calls, "instructions": self.instructions(), "candidates": self.candidates,
                "kept_start": self.kept_start}


class CallCounter(BaseCallback):
    """Counts LM calls per model string while installed (task model vs proposal/reflection model)."""

    def __init__(self) -> None:
        self.calls: collections.Counter = collections.Counter()
        self._lock = threading.Lock()

    def on_lm_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        with self._lock:
            self.calls[str(getattr(instance, "model", "?"))] += 1


class UpdateOptimizer:
    """Configure in `__init__`, run in `compile` (DSPy's teleprompter convention).

    Args:
        task: The task the program solves (its reward is the metric).
        tune: Predictor names to tune; the others are frozen (default: only `updater.update`).
        prompt_lm: The model that proposes or reflects on instructions; default: the configured LM (an embedded one
            on an engine without its string limit, `backbones.registry.proposer_for`).
        seed: Optimizer seed.
    """

    name = "base"

    def __init__(self, task: Any, *, tune: Sequence[str] = DEFAULT_TUNE, prompt_lm: dspy.BaseLM | None = None,
                 seed: int = 0):
        self.task = task
        self.tune = list(tune)
        self.prompt_lm = prompt_lm
        self.seed = seed
        self.metric = SequenceMetric(task)

    def settings(self) -> dict[str, Any]:
        return {"tune": self.tune, "seed": self.seed,
                "prompt_lm": str(getattr(self.prompt_lm, "model", "(configured LM, no string limit)"))}

    def proposer(self) -> dspy.BaseLM | None:
        """The LM that proposes instructions: `prompt_lm`, else the configured LM without a string limit."""
        return self.prompt_lm or proposer_for(dspy.settings.lm)

    def score(self, program: dspy.Module, examples: Sequence[dspy.Example]) -> float:
        """Mean sequence reward on `examples` (sequential: the embedded backbone is serial anyway)."""
        evaluate = dspy.Evaluate(devset=list(examples), metric=self.metric, num_threads=1, display_progress=False,
                                 failure_score=0.0)
        return evaluate(program).score / 100

    def compile(self, program: dspy.Module, *, trainset: Sequence[dspy.Example],
                valset: Sequence[dspy.Example]) -> OptimizationResult:
        if not trainset or not valset:
            raise ValueError("optimizing needs at least one train and one dev sequence")
        counter = CallCounter()
        started = time.perf_counter()
        with dspy.context(callbacks=[*(dspy.settings.get("callbacks") or []), counter]):
            before = self.score(program, valset)
            student = program.deepcopy()
            frozen = freeze_all_but(student, self.tune)
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):  # optimizers print raw prompts (COPRO's inspect_history)
                compiled = self._compile(student, list(trainset), list(valset))
            if printed.getvalue().strip():
                logger.debug("%s printed:\n%s", self.name, printed.getvalue())
            unfreeze(compiled, frozen)
            after = self.score(compiled, valset)
        seconds = time.perf_counter() - started
        logger.info("%s: dev reward %.3f -> %.3f in %.0f s", self.name, before, after, seconds)
        kept_start = after <= before
        if kept_start:
            logger.warning("%s: no candidate beat the start program on dev (mean step reward %.4f -> %.4f): keeping "
                           "the start program", self.name, before, after)
        return OptimizationResult(program if kept_start else compiled, self.name, self.settings(), self.tune, before,
                                  after, seconds, dict(counter.calls), self._candidates(compiled),
                                  kept_start=kept_start)

    def _compile(self, student: dspy.Module, trainset: list[dspy.Example],
                 valset: list[dspy.Example]) -> dspy.Module:
        raise NotImplementedError

    def _candidates(self, compiled: dspy.Module) -> list[dict[str, Any]]:
        """The candidates the optimizer scored on dev, with their tuned instructions, when it reports them: a run
        that returns the seed instructions should still show what it tried."""
        return []
