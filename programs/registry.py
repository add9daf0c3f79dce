"""Method names -> programs, with options: `llm_as_rnn:judge`, `llm_as_rnn:fused,budget=120`, `window:window=5`,
`fhc:context_budget=2048`, `llm_as_rnn:policy=delta,sections=patterns+corrections,recent_steps=2`.

LLM-as-RNN's options are the settings of `RNNConfig` (a feedback mode or a boolean setting is written bare:
`llm_as_rnn:measured,mask_values`); a baseline's are its constructor's keywords. Any method takes the flag `adjust`
(the predictor writes how much its memory says to add to each numeric forecast before it) and
`backbone=<model string>`: it runs on that backbone (every role) instead of the evaluation's, so one evaluation
compares a small backbone with memory against a large one without, on the same steps:
`zero_shot,llm_as_rnn:measured,backbone=llamacpp/qwen2.5-coder-0.5b-instruct`.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llm_as_rnn.backbones.errors import BackboneError
from llm_as_rnn.backbones.model_string import parse_model_string
from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.programs import config as settings
from llm_as_rnn.programs.artifacts import ProgramFileError, read_config
from llm_as_rnn.programs.baselines import FullHistory, MemPrompt, Retrieval, SlidingWindow, ZeroShot
from llm_as_rnn.programs.feedback_modes import CONTROL_FOR, FEEDBACK_MODES
from llm_as_rnn.programs.llm_as_rnn import LLMAsRNN
from llm_as_rnn.programs.sequence_program import SequenceProgram
from llm_as_rnn.tasks.registry import get_task

METHODS: dict[str, type[SequenceProgram]] = {
    "zero_shot": ZeroShot,
    "fhc": FullHistory,
    "memprompt": MemPrompt,
    "window": SlidingWindow,
    "retrieval": Retrieval,
    "llm_as_rnn": LLMAsRNN,
}
PAPER_BASELINES = ("zero_shot", "fhc", "memprompt")
DEFAULT_METHODS = ("zero_shot", "fhc", "memprompt", "window", "retrieval", "llm_as_rnn", "llm_as_rnn:judge",
                   "llm_as_rnn:none", "llm_as_rnn:shuffled", "llm_as_rnn:policy=gated")
METHOD_FLAGS = ("adjust",)  # bare flags every method takes
LLM_AS_RNN_FLAGS = tuple(f for f in settings.flag_names() if f not in METHOD_FLAGS)


class MethodError(ValueError):
    """A method spec names an unknown method or option."""


def split_methods(text: str) -> list[str]:
    """A comma-separated list of method specs, where a spec's own options are comma-separated too:
    'zero_shot,llm_as_rnn:fused,budget=120,fhc' -> ['zero_shot', 'llm_as_rnn:fused,budget=120', 'fhc']. A part
    starts a new spec when it names a method; anything else is an option of the spec before it."""
    specs: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part.partition(":")[0] in METHODS or not specs:
            specs.append(part)
        else:
            specs[-1] += f",{part}"
    return specs


def parse_method(spec: str) -> tuple[str, dict[str, Any]]:
    """'llm_as_rnn:judge,budget=120' -> ('llm_as_rnn', {'feedback': 'judge', 'budget': 120})."""
    name, _, rest = spec.strip().partition(":")
    if name not in METHODS:
        raise MethodError(f"unknown method {name!r}; choose from {', '.join(METHODS)} (options after ':')")
    options: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = part.partition("=")
        try:
            if not eq:
                bare = settings.bare_setting(part)
                if bare is None:
                    raise ValueError(f"unknown flag {part!r} (feedback modes: {', '.join(FEEDBACK_MODES)}; or "
                                     f"{', '.join(LLM_AS_RNN_FLAGS + METHOD_FLAGS)}; or key=value)")
                key, parsed = bare
            elif key == "backbone":
                parsed = value
            elif name == "llm_as_rnn" and key in settings.SETTINGS:
                parsed = settings.parse_setting(key, value)
            else:
                parsed = _constructor_value(METHODS[name], key, value)
        except ValueError as exc:
            raise MethodError(f"method {spec!r}: {exc}") from None
        options[key] = parsed
    if name != "llm_as_rnn" and {"feedback", *LLM_AS_RNN_FLAGS} & options.keys():
        raise MethodError(f"method {spec!r}: feedback and {', '.join(LLM_AS_RNN_FLAGS)} apply to llm_as_rnn only")
    return name, options


def _constructor_value(cls: type, key: str, text: str) -> Any:
    """A baseline option typed by its constructor's annotation (an unknown key is reported by `build_method`)."""
    hints = typing.get_type_hints(cls.__init__)
    if hints.get(key) is int:
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{key} must be an integer, got {text!r}") from None
    return text


