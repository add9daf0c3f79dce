"""`RNNConfig`: LLM-as-RNN's settings, their defaults and the rules between them, in one place.

Everything that names a setting is derived from this class: the `llm-rnn` flags (`add_config_arguments`), the
method-spec options (`llm_as_rnn:measured,budget=120`), the Optuna search space (`search_choices`), and what a
program saves and rebuilds from (`LLMAsRNN.config()`, `programs.artifacts`).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from llm_as_rnn.programs.feedback_modes import CHOSEN_MODES, FEEDBACK_MODES, describe_modes, feedback_mode

POLICIES = ("rewrite", "delta", "gated")
DEFAULT_BUDGET_TOKENS = 160
SEARCHED_BUDGETS = (64, 96, 128, 160, 224, 320)


class ConfigError(ValueError):
    """A setting out of range, or two settings that cannot go together."""


def setting(default: Any, help: str, *, choices: Sequence[Any] | None = None, search: Sequence[Any] | None = None,
            minimum: int | None = None, saved: str = "always", flag: str | None = None) -> Any:
    """A field of `RNNConfig` with what the CLI, the spec parser and the search need to know about it.

    Args:
        default: The library default.
        help: One line for `--help` (the default is appended there).
        choices: The allowed values (a closed set).
        search: The values the Optuna study tries (None: not searched).
        minimum: The least allowed integer.
        saved: `always` in a program's saved configuration, or `when_set`: only when it differs from the default
            (settings added after results were stored: absent when off, so those results keep their fingerprint).
        flag: The CLI flag, when it is not `--<name>`.
    """
    return field(default=default, metadata={"help": help, "choices": tuple(choices) if choices else None,
                                             "search": tuple(search) if search is not None else None,
                                             "minimum": minimum, "saved": saved, "flag": flag})


@dataclass(frozen=True)
class Rule:
    """A rule between settings: `holds(values)` for the fields it names; checked as soon as they are all known."""

    names: tuple[str, ...]
    holds: Callable[[Mapping[str, Any]], bool]
    message: str


RULES = (
    # The gate replays earlier steps through the predictor between a prediction and its update: out of turn.
    Rule(("policy", "shared_context"), lambda v: not (v["policy"] == "gated" and v["shared_context"]),
         "the gated policy replays predictions between a step's prediction and its update: it cannot share the "
         "predict/update conversation (shared_context)"),
    # The gate replays earlier steps and scores candidate memories against their true outcomes: a mode that shows
    # no truth, or a control's earlier truth, would be handed y_t through the gate.
    Rule(("policy", "feedback"),
         lambda v: v["policy"] != "gated" or feedback_mode(v["feedback"]).grounded,
         "the gated policy replays steps against their revealed truth: it needs a feedback mode that reveals y_t ("
         + ", ".join(n for n, m in FEEDBACK_MODES.items() if m.grounded) + ")"),
)


@dataclass(frozen=True)
class RNNConfig:
    """LLM-as-RNN's settings (see `LLMAsRNN` for what each does)."""

    budget: int = setting(DEFAULT_BUDGET_TOKENS, "memory budget in predictor tokens", minimum=1,
                          search=SEARCHED_BUDGETS)
    sections: tuple[str, ...] | None = setting(None, "memory sections to keep, comma-separated (default: the "
                                                     "task's)", search=())  # searched: every non-empty subset
    policy: str = setting("rewrite", "rewrite the memory (the paper), edit it (delta: remove and add bullets), or "
                                     "keep a rewrite only if it does no harm on a replay of recent steps (gated)",
                          choices=POLICIES, search=POLICIES)
    fused: bool = setting(False, "critique and rewrite in one LM call", search=(False, True))
    recent_steps: int = setting(0, "raw recent steps shown beside the memory", minimum=0, search=(0, 1, 2))
    mask_values: bool = setting(False, "replace past predictions/outcomes of numeric targets in each new memory by "
                                       "'[a past value]' (small backbones copy them as answers)",
                                search=(False, True), saved="when_set")
    show_running: bool = setting(False, "the predictor also reads the computed record so far (bias, mean absolute "
                                        "error, hit rate over the revealed steps) under the memory, and a top-k "
                                        "target's revealed answers, most frequent first, closing the observation",
                                 search=(False, True), saved="when_set")
    adjust: bool = setting(False, "the predictor writes how much its memory says to add to each numeric forecast "
                                  "before the forecast (an output contract every method can take)",
                           search=(False, True), saved="when_set")
    short_report: bool = setting(False, "the updater's step report leaves the step's input out: the prediction, the "
                                        "outcome and the feedback only", search=(False, True), saved="when_set")
    shared_context: bool = setting(False, "predict and update in one conversation: one static head for both, the "
                                          "update turn continuing after the prediction (each step evaluates the "
                                          "memory and the input once)", search=(False, True), saved="when_set")
    feedback: str = setting("truth", describe_modes(), choices=tuple(FEEDBACK_MODES), search=CHOSEN_MODES)
    gate_replay: int = setting(2, "steps the gated policy replays", minimum=1)
    seed: int = setting(0, "seeds the shuffled-truth controls")

    def __post_init__(self) -> None:
        if self.sections is not None:
            object.__setattr__(self, "sections", tuple(self.sections))
        for problem in problems(dataclasses.asdict(self)):
            raise ConfigError(problem)

    def replace(self, **changes: Any) -> RNNConfig:
        return dataclasses.replace(self, **changes)

    def saved(self, *, sections: Sequence[str]) -> dict[str, Any]:
        """What a program saves (and its prompt fingerprint covers): every `always` setting, each `when_set` one
        only when set, and the memory's section names as built."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "sections":
                out["sections"] = list(sections)
            elif f.metadata["saved"] == "always" or value != f.default:
                out[f.name] = value
        return out

    @classmethod
    def from_saved(cls, saved: Mapping[str, Any]) -> RNNConfig:
        """The config a saved program's settings describe (keys that are not settings are ignored)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in saved.items() if k in known})


