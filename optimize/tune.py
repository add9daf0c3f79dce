"""An Optuna study over LLM-as-RNN's budget and structure, with a DSPy optimizer (or none) inside each trial.

Searched: memory token budget; memory sections; feedback mode; update policy (rewrite, delta, gated); fused vs
separate critique; raw recent steps shown beside the memory; masking past values and showing the computed record
so far (the small-backbone options); which DSPy optimizer and its budget. The objective is
the dev split's mean step reward (single objective, pruned per dev sequence) or (reward, prompt tokens per step)
(multi-objective, a Pareto front).

Storage is any Optuna RDB URL: an SQLite file by default, PostgreSQL for many workers on many machines sharing one
study (optuna-dashboard reads either). Trials send heartbeats; a killed worker's trial is failed once stale and
retried with the same parameters, and every worker stops when N trials have finished in total (exactly N: a
worker's surplus trial is failed before it runs).
"""

from __future__ import annotations

import importlib.util
import logging
import random
import shutil
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_as_rnn.backbones.tokenizer import token_counter
from llm_as_rnn.metrics.objective import sequence_reward
from llm_as_rnn.optimize import OPTIMIZERS, get_optimizer, sequence_examples
from llm_as_rnn.programs import config as settings
from llm_as_rnn.programs.artifacts import ProgramFileError, read_config, save_program
from llm_as_rnn.programs.budget import BudgetError, MemoryBudget
from llm_as_rnn.programs.config import SEARCHED_BUDGETS, RNNConfig
from llm_as_rnn.programs.llm_as_rnn import LLMAsRNN
from llm_as_rnn.programs.memory import MemorySchema
from llm_as_rnn.programs.registry import load_program
from llm_as_rnn.reports.study import trial_rows
from llm_as_rnn.utils.redact import redact

logger = logging.getLogger(__name__)

BUDGETS = SEARCHED_BUDGETS
OPTIMIZER_BUDGETS = {"mipro": ("num_trials", (2, 4)), "gepa": ("max_metric_calls", (6, 12)),
                     "copro": ("breadth", (2, 3))}


STARTUP_TRIALS = 10  # TPE samples at random until this many trials have finished (Optuna's default, made explicit)
CREATE_ATTEMPTS = 5
CONCURRENT_CREATION = ("already exists", "duplicate key", "UNIQUE constraint failed", "database is locked")


class TuneError(ValueError):
    """Bad study settings or unreachable storage (found before the study is touched)."""


class SurplusTrialError(Exception):
    """This trial would exceed the study's total; it is failed without running."""


def safe_url(url: str) -> str:
    """The storage URL with any password hidden (for messages and reports)."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def storage_url(url: str) -> str:
    """The URL with its PostgreSQL driver named: `postgresql://` (what the docs show) means psycopg 3, the driver
    the `postgres` extra installs and SQLAlchemy 2.1 picks, but SQLAlchemy 2.0 picks psycopg2 for the same URL;
    naming it makes the URL mean one thing. Falls back to psycopg2 where only that is installed. Other URLs, and
    URLs that name a driver, are returned as they are."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("postgresql", "postgres"):
        return url
    for module, driver in (("psycopg", "psycopg"), ("psycopg2", "psycopg2")):
        if importlib.util.find_spec(module) is not None:
            return f"postgresql+{driver}://{rest}"
    raise TuneError(f"storage {safe_url(url)}: no PostgreSQL driver is installed; pip install 'llm-as-rnn[postgres]'")


def make_storage(url: str, *, heartbeat_interval: int = 60, grace_period: int = 180, max_retry: int = 2):
    """An RDB storage with heartbeats and retries of failed (stale) trials; raises TuneError if unreachable."""
    import warnings

    import optuna

    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)  # heartbeats are "experimental"
    from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback

    url = storage_url(url)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for attempt in range(CREATE_ATTEMPTS):
        try:
            return RDBStorage(url, heartbeat_interval=heartbeat_interval, grace_period=grace_period,
                              heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=max_retry),
                              engine_kwargs={"pool_pre_ping": True})
        except (ImportError, ModuleNotFoundError) as exc:
            raise TuneError(f"storage {safe_url(url)}: the database driver this URL names is not installed ({exc}); "
                            "the 'postgres' extra installs psycopg 3, which postgresql:// URLs use") from exc
        except Exception as exc:  # sqlalchemy.exc.OperationalError, IntegrityError, ArgumentError, ...
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            # Workers starting together on a new database race to create Optuna's tables; the loser retries.
            if attempt + 1 < CREATE_ATTEMPTS and any(mark in reason for mark in CONCURRENT_CREATION):
                time.sleep(0.2 + random.random())
                continue
            raise TuneError(f"cannot use the study storage {safe_url(url)}: {reason}") from exc
    raise AssertionError("unreachable")


