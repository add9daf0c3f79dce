"""Arguments and error handling shared by every verb."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from llm_as_rnn.backbones.errors import BackboneError
from llm_as_rnn.backbones.model_string import EMBEDDED_DEFAULT
from llm_as_rnn.evaluation.store import StoreMismatchError
from llm_as_rnn.optimize.tune import TuneError
from llm_as_rnn.programs.artifacts import ProgramFileError
from llm_as_rnn.programs.budget import BudgetError
from llm_as_rnn.programs.registry import MethodError
from llm_as_rnn.tasks.table import DataError
from llm_as_rnn.utils.redact import RedactingFilter


class UsageError(ValueError):
    """A wrong name or combination of options, found after argument parsing."""


# User mistakes: printed as one line, never as a traceback.
USER_ERRORS: tuple[type[Exception], ...] = (BackboneError, BudgetError, DataError, FileNotFoundError, MethodError,
                                            ProgramFileError, StoreMismatchError, TuneError, UsageError)


def add_backbone_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("backbone (LiteLLM model strings; keys from the environment)")
    group.add_argument("--backbone", default=EMBEDDED_DEFAULT,
                       help=f"predictor backbone, e.g. openai/gpt-4o-mini (default: {EMBEDDED_DEFAULT})")
    group.add_argument("--critic-backbone", help="backbone for feedback/judge (default: --backbone)")
    group.add_argument("--updater-backbone", help="backbone that rewrites the memory (default: --backbone)")
    group.add_argument("--api-base", type=api_bases,
                       help="server address (http://host:port/...) for ollama_chat/, hosted_vllm/, openai/ local "
                            "servers; several, comma-separated, are replicas behind LiteLLM's Router")
    group.add_argument("--response-schema", action="store_true",
                       help="require OpenAI json_schema outputs from a served model (without it, the mode the server "
                            "honours is probed and named: json_schema, JSON mode with a schema, or JSON mode)")
    group.add_argument("--max-concurrency", type=positive_int,
                       help="at most this many calls in flight per backbone (for a served backbone's slots)")
    group.add_argument("--no-cache", action="store_true", help="bypass DSPy's request cache")


def build_roles(args: argparse.Namespace, *, probe: bool = True) -> Any:
    """The backbones the flags name: one LM per distinct model string, shared by the roles that name it; each is
    probed (reachable, answers) unless `probe=False` (nothing will be called)."""
    return _roles(args, args.backbone, args.critic_backbone, args.updater_backbone, probe=probe)


def build_prompt_lm(args: argparse.Namespace) -> Any:
    """The model that proposes or reflects on instructions (`--prompt-backbone`), or None: the optimizer then uses
    the main backbone without its string limit (`backbones.registry.proposer_for`). An embedded proposer is loaded
    without the limit at once (one engine, not a capped one first)."""
    from llm_as_rnn.backbones.model_string import parse_model_string
    from llm_as_rnn.backbones.registry import PROPOSAL_MAX_TOKENS, load_backbone

    if not args.prompt_backbone:
        return None
    if parse_model_string(args.prompt_backbone).embedded:
        return load_backbone(args.prompt_backbone, max_string_chars=0, max_tokens=PROPOSAL_MAX_TOKENS)
    return load_backbone(args.prompt_backbone, api_base=args.api_base)


def method_roles_loader(args: argparse.Namespace, main: Any, *, probe: bool = True) -> Any:
    """`roles_for` of an evaluation: a method's own `backbone=` plays every role, loaded (and probed) once per
    model string with the same serving flags as --backbone; the --backbone string itself reuses the loaded
    predictor (in every role, even when --critic/--updater-backbone name others)."""
    from llm_as_rnn.backbones.roles import Roles

    loaded: dict[str, Any] = {args.backbone: Roles(main.predictor, main.predictor, main.predictor)}

    def roles_for(backbone: str) -> Any:
        if backbone not in loaded:
            loaded[backbone] = _roles(args, backbone, probe=probe)
        return loaded[backbone]

    return roles_for


def _roles(args: argparse.Namespace, predictor: str, critic: str | None = None, updater: str | None = None, *,
           probe: bool) -> Any:
    from llm_as_rnn.backbones.probe import is_served, probe_reachable
    from llm_as_rnn.backbones.roles import Roles
    from llm_as_rnn.backbones.structured_output import choose_structured_output, describe_mode

    roles = Roles.from_strings(predictor, critic, updater, api_base=args.api_base, cache=not args.no_cache,
                               max_concurrency=args.max_concurrency)
    if probe:
        for lm in {id(lm): lm for lm in (roles.predictor, roles.critic, roles.updater) if lm is not None}.values():
            probe_reachable(lm, api_base=args.api_base)
            if is_served(lm):
                mode = choose_structured_output(lm)
                print(f"{lm.model}: {describe_mode(mode)}", file=sys.stderr)
                if args.response_schema and mode != "json_schema":
                    raise UsageError(f"--response-schema: {lm.model} does not honour json_schema outputs; drop "
                                     f"the flag to use what it honours ({mode})")
    return roles


def add_data_options(group: Any) -> None:
    """The options that say which data a task reads (every verb that builds a task takes them): each task's own,
    declared in `tasks/registry.py`."""
    from llm_as_rnn.tasks.registry import all_options

    for option in all_options():
        if option.is_flag:
            group.add_argument(option.flag, action="store_true", help=option.help)
        else:
            group.add_argument(option.flag, choices=option.choices, type=option.kind, help=option.help)


def task_options(args: argparse.Namespace, name: str) -> dict[str, Any]:
    """Constructor options of task `name` from the data flags; a missing or bad one is a user error, up front."""
    from llm_as_rnn.tasks.registry import TaskOptionError
    from llm_as_rnn.tasks.registry import task_options as options_of

    try:
        return options_of(name, vars(args))
    except TaskOptionError as exc:
        raise UsageError(str(exc)) from None


def no_sequences_error(task: Any, split: str, steps: int) -> UsageError:
    """What to say when a split has no sequence of the asked length: where the data is and how big each split is."""
    from llm_as_rnn.tasks.base import SPLITS

    sizes = ", ".join(f"{s} {len(task.sequences(s, steps=steps))}" for s in SPLITS)
    source = getattr(task, "path", None) or getattr(task, "spec_path", None)
    where = f" in {source}" if source else ""
    return UsageError(f"task {task.name}{where}: no {split} sequences of {steps} steps (sequences per split: {sizes}); "
                      "use fewer --steps or more data")


def build_task(args: argparse.Namespace, name: str) -> Any:
    return build_task_from(name, task_options(args, name))


def build_task_from(name: str, options: dict[str, Any]) -> Any:
    """The task with these options; a bad combination of options is a user error."""
    from llm_as_rnn.tasks.registry import get_task

    try:
        return get_task(name, **options)
    except ValueError as exc:  # a bad combination of task options (DataError passes: it names its file)
        if isinstance(exc, USER_ERRORS):
            raise
        raise UsageError(f"task {name}: {exc}") from None


def add_task_arguments(parser: argparse.ArgumentParser, *, tasks: list[str]) -> None:
    from llm_as_rnn.tasks.base import SPLITS

    group = parser.add_argument_group("data")
    group.add_argument("--task", default="weather", choices=tasks, help="the dataset")
    add_data_options(group)
    group.add_argument("--split", default="test", choices=SPLITS, help="time-based split (default: test)")
    group.add_argument("--episodes", type=positive_int, default=5, help="number of sequences (default: 5)")
    group.add_argument("--steps", type=positive_int, default=10, help="steps per sequence (default: 10)")


def warn_small_sample(count: int, what: str = "sequences") -> None:
    """Bootstrap CIs resample whole sequences: with fewer than 5 they are too coarse to read."""
    from llm_as_rnn.metrics.bootstrap import MIN_SEQUENCES_FOR_CI

    if count < MIN_SEQUENCES_FOR_CI:
        print(f"warning: N={count} {what}: confidence intervals over fewer than {MIN_SEQUENCES_FOR_CI} sequences are "
              "too coarse to read (raise --episodes)", file=sys.stderr)


def add_program_arguments(parser: argparse.ArgumentParser) -> None:
    """The LLM-as-RNN settings (one flag per `RNNConfig` field, each with its default), or a saved (compiled)
    program to start from."""
    from llm_as_rnn.programs.config import add_config_arguments

    group = parser.add_argument_group("program")
    group.add_argument("--program", help="a saved program folder (from llm-rnn optimize or tune) instead of a new one; "
                       "its settings are the saved ones (a setting flag beside it is refused)")
    add_config_arguments(group)


def build_program(args: argparse.Namespace, task: Any, roles: Any) -> Any:
    """The program the flags describe, or the saved one named by --program (for the same task). A bad
    combination (an unknown section, a gated policy without truth feedback) is a user error; built with
    `roles=None` and no LM configured, this is the up-front check that costs no model load."""
    from llm_as_rnn.programs.config import given_settings
    from llm_as_rnn.programs.llm_as_rnn import LLMAsRNN
    from llm_as_rnn.programs.registry import load_program

    given = given_settings(args)
    if args.program:
        if given:
            flags = ", ".join(f"--{name.replace('_', '-')}" for name in given)
            raise UsageError(f"--program {args.program} runs with its saved settings; drop {flags} (or run without "
                             "--program to use them)")
        return load_program(args.program, roles=roles, task=task)
    try:
        return LLMAsRNN(task, roles=roles, **given)
    except BudgetError:
        raise
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def non_negative_int(text: str) -> int:
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must be 0 or more")
    return value


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def api_bases(text: str) -> str:
    """--api-base: one or more comma-separated server URLs, each with its scheme (http:// or https://)."""
    for base in (b.strip() for b in text.split(",")):
        if not base:
            continue
        scheme, sep, rest = base.partition("://")
        if not sep or scheme not in ("http", "https") or not rest:
            raise argparse.ArgumentTypeError(f"{base!r} has no http:// or https:// scheme; write e.g. "
                                             f"http://{base.split('://')[-1]}")
    return text


def check_output_folder(path: str | Path, flag: str = "--out") -> Path:
    """Create the output folder now, before any work: a folder that cannot be created is one line, not an error
    after the run."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot create the folder ({exc.strerror or type(exc).__name__})") from None
    if not os.access(path, os.W_OK):
        raise UsageError(f"{flag} {path}: the folder is not writable")
    return path


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """Every option's help ends with its default (unless it says it already, or the default is off or unset)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        unset = default is None or default is False or default == argparse.SUPPRESS or (
            isinstance(default, list | tuple) and not default)
        if "(default:" in text or unset or not action.option_strings:
            return text
        shown = ",".join(map(str, default)) if isinstance(default, list | tuple) else default
        return f"{text} (default: {shown})"


def run_directory(base: str | Path, *parts: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(base) / "-".join([stamp, *parts])
    path.mkdir(parents=True, exist_ok=True)
    return path


def console() -> Any:
    """Rich console: the terminal's width, or 120 columns when output goes to a file or a pipe (CI, logs)."""
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=120)


def configure_logging(verbose: int) -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose == 1 else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
    if verbose < 2:
        for noisy in ("LiteLLM", "litellm", "httpx", "dspy"):
            logging.getLogger(noisy).setLevel(logging.ERROR if verbose == 0 else logging.WARNING)
    if verbose == 1:  # an optimizer's own progress (GEPA's proposals and minibatch scores, MIPROv2's trials)
        logging.getLogger("dspy.teleprompt").setLevel(logging.INFO)


def configure_environment() -> None:
    """Offline-safe defaults before DSPy or LiteLLM are imported by any verb."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