SETTINGS: dict[str, dataclasses.Field] = {f.name: f for f in fields(RNNConfig)}


def problems(values: Mapping[str, Any]) -> list[str]:
    """Every broken rule among `values` (a full or partial set of settings): ranges, closed sets, and `RULES`."""
    found = []
    for name, value in values.items():
        f = SETTINGS[name]
        choices, minimum = f.metadata["choices"], f.metadata["minimum"]
        if name == "policy" and value not in POLICIES:
            found.append(f"unknown update policy {value!r}; choose one of {', '.join(POLICIES)}")
        elif name == "feedback" and value not in FEEDBACK_MODES:
            found.append(f"unknown feedback mode {value!r}; choose one of {', '.join(FEEDBACK_MODES)}")
        elif choices and value not in choices:
            found.append(f"{name} must be one of {', '.join(map(str, choices))}, got {value!r}")
        elif minimum is not None and (isinstance(value, bool) or not isinstance(value, int) or value < minimum):
            found.append(f"{name} must be an integer >= {minimum}, got {value!r}")
        elif name == "sections" and value is not None and not list(value):
            found.append("sections must name at least one memory section")
    if found:
        return found
    return [rule.message for rule in RULES if all(n in values for n in rule.names) and not rule.holds(values)]


# -- method specs: llm_as_rnn:measured,mask_values,budget=120,sections=a+b ------------------------------------------


def parse_setting(name: str, text: str) -> Any:
    """A spec's `name=text` as the setting's type (ValueError names what was expected)."""
    kind = _kind(name)
    if kind is bool:
        raise ValueError(f"{name} is a flag: write it bare, without '='")
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{name} must be an integer, got {text!r}") from None
    if name == "sections":
        return tuple(v for v in text.split("+") if v)
    return text


def bare_setting(word: str) -> tuple[str, Any] | None:
    """A bare word of a spec as (setting, value): a flag (`mask_values`) or a feedback mode (`measured`)."""
    if word in FEEDBACK_MODES:
        return "feedback", word
    if word in SETTINGS and _kind(word) is bool:
        return word, True
    return None


def flag_names() -> tuple[str, ...]:
    return tuple(name for name in SETTINGS if _kind(name) is bool)


