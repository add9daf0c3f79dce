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
from llm_as_rnn.optimize.artifacts import ProgramFileError
from llm_as_rnn.optimize.tune import TuneError
from llm_as_rnn.programs.budget import BudgetError
from llm_as_rnn.programs.registry import MethodError
from llm_as_rnn.reports.redact import RedactingFilter
from llm_as_rnn.tasks.table import DataError


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
    group.add_argument("--api-base", help="server address for ollama_chat/, hosted_vllm/, openai/ local servers; "
                       "several, comma-separated, are replicas behind LiteLLM's Router")
    group.add_argument("--response-schema", action="store_true",
                       help="the served model honours OpenAI json_schema outputs (vLLM, llama.cpp llama-server)")
    group.add_argument("--max-concurrency", type=positive_int,
                       help="at most this many calls in flight per backbone (for a served backbone's slots)")
    group.add_argument("--no-cache", action="store_true", help="bypass DSPy's request cache")


def build_roles(args: argparse.Namespace, *, probe: bool = True) -> Any:
    """The backbones the flags name: one LM per distinct model string, shared by the roles that name it; each is
    probed (reachable, answers) unless `probe=False` (nothing will be called)."""
    return _roles(args, args.backbone, args.critic_backbone, args.updater_backbone, probe=probe)


PROPOSAL_STRING_CHARS = 0  # no grammar limit on a string: see LlamaCppEngine's max_string_chars
PROPOSAL_MAX_TOKENS = 1500


def build_prompt_lm(args: argparse.Namespace) -> Any:
    """The model that proposes or reflects on instructions (`--prompt-backbone`, else the main backbone), or None
    for the configured LM.

    An embedded proposer gets its own engine with no string limit in its grammar (its answer is bounded by
    `max_tokens`): under the step engine's limit (160 characters, against a small model looping inside a string)
    GEPA's reflection on the 1.5B could only answer the first line of the update instruction, "Rewrite your memory
    of this sequence after the step below.", and a proposal can never be as long as the instruction it replaces
    (about 1,100 characters). A long limit is no way out: llama.cpp's grammar nests one rule per allowed character,
    and 4,000 crashed it (SIGSEGV).
    """
    from llm_as_rnn.backbones.model_string import parse_model_string
    from llm_as_rnn.backbones.registry import load_backbone

    model = args.prompt_backbone or args.backbone
    if parse_model_string(model).embedded:
        return load_backbone(model, max_string_chars=PROPOSAL_STRING_CHARS, max_tokens=PROPOSAL_MAX_TOKENS)
    return load_backbone(model, api_base=args.api_base) if args.prompt_backbone else None


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
    from llm_as_rnn.backbones.probe import probe_reachable
    from llm_as_rnn.backbones.roles import Roles

    roles = Roles.from_strings(predictor, critic, updater, api_base=args.api_base, cache=not args.no_cache,
                               max_concurrency=args.max_concurrency, response_schema=args.response_schema)
    if probe:
        for lm in {id(lm): lm for lm in (roles.predictor, roles.critic, roles.updater) if lm is not None}.values():
            probe_reachable(lm, api_base=args.api_base)
    return roles


def add_data_options(group: Any) -> None:
    """The options that say which data a task reads (every verb that builds a task takes them)."""
    group.add_argument("--spec", help="JSON spec of your own data, for the custom task (see tasks/custom.py)")
    group.add_argument("--series", default="sp500", choices=("sp500", "nasdaq"), help="finance index")
    group.add_argument("--mimic-dir", help="your MIMIC-IV folder (hosp/ tables) instead of the shipped demo")
    group.add_argument("--clinical-procedures", action="store_true",
                       help="show the visit's procedure codes (a proxy for the diagnosis: an ablation)")
    group.add_argument("--weather-hint", choices=("auto_arima", "auto_ets"),
                       help="add that statistical model's one-step forecast (the anchor's number, fitted on the "
                            "training years) to every weather input")


def task_options(args: argparse.Namespace, name: str) -> dict[str, Any]:
    """Constructor options of task `name` from the data flags; a missing --spec is a user error, up front."""
    if name == "clinical":
        options: dict[str, Any] = {"procedures": bool(getattr(args, "clinical_procedures", False))}
        if getattr(args, "mimic_dir", None):
            if not Path(args.mimic_dir).is_dir():
                raise UsageError(f"--mimic-dir {args.mimic_dir}: no such folder")
            options["mimic_dir"] = args.mimic_dir
        return options
    if name == "finance":
        return {"series": getattr(args, "series", "sp500")}
    if name == "weather":
        hint = getattr(args, "weather_hint", None)
        if not hint:
            return {}  # absent when off: folders written before the option still match
        from llm_as_rnn.anchors import statistical

        if not statistical.available():
            raise UsageError(f"--weather-hint {hint} needs statsforecast: pip install 'llm-as-rnn[classical]'")
        return {"hint": hint}
    if name == "custom":
        if not getattr(args, "spec", None):
            raise UsageError("the custom task needs --spec path/to/spec.json (see tasks/custom.py for the format)")
        return {"spec": args.spec}
    return {}


