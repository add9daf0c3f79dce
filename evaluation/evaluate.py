"""Methods x tasks on a held-out split, resumable: every finished (task, method, sequence) is stored at once."""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.evaluation.store import ResultStore
from llm_as_rnn.programs.artifacts import read_config
from llm_as_rnn.programs.records import StepRecord, listen_steps
from llm_as_rnn.programs.registry import build_method, load_program
from llm_as_rnn.reports.provenance import git_commit
from llm_as_rnn.utils.redact import redact

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    task: str
    method: str
    sequence: Any

    @property
    def steps(self) -> int:
        return len(self.sequence.steps)


@dataclass
class RunReport:
    completed: int = 0
    skipped: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Evaluation:
    """One evaluation: `methods` on `tasks` (name -> Task), `episodes` sequences of `steps` steps from `split`.

    Results go to `out` (see `ResultStore`); rerunning with the same settings skips finished sequences, and methods
    or tasks may be added to an existing folder. A method spec with `backbone=` runs on `roles_for(backbone)`
    instead of `roles`. `workers > 1` runs sequences in threads (useful for a served
    backbone with parallel slots; the embedded one serialises calls anyway).
    """

    tasks: dict[str, Any]
    methods: list[str]
    split: str
    episodes: int | None
    steps: int
    roles: Roles
    out: Path
    budget: int = 160
    context_budget: int = 1024
    workers: int = 1
    seed: int = 0
    task_options: dict[str, Any] = field(default_factory=dict)
    programs: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    saved_programs: dict[str, str] = field(default_factory=dict)
    roles_for: Callable[[str], Roles] | None = field(default=None, repr=False)  # for methods naming a backbone=

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        self.store = ResultStore(self.out)
        self.sequences = {name: task.sequences(self.split, limit=self.episodes, steps=self.steps)
                          for name, task in self.tasks.items()}
        for name, sequences in self.sequences.items():
            if not sequences:
                raise ValueError(f"task {name}: no {self.split} sequences")
        specs = list(self.methods)
        for name, task in self.tasks.items():  # build every program up front: bad method specs fail before any LM call
            for method in specs:
                self.programs[name, method] = build_method(method, task, roles=self.roles, roles_for=self.roles_for,
                                                           budget=self.budget, seed=self.seed,
                                                           context_budget=self.context_budget)
            for label, path in self.saved_programs.items():  # a compiled program runs on its own task as saved:<label>
                if read_config(path)["program"]["task"] != name:
                    continue
                method = f"saved:{label}"
                if method not in self.methods:
                    self.methods.append(method)
                self.programs[name, method] = load_program(path, roles=self.roles, task=task)

    def settings(self) -> dict[str, Any]:
        return {"split": self.split, "episodes": self.episodes, "steps": self.steps, "backbones": self.roles.describe(),
                "saved_programs": self.saved_programs,
                "budget": self.budget, "context_budget": self.context_budget, "seed": self.seed,
                "task_options": self.task_options, "tasks": sorted(self.tasks), "methods": list(self.methods)}

    def methods_for(self, task: str) -> list[str]:
        """The methods that apply to `task` (a saved program applies only to the task it was compiled for)."""
        return [m for m in self.methods if (task, m) in self.programs]

    def jobs(self) -> list[Job]:
        """Every (task, method, sequence): each sequence through every method before the next sequence, the
        sequences in `spread_order`. A run stopped anywhere (a full-N evaluation spans sessions) so leaves the same
        finished sequences for every method, spread over the whole split, not its first weeks, and `--report-only`
        on it scores a fair paired subset; run method by method, a stop before the last method started would leave
        nothing to pair. Order changes no number: a prompt's answer does not depend on what the engine served
        before it, and each (method, sequence) still runs its steps back to back."""
        return [Job(task, method, self.sequences[task][index]) for task in self.tasks
                for index in spread_order(len(self.sequences[task])) for method in self.methods_for(task)]

    def pending(self) -> list[Job]:
        return [j for j in self.jobs() if self.load(j.task, j.method, j.sequence.id) is None]

    def load(self, task: str, method: str, sequence_id: str) -> dict[str, Any] | None:
        """The stored result of this run's program (a result written by other prompts is stale: None)."""
        return self.store.load(task, method, sequence_id, self.programs[task, method].fingerprint())

    def written_by(self) -> dict[str, int]:
        """How many of the stored results this run scores each commit wrote. The fingerprint covers prompts, not
        code: a result reused across a code change is reused knowingly, and the report says so. Results stored
        before commits were recorded count under "not recorded"."""
        commits = Counter(result.get("commit", "not recorded") for job in self.jobs()
                          if (result := self.load(job.task, job.method, job.sequence.id)) is not None)
        return dict(commits.most_common())

    def run(self, *, on_step: Callable[[StepRecord], None] | None = None,
            on_job: Callable[[Job, bool], None] | None = None) -> RunReport:
        self.store.check_settings(self.settings())
        commit = git_commit()  # stored with each sequence: a result reused later says which code wrote it
        jobs = self.pending()
        report = RunReport(skipped=len(self.jobs()) - len(jobs))
        started = time.perf_counter()
        lock = threading.Lock()

        def execute(job: Job) -> None:
            context = listen_steps(on_step) if on_step else contextlib.nullcontext()
            program = self.programs[job.task, job.method]
            try:
                with context:
                    output = program(steps=job.sequence.steps, sequence_id=job.sequence.id)
            except Exception as exc:
                error = {"task": job.task, "method": job.method, "sequence_id": job.sequence.id,
                         "error": redact(f"{type(exc).__name__}: {exc}")[:2000]}
                logger.error("%s / %s / %s failed: %s", job.task, job.method, job.sequence.id, error["error"][:300])
                with lock:
                    report.failed.append(error)
                    with (self.out / "errors.jsonl").open("a", encoding="utf-8") as handle:
                        handle.write(json.dumps(error) + "\n")
                if on_job:
                    on_job(job, False)
                return
            self.store.save(job.task, job.method, job.sequence.id, {
                "predictions": output.predictions,
                "records": [r.as_dict() for r in output.records],
                "failures": output.failures,
                "config": program.config(),
                "fingerprint": program.fingerprint(),
                "commit": commit,
            })
            with lock:
                report.completed += 1
            if on_job:
                on_job(job, True)

        if self.workers <= 1:
            for job in jobs:
                execute(job)
        else:
            # Each job runs in a copy of this context: DSPy's settings overrides and step listeners are contextvars.
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                futures = [pool.submit(contextvars.copy_context().run, execute, job) for job in jobs]
                for future in as_completed(futures):
                    future.result()
        report.seconds = time.perf_counter() - started
        return report


def spread_order(count: int) -> list[int]:
    """0..count-1 in bit-reversed order (0, 1/2, 1/4, 3/4, ... of the way through): every prefix is spread evenly
    over the range, so the first k items of a date-ordered split sample all of it."""
    bits = max(count - 1, 0).bit_length()
    return sorted(range(count), key=lambda index: int(format(index, f"0{bits}b")[::-1], 2))