def format_spec(config: RNNConfig, *, method: str = "llm_as_rnn") -> str:
    """The method spec that builds `config` (non-default settings only): the inverse of parsing."""
    parts = []
    for name, f in SETTINGS.items():
        value = getattr(config, name)
        if value == f.default:
            continue
        if name == "feedback":
            parts.append(value)
        elif _kind(name) is bool:
            parts.append(name)
        elif name == "sections":
            parts.append(f"sections={'+'.join(value)}")
        else:
            parts.append(f"{name}={value}")
    return f"{method}:{','.join(parts)}" if parts else method


# -- the CLI ---------------------------------------------------------------------------------------------------------


def add_config_arguments(group: Any, *, skip: Iterable[str] = ()) -> None:
    """One flag per setting, each with its default in the help. The parsed default is None ("not given"), so a
    caller can tell an explicit flag from a default (`given_settings`)."""
    for name, f in SETTINGS.items():
        if name in skip:
            continue
        flag = f.metadata["flag"] or f"--{name.replace('_', '-')}"
        help_text = f"{f.metadata['help']} (default: {_show(f.default)})"
        kind = _kind(name)
        if kind is bool:
            group.add_argument(flag, dest=name, action="store_true", default=None, help=help_text)
        elif name == "sections":
            group.add_argument(flag, dest=name, default=None, type=_comma_list, metavar="A,B", help=help_text)
        elif kind is int:
            group.add_argument(flag, dest=name, default=None, type=_at_least(f.metadata["minimum"]),
                               metavar="N", help=help_text)
        else:
            group.add_argument(flag, dest=name, default=None, choices=f.metadata["choices"], help=help_text)


def given_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the command line gave explicitly."""
    return {name: getattr(args, name) for name in SETTINGS if getattr(args, name, None) is not None}


def config_from_args(args: argparse.Namespace) -> RNNConfig:
    return RNNConfig(**given_settings(args))


# -- the Optuna search ------------------------------------------------------------------------------------------------


def search_choices(name: str, *, sections: Sequence[str], budgets: Sequence[int] | None = None) -> tuple | None:
    """The values the study tries for a setting (None: not searched): budgets may be overridden, sections are
    every non-empty subset of the task's (written a+b)."""
    f = SETTINGS[name]
    if f.metadata["search"] is None:
        return None
    if name == "sections":
        return tuple("+".join(c) for r in range(1, len(sections) + 1) for c in itertools.combinations(sections, r))
    if name == "budget" and budgets is not None:
        return tuple(budgets)
    return f.metadata["search"]


def searched_settings() -> tuple[str, ...]:
    return tuple(name for name, f in SETTINGS.items() if f.metadata["search"] is not None)


def allowed_choices(name: str, choices: Sequence[Any], chosen: Mapping[str, Any]) -> tuple[list[Any], str]:
    """The choices of `name` that break no rule with the settings `chosen` so far, and the parameter name a
    search records them under: the setting's own when nothing is excluded, else one naming what restricted it
    (an Optuna parameter keeps one set of choices), e.g. `feedback[policy=gated]`."""
    allowed = [c for c in choices if not problems({**chosen, name: choice_value(name, c)})]
    if len(allowed) == len(choices):
        return allowed, name
    restricting = sorted({n for rule in RULES if name in rule.names for n in rule.names if n != name and n in chosen})
    return allowed, f"{name}[{','.join(f'{n}={chosen[n]}' for n in restricting)}]"


def choice_value(name: str, choice: Any) -> Any:
    return tuple(choice.split("+")) if name == "sections" and isinstance(choice, str) else choice


def _kind(name: str) -> type:
    default = SETTINGS[name].default
    return bool if isinstance(default, bool) else int if isinstance(default, int) else str


def _show(value: Any) -> str:
    return "the task's" if value is None else "off" if value is False else str(value)


def _comma_list(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(",") if s.strip())


def _at_least(minimum: int | None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if minimum is not None and value < minimum:
            raise argparse.ArgumentTypeError(f"{value} must be at least {minimum}" if minimum else
                                             f"{value} must be 0 or more")
        return value
    return parse