def search_params(config: RNNConfig, *, sections: tuple[str, ...], budgets: tuple[int, ...]) -> dict[str, Any]:
    """The Optuna parameters under which the search would have chosen `config` (what `suggest` records): a saved
    program enqueued as a trial. Raises TuneError naming every setting outside the searched space."""
    params, chosen, outside = {}, {}, []
    for name in settings.searched_settings():
        choices = settings.search_choices(name, sections=sections, budgets=budgets)
        value = getattr(config, name)
        if name == "sections":
            value = "+".join(n for n in sections if n in (value or sections))
        allowed, key = settings.allowed_choices(name, choices, chosen)
        if value not in allowed:
            outside.append(f"{name} {value!r} (searched: {', '.join(map(str, allowed))})")
            continue
        chosen[name] = settings.choice_value(name, value)
        if len(allowed) > 1:
            params[key] = value
    if outside:
        raise TuneError(f"its {'; '.join(outside)} is outside the searched space")
    return params


def starting_point(path: Path, task: Any, optimizers: tuple[str, ...],
                   budgets: tuple[int, ...] = BUDGETS) -> tuple[str, dict[str, Any]]:
    """A saved program (`tune --program`) as the study's parameters, checked before the study is touched: it is
    enqueued as a trial that evaluates the program as saved (its tuned instructions included), so the search
    starts from it and the study shows whether anything beats it."""
    try:
        saved = read_config(path)["program"]
    except ProgramFileError as exc:
        raise TuneError(str(exc)) from exc
    if saved.get("program") != "llm_as_rnn" or saved.get("task") != task.name:
        raise TuneError(f"{path}: a {saved.get('program')} program for task {saved.get('task')!r}; tune searches "
                        f"llm_as_rnn on {task.name!r}")
    if "none" not in optimizers:
        raise TuneError(f"{path}: a saved program is evaluated as saved (optimizer 'none'): add none to "
                        "--optimizers")
    try:
        config = RNNConfig.from_saved(saved)
        # the study searches the saved budget too (StructureSearch adds it)
        budgets = tuple(dict.fromkeys([*budgets, config.budget]))
        params = search_params(config, sections=task.memory_spec.names, budgets=budgets)
    except (TuneError, ValueError) as exc:
        raise TuneError(f"{path}: {exc}") from exc
    return str(path.resolve()), {**params, "optimizer": "none"}


