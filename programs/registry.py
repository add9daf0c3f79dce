"""Method names -> programs, with options: `llm_as_rnn:judge`, `llm_as_rnn:fused,budget=120`, `window:window=5`,
`fhc:context_budget=2048`, `llm_as_rnn:policy=delta,sections=patterns+corrections,recent_steps=2`.

An option is `key=value` or a flag: a feedback mode (truth, measured, judge, none, shuffled,
shuffled_measured), `fused`, `mask_values` or `show_running`; any method takes the flag `adjust` (the predictor writes
how much its memory says to add to each numeric forecast before it) and `backbone=<model string>`: it runs
on that backbone (every role) instead of the evaluation's, so one evaluation compares a small backbone with memory
against a large one without, on the same steps:
`zero_shot,llm_as_rnn:measured,backbone=llamacpp/qwen2.5-coder-0.5b-instruct`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.programs.baselines import FullHistory, MemPrompt, Retrieval, SlidingWindow, ZeroShot
from llm_as_rnn.programs.critic import CONTROL_FOR, FEEDBACK_MODES
from llm_as_rnn.programs.llm_as_rnn import LLMAsRNN
from llm_as_rnn.programs.sequence_program import SequenceProgram

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
_INT_OPTIONS = {"budget", "context_budget", "window", "k", "seed", "recent_steps", "gate_replay"}
_LIST_OPTIONS = {"sections"}  # written a+b+c
LLM_AS_RNN_FLAGS = ("fused", "mask_values", "show_running")  # boolean options written as bare flags
METHOD_FLAGS = ("adjust",)  # bare flags every method takes


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
        if not eq:
            if part in FEEDBACK_MODES:
                options["feedback"] = part
            elif part in LLM_AS_RNN_FLAGS or part in METHOD_FLAGS:
                options[part] = True
            else:
                modes = ", ".join(FEEDBACK_MODES)
                raise MethodError(f"method {spec!r}: unknown flag {part!r} (feedback modes: {modes}; or "
                                  f"{', '.join(LLM_AS_RNN_FLAGS + METHOD_FLAGS)}; or key=value)")
            continue
        try:
            if key in _LIST_OPTIONS:
                options[key] = [v for v in value.split("+") if v]
            else:
                options[key] = int(value) if key in _INT_OPTIONS else value
        except ValueError:
            raise MethodError(f"method {spec!r}: {key} must be an integer, got {value!r}") from None
    if options and name != "llm_as_rnn" and ({"feedback", *LLM_AS_RNN_FLAGS} & options.keys()):
        raise MethodError(f"method {spec!r}: feedback and {', '.join(LLM_AS_RNN_FLAGS)} apply to llm_as_rnn only")
    return name, options


def control_of(spec: str, specs: list[str]) -> str | None:
    """The spec among `specs` that is `spec`'s shuffled-truth control: the same LLM-as-RNN options, only the
    feedback replaced by its control (truth -> shuffled, measured -> shuffled_measured); `None` if absent. Anchors
    and saved programs (`saved:<name>`) have no control and are never one."""
    def llm_as_rnn_options(text: str) -> dict[str, Any] | None:
        if text.partition(":")[0] != "llm_as_rnn":
            return None
        options = parse_method(text)[1]
        return {**options, "feedback": options.get("feedback", "truth")}

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
        from llm_as_rnn.backbones.errors import BackboneError
        from llm_as_rnn.backbones.model_string import parse_model_string

        try:
            parse_model_string(backbone)
        except BackboneError as exc:
            raise MethodError(f"method {spec!r}: backbone {backbone!r}: {str(exc).splitlines()[0]}") from None
        if roles_for is not None:
            roles = roles_for(backbone)
        elif roles is not None:
            raise MethodError(f"method {spec!r} names its own backbone, but no loader for it was given (roles_for)")
    cls = METHODS[name]
    accepted = set(inspect.signature(cls.__init__).parameters) - {"self", "task", "roles"}
    kwargs = {k: v for k, v in defaults.items() if k in accepted}
    unknown = set(options) - set(accepted)
    if unknown:
        raise MethodError(f"method {spec!r}: {name} takes no option(s) {sorted(unknown)}")
    try:
        return cls(task, roles=roles, **{**kwargs, **options})
    except MethodError:
        raise
    except ValueError as exc:  # a bad value (unknown section, gated without truth, ...): the spec's fault
        raise MethodError(f"method {spec!r}: {exc}") from None