def control_of(spec: str, specs: list[str]) -> str | None:
    """The spec among `specs` that is `spec`'s shuffled-truth control: the same LLM-as-RNN options, only the
    feedback replaced by its control (truth -> shuffled, measured -> shuffled_measured); `None` if absent. Anchors
    and saved programs (`saved:<name>`) have no control and are never one."""
    def llm_as_rnn_options(text: str) -> dict[str, Any] | None:
        if text.partition(":")[0] != "llm_as_rnn":
            return None
        options = parse_method(text)[1]
        return {**options, "feedback": options.get("feedback", settings.SETTINGS["feedback"].default)}

    options = llm_as_rnn_options(spec)
    control = CONTROL_FOR.get(options["feedback"]) if options else None
    if control is None:
        return None
    wanted = {**options, "feedback": control}
    return next((other for other in specs if llm_as_rnn_options(other) == wanted), None)


def build_method(spec: str, task: Any, *, roles: Roles | None = None,
                 roles_for: Callable[[str], Roles] | None = None, **defaults: Any) -> SequenceProgram:
    """The program for a method spec; `defaults` (e.g. budget) are overridden by options in the spec.

    A spec's `backbone=` replaces `roles` by `roles_for(backbone)`. Without `roles_for` the string is only checked
    (a spec checked before any backbone is loaded); with `roles` but no `roles_for` it is an error, so a method is
    never silently run on a backbone other than the one it names."""
    name, options = parse_method(spec)
    backbone = options.pop("backbone", None)
    if backbone is not None:
        try:
            parse_model_string(backbone)
        except BackboneError as exc:
            raise MethodError(f"method {spec!r}: backbone {backbone!r}: {str(exc).splitlines()[0]}") from None
        if roles_for is not None:
            roles = roles_for(backbone)
        elif roles is not None:
            raise MethodError(f"method {spec!r} names its own backbone, but no loader for it was given (roles_for)")
    cls = METHODS[name]
    accepted = set(settings.SETTINGS) if cls is LLMAsRNN else set(inspect.signature(cls.__init__).parameters) - {
        "self", "task", "roles"}
    kwargs = {k: v for k, v in defaults.items() if k in accepted}
    unknown = set(options) - accepted
    if unknown:
        raise MethodError(f"method {spec!r}: {name} takes no option(s) {sorted(unknown)}")
    try:
        return cls(task, roles=roles, **{**kwargs, **options})
    except MethodError:
        raise
    except ValueError as exc:  # a bad value (unknown section, gated without truth, ...): the spec's fault
        raise MethodError(f"method {spec!r}: {exc}") from None


def load_program(path: str | Path, *, roles: Roles | None = None, task: Any = None) -> SequenceProgram:
    """Rebuild a saved program folder (`programs.artifacts.save_program`): its architecture from the sidecar, then
    its tuned state. Pass `task` to reuse a built task; it must be the task the program was saved for."""
    path = Path(path)
    config = read_config(path)
    architecture = dict(config["program"])
    name, task_name = architecture.pop("program"), architecture.pop("task")
    if name not in METHODS:
        raise ProgramFileError(f"{path}: unknown program {name!r}")
    if task is None:
        task = get_task(task_name, **config.get("task_options", {}))
    elif task.name != task_name:
        raise ProgramFileError(f"{path}: saved for task {task_name!r}, not {task.name!r}")
    program = METHODS[name](task, roles=roles, **architecture)
    program.load(str(path / "program.json"))
    return program