@dataclass
class StructureSearch:
    """The study's settings; `run()` adds finished trials until `n_trials` have finished across all workers."""

    task: Any
    roles: Any
    storage_url: str
    study_name: str
    out: Path
    train_episodes: int = 3
    dev_episodes: int = 3
    steps: int = 4
    multi_objective: bool = False
    optimizers: tuple[str, ...] = ("none", "gepa")
    budgets: tuple[int, ...] = BUDGETS
    prompt_lm: Any = None
    seed: int = 0
    worker: int = 0
    heartbeat_interval: int = 60
    grace_period: int = 180
    poll_seconds: float = 2.0
    start_from: tuple[str, ...] = ()
    _sequences: dict[str, list] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        unknown = [o for o in self.optimizers if o != "none" and o not in OPTIMIZERS]
        if unknown or not self.optimizers:
            raise TuneError(f"unknown optimizer(s) {unknown}; choose from none, {', '.join(OPTIMIZERS)}")
        saved_budgets = [read_config(path)["program"].get("budget") for path in self.start_from
                         if (Path(path) / "config.json").is_file()]
        self.budgets = tuple(dict.fromkeys([*self.budgets, *(b for b in saved_budgets if isinstance(b, int))]))
        self._starting_points = [starting_point(Path(path), self.task, self.optimizers, self.budgets)
                                 for path in self.start_from]
        count = self._token_counter()
        skeleton = MemorySchema.of(self.task.memory_spec).empty().render()
        impossible = [b for b in self.budgets if b <= count(skeleton)]
        if impossible or not self.budgets:
            raise TuneError(f"budget(s) {impossible or list(self.budgets)} cannot hold the empty memory "
                            f"({count(skeleton)} tokens); choose larger budgets")

    def _token_counter(self):
        return token_counter(self.roles.predictor)

    # -- the study -------------------------------------------------------------------------------------------------

    def study(self):
        import optuna

        storage = make_storage(self.storage_url, heartbeat_interval=self.heartbeat_interval,
                               grace_period=self.grace_period)
        directions = ["maximize", "minimize"] if self.multi_objective else ["maximize"]
        sampler = optuna.samplers.TPESampler(n_startup_trials=STARTUP_TRIALS, seed=self.seed + self.worker)
        pruner = optuna.pruners.NopPruner() if self.multi_objective else optuna.pruners.MedianPruner(
            n_startup_trials=2, n_warmup_steps=0)
        try:
            study = optuna.create_study(storage=storage, study_name=self.study_name, directions=directions,
                                        sampler=sampler, pruner=pruner, load_if_exists=True)
        except ValueError as exc:  # e.g. an existing study with other directions
            raise TuneError(f"study {self.study_name!r} in {safe_url(self.storage_url)}: {exc}") from exc
        return study

    def run(self, n_trials: int, *, on_trial: Any = None):
        """Work on the study until `n_trials` trials have finished (complete or pruned) in total."""
        import optuna
        from optuna.trial import TrialState

        if n_trials < 1:
            raise TuneError(f"trials must be at least 1, got {n_trials}")
        study = self.study()
        for path, params in self._starting_points:
            if not any(t.user_attrs.get("start_program") == path for t in study.get_trials(deepcopy=False)):
                study.enqueue_trial(params, user_attrs={"start_program": path})
        finished_states = (TrialState.COMPLETE, TrialState.PRUNED)
        while True:
            optuna.storages.fail_stale_trials(study)
            trials = study.get_trials(deepcopy=False)
            finished = sum(t.state in finished_states for t in trials)
            running = sum(t.state == TrialState.RUNNING for t in trials)
            waiting = sum(t.state == TrialState.WAITING for t in trials)
            if finished >= n_trials:
                return study
            if finished + running >= n_trials and not waiting:
                time.sleep(self.poll_seconds)  # another worker is finishing the last trials (or will go stale)
                continue
            study.optimize(lambda trial: self.objective(trial, n_trials), n_trials=1,
                           catch=(SurplusTrialError,), callbacks=[on_trial] if on_trial else None,
                           show_progress_bar=False)

    # -- one trial ---------------------------------------------------------------------------------------------------

    def sequences(self, split: str) -> list:
        if split not in self._sequences:
            limit = self.train_episodes if split == "train" else self.dev_episodes
            self._sequences[split] = self.task.sequences(split, limit=limit, steps=self.steps)
        return self._sequences[split]

    def suggest(self, trial) -> dict[str, Any]:
        """The trial's settings and optimizer, define-by-run over `RNNConfig`'s searched settings: a setting a rule
        restricts given the earlier choices (gated -> a feedback mode that reveals y_t) is suggested under a name
        that says so, and not at all when one value is left."""
        sections = self.task.memory_spec.names
        chosen: dict[str, Any] = {}
        for name in settings.searched_settings():
            choices = settings.search_choices(name, sections=sections, budgets=self.budgets)
            allowed, key = settings.allowed_choices(name, choices, chosen)
            value = allowed[0] if len(allowed) == 1 else trial.suggest_categorical(key, list(allowed))
            chosen[name] = settings.choice_value(name, value)
        optimizer = trial.suggest_categorical("optimizer", list(self.optimizers))
        optimizer_settings = {}
        if optimizer != "none":
            key, choices = OPTIMIZER_BUDGETS[optimizer]
            optimizer_settings[key] = trial.suggest_categorical(f"{optimizer}_{key}", list(choices))
        return {"program": chosen, "optimizer": optimizer, "optimizer_settings": optimizer_settings}

    def objective(self, trial, n_trials: int):
        from optuna import TrialPruned
        from optuna.trial import TrialState

        earlier = [t for t in trial.study.get_trials(deepcopy=False) if t.number < trial.number
                   and t.state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING, TrialState.WAITING)]
        if len(earlier) >= n_trials:
            raise SurplusTrialError(f"trial {trial.number}: {n_trials} trials already under way or finished")
        choice = self.suggest(trial)
        if trial.user_attrs.get("start_program"):
            return self.evaluate_on_dev(trial, load_program(trial.user_attrs["start_program"], roles=self.roles,
                                                            task=self.task), {"start_program": True})
        try:
            program = LLMAsRNN(self.task, RNNConfig(seed=self.seed, **choice["program"]), roles=self.roles)
            MemoryBudget(choice["program"]["budget"]).check_feasible(program.schema, self._token_counter())
        except (BudgetError, ValueError) as exc:
            _set_user_attr(trial, "infeasible", str(exc))
            raise TrialPruned(str(exc)) from exc
        optimization = {}
        if choice["optimizer"] != "none":
            optimizer = get_optimizer(choice["optimizer"])(self.task, prompt_lm=self.prompt_lm, seed=self.seed,
                                                            **choice["optimizer_settings"])
            result = optimizer.compile(program, trainset=sequence_examples(self.sequences("train")),
                                       valset=sequence_examples(self.sequences("dev")))
            program, optimization = result.program, result.summary()
        return self.evaluate_on_dev(trial, program, optimization)

    def evaluate_on_dev(self, trial, program: Any, optimization: dict[str, Any]):
        """The trial's value(s): mean dev reward (pruned early when clearly worse), and prompt tokens per step."""
        from optuna import TrialPruned

        rewards, prompt_tokens = [], []
        for index, sequence in enumerate(self.sequences("dev")):
            out = program(steps=sequence.steps, sequence_id=sequence.id)
            rewards.append(sequence_reward(self.task, out.predictions, [s.target for s in sequence.steps]))
            prompt_tokens.extend(out.prompt_tokens)
            _set_user_attr(trial, "dev_rewards", rewards)  # per sequence, pruned trials too: paired comparisons
            if not self.multi_objective:
                trial.report(statistics.fmean(rewards), step=index)
                if trial.should_prune():
                    raise TrialPruned(f"dev reward {statistics.fmean(rewards):.3f} after {index + 1} sequences")
        reward, tokens = statistics.fmean(rewards), statistics.fmean(prompt_tokens)
        folder = save_program(program, self.out / "trials" / f"{trial.number:04d}", backbones=self.roles.describe(),
                              optimization=optimization, trial=trial.number, dev_reward=reward,
                              prompt_tokens_per_step=tokens)
        _set_user_attr(trial, "program_dir", str(folder))
        _set_user_attr(trial, "prompt_tokens_per_step", tokens)
        return (reward, tokens) if self.multi_objective else reward

    # -- results -------------------------------------------------------------------------------------------------

    def export(self, study) -> dict[str, Any]:
        """Copy the best program (or every Pareto-optimal one) out of the trial folders; summarise the study."""
        from optuna.trial import TrialState

        trials = study.get_trials(deepcopy=False)
        counts = {state.name.lower(): sum(t.state == state for t in trials) for state in TrialState}
        best = study.best_trials if self.multi_objective else ([study.best_trial] if counts["complete"] else [])
        exported = []
        for trial in best:
            source = Path(trial.user_attrs.get("program_dir", ""))
            if not source.is_dir():
                continue  # made by another machine's worker: its folder is on that machine
            target = self.out / ("pareto" if self.multi_objective else "best") / (
                f"{trial.number:04d}" if self.multi_objective else "")
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)
            exported.append({"trial": trial.number, "values": trial.values, "params": trial.params,
                             "program_dir": str(target)})
        return {"study": self.study_name, "storage": safe_url(self.storage_url), "trials": counts,
                "sampler": {"name": "TPESampler", "random_startup_trials": STARTUP_TRIALS},
                "multi_objective": self.multi_objective, "best": exported, "every_trial": trial_rows(study)}


def _set_user_attr(trial, key: str, value: Any) -> None:
    """Optuna user attributes live in a shared database: text goes through the same redaction as every output."""
    trial.set_user_attr(key, redact(value) if isinstance(value, str) else value)


__all__ = ["StructureSearch", "SurplusTrialError", "TuneError", "make_storage", "safe_url", "search_params",
           "starting_point"]
