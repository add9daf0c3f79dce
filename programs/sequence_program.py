"""The machinery every sequence program shares: memory in the system prompt, per-step metering, records."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dspy

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.backbones.tokenizer import TokenCounter, token_counter
from llm_as_rnn.programs.adapter import SystemPromptMemoryAdapter
from llm_as_rnn.programs.artifacts import check_sidecar, write_sidecar
from llm_as_rnn.programs.predictor import StepPredictor
from llm_as_rnn.programs.records import SequenceRecorder
from llm_as_rnn.programs.step_meter import StepMeter
from llm_as_rnn.signatures.fields import length_limits


def unwrapped(module: Any) -> Any:
    """A predictor, through the wrapper an optimizer puts around the ones it does not tune (`optimize.freeze`)."""
    while hasattr(module, "inner"):
        module = module.inner
    return module


class SequenceProgram(dspy.Module):
    """Base class: a `StepPredictor` (shared by every method, so comparisons are fair), backbones per role, and
    `session()`, which installs the memory-in-system-prompt adapter and meters each step of one sequence."""

    name = "sequence_program"

    def __init__(self, task: Any, *, roles: Roles | None = None, adjust: bool = False):
        """`adjust`: the predictor writes, before each numeric forecast, how much its memory says to add to it (an
        output contract every method can take, so a comparison stays fair; see `StepPredictor`). On a task without
        a numeric target it changes nothing, so the program is the plain one (same config, same stored results)."""
        super().__init__()
        self.task = task
        self.roles = roles or Roles()
        self.adapter = SystemPromptMemoryAdapter()
        self.predictor = StepPredictor(task, adjust=adjust)
        self.adjust = bool(self.predictor.adjustments)

    def step_adapter(self) -> SystemPromptMemoryAdapter:
        """The adapter a sequence's calls are formatted with."""
        return self.adapter

    def token_counter(self) -> TokenCounter:
        """Memory and context sizes are counted in the predictor backbone's tokens (it is the one reading them)."""
        return token_counter(self.roles.predictor)

    @contextmanager
    def session(self, initial_memory: str = "", count: TokenCounter | None = None) -> Iterator[SequenceRecorder]:
        """Install the adapter and a step meter for one sequence; `count` measures what each step is shown."""
        meter = StepMeter()
        recorder = SequenceRecorder(meter, initial_memory, count)
        with dspy.context(adapter=self.step_adapter(), callbacks=[*(dspy.settings.get("callbacks") or []), meter]):
            yield recorder

    def config(self) -> dict[str, Any]:
        """What rebuilds this program's architecture (saved beside its JSON state)."""
        # `adjust` appears only when set, so programs and results saved before it keep their fingerprint.
        return {"program": self.name, "task": self.task.name, **({"adjust": True} if self.adjust else {})}

    def layout(self) -> dict[str, Any]:
        """How a program arranges what the predictor reads, where that changed without a configuration option
        (empty for every program whose prompts never moved, so their stored fingerprints stay valid)."""
        return {}

    def fingerprint(self) -> str:
        """A short hash of everything that makes this program's prompts: its configuration and every predictor's
        instructions, fields and demos. Stored results carry it, so a result written by other prompts (an edited
        signature, a newly tuned instruction) is run again instead of silently reused.

        A predictor's `dump_state` leaves its fields' length limits out, yet they reach the grammar. Upper limits
        have been in every signature since the first stored result; lower ones (a top-k answer's exactly k items)
        came later and join the hash where a field has one, which keeps every other stored result valid."""
        prompts = {name: {k: v for k, v in predictor.dump_state().items() if k != "lm"}
                   for name, predictor in self.named_predictors()}
        minimums = {f"{name}.{field_name}": least
                    for name, predictor in self.named_predictors()
                    for field_name, field in predictor.signature.output_fields.items()
                    if (least := length_limits(field)[0]) is not None}
        layout = self.layout()
        text = json.dumps({"config": self.config(), "prompts": prompts, **({"layout": layout} if layout else {}),
                           **({"minimum_lengths": minimums} if minimums else {})},
                          sort_keys=True, default=str)
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]

    def save(self, path: str, save_program: bool = False, modules_to_serialize: Any = None) -> None:
        """`dspy.Module.save`, plus `<path>.config.json`: the configuration (budget, sections, feedback mode, policy,
        task, backbone names; never keys) that the JSON state alone does not carry, so `load` can refuse a
        program of another shape instead of silently running tuned instructions in the wrong loop."""
        super().save(path, save_program=save_program, modules_to_serialize=modules_to_serialize)
        if not save_program:
            write_sidecar(path, self.config(), self.roles.describe())

    def load(self, path: str, allow_pickle: bool = False, allow_unsafe_lm_state: bool = False) -> Any:
        """`dspy.Module.load`, after checking `<path>.config.json` (when present) against this program."""
        check_sidecar(path, self.config())
        return super().load(path, allow_pickle=allow_pickle, allow_unsafe_lm_state=allow_unsafe_lm_state)
