"""`llm-rnn evaluate`: methods x tasks on a held-out split, beside classical anchors, resumable."""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llm_as_rnn.cli.common import (
    UsageError,
    add_backbone_arguments,
    add_data_options,
    build_roles,
    build_task_from,
    check_output_folder,
    method_roles_loader,
    non_negative_int,
    positive_int,
    task_options,
    warn_small_sample,
)
from llm_as_rnn.cli.common import console as make_console

DESCRIPTION = """Evaluate methods (LLM-as-RNN, its feedback ablations, and the baselines) on tasks, beside classical
anchors, with 95% bootstrap CIs over sequences. Rerunning with the same --out skips finished sequences (a killed
run loses nothing finished, and each method runs its sequences spread over the split, so what finished is a fair
sample that --report-only scores); methods and tasks can be added to an existing folder. Writes
results.json/.csv/.md, plots/*.png and report.html."""

DEFAULT_TASKS = "weather,finance,clinical"


def add_parser(verbs: argparse._SubParsersAction) -> None:
    from llm_as_rnn.programs.baselines.history import DEFAULT_CONTEXT_TOKENS
    from llm_as_rnn.programs.llm_as_rnn import DEFAULT_BUDGET_TOKENS
    from llm_as_rnn.programs.registry import DEFAULT_METHODS
    from llm_as_rnn.tasks.base import SPLITS

    parser = verbs.add_parser("evaluate", help="compare methods and anchors on tasks", description=DESCRIPTION)
    group = parser.add_argument_group("what")
    group.add_argument("--tasks", default=DEFAULT_TASKS, help=f"comma-separated (default: {DEFAULT_TASKS})")
    group.add_argument("--methods", default=",".join(DEFAULT_METHODS),
                       help="comma-separated method specs, e.g. llm_as_rnn:judge, fhc:context_budget=2048 "
                            f"(default: {','.join(DEFAULT_METHODS)})")
    group.add_argument("--split", default="test", choices=SPLITS,
                       help="time-based split (dev to choose, test to report)")
    group.add_argument("--episodes", type=positive_int, default=8,
                       help="sequences per task (default: 8; CIs over fewer than 5 are flagged)")
    group.add_argument("--steps", type=positive_int, default=5, help="steps per sequence (default: 5)")
    group.add_argument("--budget", type=positive_int, default=DEFAULT_BUDGET_TOKENS,
                       help=f"LLM-as-RNN memory budget in tokens (default: {DEFAULT_BUDGET_TOKENS})")
    group.add_argument("--context-budget", type=positive_int, default=DEFAULT_CONTEXT_TOKENS,
                       help=f"history baselines' context budget in tokens (default: {DEFAULT_CONTEXT_TOKENS})")
    group.add_argument("--seed", type=int, default=0, help="seeds the controls and the sampler")
    add_data_options(parser.add_argument_group("data"))
    add_backbone_arguments(parser)
    parser.add_argument("--program", action="append", default=[], metavar="PATH",
                        help="a saved program (from optimize/tune) evaluated as method saved:<folder name>; repeatable")
    parser.add_argument("--judge-backbone", help="also score top-k predictions (clinical) with this LLM judge of "
                        "semantic equivalence, as the paper does (extra LM calls)")
    parser.add_argument("--workers", type=positive_int, default=1,
                        help="sequences run in parallel (for a served backbone with parallel slots)")
    parser.add_argument("--out", help="results folder (default: runs/evaluate-<split>); rerun to resume")
    parser.add_argument("--report-only", action="store_true",
                        help="run nothing: write results, plots and report from the sequences already finished in "
                             "--out (while a long run goes on, or after stopping one); unfinished ones are named")
    parser.add_argument("--trace-sequences", type=non_negative_int, default=1,
                        help="LLM-as-RNN sequences per task whose memory trace goes into report.html")
    parser.set_defaults(handler=execute)