def no_sequences_error(task: Any, split: str, steps: int) -> UsageError:
    """What to say when a split has no sequence of the asked length: where the data is and how big each split is."""
    from llm_as_rnn.tasks.base import SPLITS

    sizes = ", ".join(f"{s} {len(task.sequences(s, steps=steps))}" for s in SPLITS)
    source = getattr(task, "path", None) or getattr(task, "spec_path", None)
    where = f" in {source}" if source else ""
    return UsageError(f"task {task.name}{where}: no {split} sequences of {steps} steps (sequences per split: {sizes}); "
                      "use fewer --steps or more data")


def build_task(args: argparse.Namespace, name: str) -> Any:
    from llm_as_rnn.tasks.registry import get_task

    return get_task(name, **task_options(args, name))


def add_task_arguments(parser: argparse.ArgumentParser, *, tasks: list[str]) -> None:
    from llm_as_rnn.tasks.base import SPLITS

    group = parser.add_argument_group("data")
    group.add_argument("--task", default="weather", choices=tasks)
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
    """The LLM-as-RNN architecture, or a saved (compiled) program to start from."""
    from llm_as_rnn.programs.critic import FEEDBACK_MODES
    from llm_as_rnn.programs.llm_as_rnn import DEFAULT_BUDGET_TOKENS, POLICIES

    group = parser.add_argument_group("program")
    group.add_argument("--program", help="a saved program folder (from llm-rnn optimize or tune) instead of a new one")
    group.add_argument("--budget", type=positive_int, default=DEFAULT_BUDGET_TOKENS,
                       help=f"memory budget in predictor tokens (default: {DEFAULT_BUDGET_TOKENS})")
    group.add_argument("--feedback", choices=FEEDBACK_MODES, default="truth",
                       help="truth: LM critique with y_t; measured: the critique computed from y_t (no LM call); "
                            "judge: LLM judge without y_t; none; shuffled, shuffled_measured: controls that show an "
                            "earlier step's truth")
    group.add_argument("--fused", action="store_true", help="critique and rewrite in one LM call")
    group.add_argument("--mask-values", action="store_true",
                       help="replace past predictions/outcomes of numeric targets in each new memory by '[a past "
                            "value]' (small backbones copy them as answers; chosen on dev, see README Results)")
    group.add_argument("--show-running", action="store_true",
                       help="the predictor also reads the computed record so far (bias, mean absolute error, hit "
                            "rate over the revealed steps) under the memory, and a top-k target's revealed answers, "
                            "most frequent first, closing the observation")
    group.add_argument("--adjust", action="store_true",
                       help="the predictor writes how much its memory says to add to each numeric forecast before "
                            "the forecast (an output contract; see README, 'The adjustment field')")
    group.add_argument("--policy", choices=POLICIES, default="rewrite",
                       help="rewrite the memory (paper), edit it (delta), or keep a rewrite only if it does no harm "
                            "on a replay of recent steps (gated)")
    group.add_argument("--sections", help="memory sections to keep, comma-separated (default: the task's)")
    group.add_argument("--recent-steps", type=non_negative_int, default=0,
                       help="raw recent steps shown beside the memory")
    group.add_argument("--seed", type=int, default=0)


def build_program(args: argparse.Namespace, task: Any, roles: Any) -> Any:
    """The program the flags describe, or the saved one named by --program (for the same task). A bad
    combination (an unknown section, a gated policy without truth feedback) is a user error; built with
    `roles=None` and no LM configured, this is the up-front check that costs no model load."""
    from llm_as_rnn.optimize.artifacts import load_program
    from llm_as_rnn.programs.budget import BudgetError
    from llm_as_rnn.programs.llm_as_rnn import LLMAsRNN

    if args.program:
        return load_program(args.program, roles=roles, task=task)
    sections = [s.strip() for s in args.sections.split(",") if s.strip()] if args.sections else None
    try:
        return LLMAsRNN(task, budget=args.budget, feedback=args.feedback, fused=args.fused, policy=args.policy,
                        sections=sections, recent_steps=args.recent_steps, roles=roles, seed=args.seed,
                        mask_values=args.mask_values, show_running=args.show_running,
                        adjust=args.adjust)
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
