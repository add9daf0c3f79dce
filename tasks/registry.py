"""Task names -> task classes (imported lazily: each task has its own data dependencies), with the options each
task takes on the command line. Adding a task is a module in `tasks/` and an entry here."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llm_as_rnn.tasks.base import Task


class TaskOptionError(ValueError):
    """A task option the user gave is missing, of the wrong kind, or needs a package that is not installed."""


@dataclass(frozen=True)
class TaskOption:
    """One constructor option of a task, as a command-line flag.

    Attributes:
        flag: The flag (`--weather-hint`); the parsed value lands under its name (`weather_hint`).
        keyword: The task constructor's keyword (`hint`).
        help: One line for `--help`.
        choices: The allowed values.
        default: The value when the flag is absent.
        is_flag: A bare flag (True when given).
        path: "file" or "folder" when the value names one: checked before any work.
        stored: "always" passes the option (its default too); "when_set" only when given (options added after
            results were stored stay out of their settings, so those folders keep matching); "required" must be
            given.
        needs: A package the option needs, and the extra that installs it.
    """

    flag: str
    keyword: str
    help: str
    choices: tuple[str, ...] | None = None
    default: Any = None
    is_flag: bool = False
    path: str | None = None
    stored: str = "when_set"
    needs: tuple[str, str] | None = None
    kind: type = str

    @property
    def dest(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")

    def value(self, given: Any) -> Any:
        """The constructor value for what the command line gave (None: not given); raises TaskOptionError."""
        if given is None or given is False:
            if self.stored == "required":
                raise TaskOptionError(f"needs {self.flag} ({self.help})")
            return bool(given) if self.is_flag else self.default
        if self.path:
            where = Path(str(given))
            if not where.exists():
                raise TaskOptionError(f"{self.flag} {given}: no such {self.path}")
            if self.path == "file" and where.is_dir():
                raise TaskOptionError(f"{self.flag} {given}: is a directory, not a file")
            if self.path == "folder" and not where.is_dir():
                raise TaskOptionError(f"{self.flag} {given}: not a folder")
        if self.kind is not str:
            try:
                given = self.kind(given)
            except ValueError:
                raise TaskOptionError(f"{self.flag} {given!r}: not a {self.kind.__name__}") from None
        if self.needs and not installed(self.needs[0]):
            raise TaskOptionError(f"{self.flag} {given} needs {self.needs[0]}: pip install "
                                  f"'llm-as-rnn[{self.needs[1]}]'")
        return given


@dataclass(frozen=True)
class TaskEntry:
    """Where a task's class lives (imported only when the task is built) and its command-line options."""

    target: str
    about: str
    options: tuple[TaskOption, ...] = ()

    @property
    def load_name(self) -> str:
        """The task's name in messages (the class's module name)."""
        return self.target.partition(":")[0].rpartition(".")[2]

    def load(self) -> type[Task]:
        module, _, cls = self.target.partition(":")
        return getattr(importlib.import_module(module), cls)

    def options_from(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Constructor options from parsed flags (`given[option.dest]`, None when absent)."""
        options = {}
        for option in self.options:
            try:
                value = option.value(given.get(option.dest))
            except TaskOptionError as exc:
                if str(exc).startswith("needs "):
                    raise TaskOptionError(f"the {self.load_name} task {exc}") from None
                raise
            if option.stored == "always" or (value is not None and value is not False):
                options[option.keyword] = value
        return options


TASKS: dict[str, TaskEntry] = {
    "weather": TaskEntry(
        "llm_as_rnn.tasks.weather:WeatherTask", "Seattle daily weather, 2012-2015 (vega_datasets wheel)",
        (TaskOption("--weather-hint", "hint", choices=("auto_arima", "auto_ets"), needs=("statsforecast", "classical"),
                    help="add that statistical model's one-step forecast (the anchor's number, fitted on the training "
                         "years) to every weather input"),)),
    "finance": TaskEntry(
        "llm_as_rnn.tasks.finance:FinanceTask", "S&P 500 / NASDAQ daily returns, 1999-2018 (arch wheel)",
        (TaskOption("--series", "series", choices=("sp500", "nasdaq"), default="sp500", stored="always",
                    help="finance index (default: sp500)"),)),
    "clinical": TaskEntry(
        "llm_as_rnn.tasks.clinical:ClinicalTask", "MIMIC-IV demo admissions (shipped) or your MIMIC-IV",
        (TaskOption("--mimic-dir", "mimic_dir", path="folder",
                    help="your MIMIC-IV folder (hosp/ tables) instead of the shipped demo"),
         TaskOption("--clinical-procedures", "procedures", is_flag=True, stored="always",
                    help="show the visit's procedure codes (a proxy for the diagnosis: an ablation)"),
         TaskOption("--clinical-folds", "folds", kind=int,
                    help="cross-fitting: deal the patients with 2+ visits into this many folds (with --clinical-fold)"),
         TaskOption("--clinical-fold", "fold", kind=int,
                    help="cross-fitting: this fold's patients are the test split, everyone else is train"))),
    "probe-offset": TaskEntry("llm_as_rnn.tasks.probe:OffsetProbe",
                              "a diagnostic: the answer is the input plus a hidden per-sequence number"),
    "probe-remap": TaskEntry("llm_as_rnn.tasks.probe:RemapProbe",
                             "a diagnostic: a hidden per-sequence map from colours to code words"),
    "custom": TaskEntry(
        "llm_as_rnn.tasks.custom:CustomTask", "your CSV / JSONL / HF datasets folder, described by a JSON spec",
        (TaskOption("--spec", "spec", path="file", stored="required",
                    help="JSON spec of your own data, for the custom task (see tasks/custom.py)"),)),
}


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def get_task(name: str, **options: Any) -> Task:
    """Build a task by name; an unknown name is an error that lists the known ones."""
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of {', '.join(sorted(TASKS))}")
    return TASKS[name].load()(**options)


def task_options(name: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """The constructor options of task `name` from parsed flags; a bad one is a one-line TaskOptionError."""
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of {', '.join(sorted(TASKS))}")
    return TASKS[name].options_from(given)


def all_options() -> list[TaskOption]:
    """Every task's options, each flag once (for a verb that can build any task)."""
    return list({option.flag: option for entry in TASKS.values() for option in entry.options}.values())