def execute(args: argparse.Namespace) -> int:
    import dspy
    from rich.markdown import Markdown
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from llm_as_rnn.evaluation.evaluate import Evaluation, RunReport
    from llm_as_rnn.evaluation.summary import summarize
    from llm_as_rnn.programs.registry import split_methods
    from llm_as_rnn.reports.html_report import write_html_report
    from llm_as_rnn.reports.plots import write_plots
    from llm_as_rnn.reports.provenance import provenance
    from llm_as_rnn.reports.results import write_results
    from llm_as_rnn.tasks.registry import TASKS
    from llm_as_rnn.utils.redact import redact

    console = make_console()
    names = [t.strip() for t in args.tasks.split(",") if t.strip()]
    unknown = [t for t in names if t not in TASKS]
    if unknown:
        raise UsageError(f"unknown task(s) {unknown}; choose from {', '.join(TASKS)}")
    options = {name: task_options(args, name) for name in names}
    tasks = {name: build_task_from(name, options[name]) for name in names}
    out = Path(args.out or f"runs/evaluate-{args.split}")
    if args.report_only:
        if not (out / "evaluation.json").is_file():
            raise UsageError(f"--report-only: {out} holds no evaluation (no evaluation.json); run the evaluation "
                             "into it first, without --report-only")
    else:
        check_output_folder(out)
    methods = split_methods(args.methods)
    check_methods(methods, tasks, args)
    if args.judge_backbone:
        from llm_as_rnn.backbones.model_string import parse_model_string

        parse_model_string(args.judge_backbone)  # a typo fails now, not after the whole evaluation
    roles = build_roles(args, probe=not args.report_only)
    roles_for = method_roles_loader(args, roles, probe=not args.report_only)
    dspy.configure(lm=roles.predictor)
    # Evaluation builds every program with the roles up front: budgets meet the real tokenizer before any LM call.
    evaluation = Evaluation(tasks=tasks, methods=methods,
                            split=args.split, episodes=args.episodes, steps=args.steps, roles=roles, out=out,
                            budget=args.budget, context_budget=args.context_budget, workers=args.workers,
                            seed=args.seed, task_options=options, roles_for=roles_for,
                            saved_programs={_label(Path(p)): str(Path(p).resolve()) for p in args.program})
    for name, sequences in evaluation.sequences.items():
        warn_small_sample(len(sequences), f"{name} sequences")
    pending, total = evaluation.pending(), len(evaluation.jobs())
    console.print(f"{total} (task, method, sequence) runs: {len(pending)} "
                  f"{'unfinished (--report-only: not run)' if args.report_only else 'to do'}, "
                  f"{total - len(pending)} already finished in {out}")
    if args.report_only:
        evaluation.store.check_settings(evaluation.settings(), record=False)
        report = RunReport(skipped=total - len(pending))
    else:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        lines = None if console.is_terminal else job_lines(console, pending)
        with Progress(*columns, console=console, transient=True) as progress:
            steps_bar = progress.add_task("steps", total=sum(j.steps for j in pending))
            sequences_bar = progress.add_task("sequences", total=len(pending))

            def on_job(job: Any, ok: bool) -> None:
                progress.advance(sequences_bar)
                if lines:
                    lines(job, ok)

            report = evaluation.run(on_step=lambda record: progress.advance(steps_bar), on_job=on_job)
    judge_lm = None
    if args.judge_backbone:
        from llm_as_rnn.backbones.registry import load_backbone

        judge_lm = load_backbone(args.judge_backbone, api_base=args.api_base, cache=not args.no_cache)
    summaries = summarize(evaluation, judge_lm=judge_lm)
    settings = evaluation.settings()
    paths = write_results(out, summaries, settings, provenance(args.argv, _backbones(evaluation, roles),
                                                                evaluation.written_by()))
    plots = write_plots(out / "plots", summaries)
    traces = {s.name: _traces(evaluation, s.name, args.trace_sequences) for s in summaries}
    markdown = paths["markdown"].read_text(encoding="utf-8")
    report_path = write_html_report(out / "report.html", summaries, markdown, plots, traces)
    console.print(Markdown(markdown))
    console.print(f"{report.completed} sequences run in {report.seconds:.0f} s, {report.skipped} reused, "
                  f"{len(report.failed)} failed" + (f" (see {out / 'errors.jsonl'}; rerun to retry)"
                                                    if report.failed else ""))
    console.print(f"results: {paths['markdown']}, {paths['json']}, {paths['csv']}\nreport: {report_path}")
    if args.report_only:
        return 0
    (out / "command.json").write_text(redact(json.dumps({"argv": vars(args) | {"handler": None}}, default=str,
                                                        indent=1)), encoding="utf-8")
    return 1 if report.failed else 0


def job_lines(console: Any, pending: list[Any]) -> Callable[[Any, bool], None]:
    """One line per finished sequence, with the time left at the pace so far: what a run in the background (its
    output a log file, where the live progress bars do not draw) tells whoever reads the log hours later."""
    total_steps, started, lock = sum(j.steps for j in pending), time.perf_counter(), threading.Lock()
    done = {"sequences": 0, "steps": 0}

    def line(job: Any, ok: bool) -> None:
        with lock:
            done["sequences"] += 1
            done["steps"] += job.steps
            elapsed = time.perf_counter() - started
            left = elapsed / done["steps"] * (total_steps - done["steps"])
            console.print(f"[{done['sequences']}/{len(pending)}] {job.task} / {job.method} / {job.sequence.id}: "
                          f"{'finished' if ok else 'failed'}; {elapsed / 60:.0f} min so far, about "
                          f"{left / 60:.0f} min left", highlight=False, soft_wrap=True)

    return line


def check_methods(methods: list[str], tasks: dict[str, Any], args: argparse.Namespace) -> None:
    """Every method spec builds for every task (names, options, sections), before any backbone is loaded."""
    from llm_as_rnn.programs.registry import build_method

    if not methods:
        raise UsageError("--methods names no method")
    for task in tasks.values():
        for spec in methods:
            build_method(spec, task, budget=args.budget, context_budget=args.context_budget)


def _backbones(evaluation: Any, roles: Any) -> dict[str, str]:
    """Every backbone a result came from, the roles' and each method's own (`backbone=`), for the provenance."""
    described = dict(roles.describe())
    for (_, method), program in evaluation.programs.items():
        described.update({f"{method} {role}": text for role, text in program.roles.describe().items()})
    return described


def _label(path: Path) -> str:
    """A method label for a saved program folder: its name, or its parent's when it is called 'program'."""
    return path.parent.name if path.name in ("program", "best") else path.name


def _traces(evaluation: Any, task: str, count: int) -> list[dict[str, Any]]:
    methods = [m for m in evaluation.methods if m.split(":")[0] == "llm_as_rnn"][:1]
    found = []
    for method in methods:
        for sequence in evaluation.sequences[task][:count]:
            stored = evaluation.load(task, method, sequence.id)
            if stored:
                found.append(stored)
    return found
