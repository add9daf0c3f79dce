"""`llm-rnn run`: LLM-as-RNN on held-out sequences of a real dataset, scored beside classical anchors."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

from llm_as_rnn.cli.common import (
    add_backbone_arguments,
    add_program_arguments,
    add_task_arguments,
    build_program,
    build_roles,
    build_task,
    check_output_folder,
    no_sequences_error,
    run_directory,
    warn_small_sample,
)
from llm_as_rnn.cli.common import (
    console as make_console,
)

DESCRIPTION = """Run LLM-as-RNN on held-out sequences: per step predict from the memory, get feedback, rewrite the
memory under the token budget. Prints LLM-as-RNN against persistence (per sequence and overall, with 95% bootstrap
CIs over sequences) and writes a JSONL trace and a Markdown page of the memory evolving."""


def add_parser(verbs: argparse._SubParsersAction) -> None:
    from llm_as_rnn.tasks.registry import TASKS

    parser = verbs.add_parser("run", help="run LLM-as-RNN on a real dataset", description=DESCRIPTION)
    add_task_arguments(parser, tasks=sorted(TASKS))
    add_backbone_arguments(parser)
    add_program_arguments(parser)
    parser.add_argument("--out", default="runs", help="directory for run folders (default: runs/)")
    parser.set_defaults(handler=execute)


def execute(args: argparse.Namespace) -> int:
    import dspy

    from llm_as_rnn.anchors import anchor_names, anchor_predictions, primary_anchor
    from llm_as_rnn.reports.memory_page import write_memory_page
    from llm_as_rnn.reports.results import table_metrics
    from llm_as_rnn.reports.scoreboard import build_scoreboard
    from llm_as_rnn.reports.tables import overall_rows, overall_table, per_sequence_table
    from llm_as_rnn.reports.trace import TraceWriter, read_trace

    console = make_console()
    check_output_folder(args.out)
    task = build_task(args, args.task)
    build_program(args, task, roles=None)  # bad program options fail here, before a backbone is loaded
    sequences = task.sequences(args.split, limit=args.episodes, steps=args.steps)
    if not sequences:
        raise no_sequences_error(task, args.split, args.steps)
    warn_small_sample(len(sequences))
    roles = build_roles(args)
    dspy.configure(lm=roles.predictor)
    program = build_program(args, task, roles)
    out = run_directory(args.out, task.name, args.split)
    config = {"command": "run", **program.config(), "backbones": roles.describe(), "split": args.split,
              "episodes": len(sequences), "steps": args.steps}
    (out / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")

    started = time.perf_counter()
    runs = _run_with_progress(console, program, sequences, TraceWriter(out / "trace.jsonl"))
    wall = time.perf_counter() - started

    truths = {s.id: [step.target for step in s.steps] for s in sequences}
    predictions = {"llm_as_rnn": {r.sequence_id: r.predictions for r in runs}}
    for name in anchor_names(task):
        predictions[name] = {s.id: anchor_predictions(task, name, s) for s in sequences}
    board = build_scoreboard(task, truths, predictions)
    metrics = board.metrics
    records = [record for r in runs for record in r.records]
    stats = _step_stats(records, program.budget.tokens, wall)
    extra = {"failures": [sum(len(x.failures) for x in r.records) for r in runs],
             "max mem\ntokens": [max(x.memory_tokens for x in r.records) for r in runs]}
    reference = primary_anchor(task)
    shown = table_metrics(task, board)
    console.print(per_sequence_table(board, shown[:2], ["llm_as_rnn", *([reference] if reference else [])],
                                     extra=extra, title=f"{task.name} / {args.split}: per sequence"))
    console.print(overall_table(board, shown, reference=reference,
                                title="overall: mean [95% bootstrap CI over sequences]"))
    console.print(_stats_line(stats))

    per_sequence = {m: {metric: board.per_sequence(m, metric) for metric in metrics} for m in board.methods}
    results = {"config": config, "overall": overall_rows(board, metrics, reference=reference), "stats": stats,
               "per_sequence": per_sequence, "sequence_ids": board.sequence_ids}
    (out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    write_memory_page(out / "memory.md", task, read_trace(out / "trace.jsonl"),
                      title=f"LLM-as-RNN memory trace: {task.name} / {args.split}")
    console.print(f"trace: {out / 'trace.jsonl'}\nmemory page: {out / 'memory.md'}\nresults: {out / 'results.json'}")
    return 0


def _run_with_progress(console: Any, program: Any, sequences: list, trace: Any) -> list:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from llm_as_rnn.evaluation.runner import run_sequences

    total = sum(len(s) for s in sequences)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        bar = progress.add_task("steps", total=total)
        return run_sequences(program, sequences, method="llm_as_rnn", trace=trace,
                             on_step=lambda record: progress.advance(bar))


def _step_stats(records: list, budget: int, wall: float) -> dict[str, Any]:
    return {
        "steps": len(records),
        "wall_seconds": wall,
        "seconds_per_step": wall / max(len(records), 1),
        "lm_calls_per_step": statistics.fmean(r.lm_calls for r in records),
        "prompt_tokens_per_step": statistics.fmean(r.prompt_tokens for r in records),
        "max_memory_tokens": max(r.memory_tokens for r in records),
        "budget_tokens": budget,
        "budget_respected": all(r.memory_tokens <= budget for r in records),
        "failures": sum(len(r.failures) for r in records),
        "reasks": sum(a.startswith("reask") for r in records for a in r.budget_actions),
        "cuts": sum(a.startswith("cut") for r in records for a in r.budget_actions),
    }


def _stats_line(stats: dict[str, Any]) -> str:
    verdict = "respected at every step" if stats["budget_respected"] else "EXCEEDED"
    return (
        f"{stats['steps']} steps in {stats['wall_seconds']:.0f} s ({stats['seconds_per_step']:.1f} s/step), "
        f"{stats['lm_calls_per_step']:.1f} LM calls/step, {stats['prompt_tokens_per_step']:.0f} prompt tokens/step; "
        f"memory budget {stats['budget_tokens']} tokens {verdict} (max {stats['max_memory_tokens']}); "
        f"{stats['failures']} malformed answers, {stats['reasks']} re-asks, {stats['cuts']} cuts"
    )

