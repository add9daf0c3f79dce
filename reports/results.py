"""Evaluation results as JSON, CSV and a Markdown table (the tables of results/README.md are generated from it)."""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path
from typing import Any

from llm_as_rnn.metrics.step_scores import lower_is_better
from llm_as_rnn.programs.registry import PAPER_BASELINES, control_of
from llm_as_rnn.reports.formatting import format_interval, format_number
from llm_as_rnn.reports.provenance import provenance_lines
from llm_as_rnn.utils.redact import redact

METRIC_NAMES = {"abs_error": "MAE", "sq_error": "MSE", "correct": "acc", "align": "Align", "self_correction":
                "self-corr"}


def table_metrics(task: Any, board: Any) -> list[str]:
    """The metrics a task's tables show (all of them go to JSON and CSV); the first is the headline."""
    chosen = [m for m in task.table_metrics if m in board.metrics]
    return chosen or [m for m in board.metrics if not m.endswith("sq_error")]


def metric_label(metric: str) -> str:
    target, _, score = metric.rpartition(".")
    score_label = METRIC_NAMES.get(score, score.replace("judge_hit@", "judged Acc@").replace("hit@", "Acc@"))
    return f"{target} {score_label}".strip() if target else score_label


def summary_rows(summaries: list[Any]) -> list[dict[str, Any]]:
    """Long format: one row per (task, method, metric) overall, and one per method-vs-method paired difference."""
    rows = []
    for summary in summaries:
        board = summary.board
        for metric in board.metrics:
            for method in board.methods:
                rows.append({"task": summary.name, "kind": "overall", "method": method, "versus": "",
                             "metric": metric, **board.overall(method, metric).as_dict(),
                             "sequences": len(board.sequence_ids)})
            for method, other in itertools.permutations(board.methods, 2):
                rows.append({"task": summary.name, "kind": "difference", "method": method, "versus": other,
                             "metric": metric, **board.difference(method, other, metric).as_dict(),
                             "sequences": len(board.sequence_ids)})
    return rows


def write_results(out: str | Path, summaries: list[Any], settings: dict[str, Any],
                  provenance: dict[str, Any] | None = None) -> dict[str, Path]:
    out = Path(out)
    rows = summary_rows(summaries)
    paths = {"json": out / "results.json", "csv": out / "results.csv", "markdown": out / "results.md"}
    payload = {
        "provenance": provenance or {},
        "settings": settings,
        "tasks": {s.name: {"sequences": s.board.sequence_ids, "reference": s.reference, "costs": s.costs,
                           "cost_by_step": s.curves, "missing": s.missing,
                           "learning_curves": {m: {metric: s.board.learning_curve(m, metric)
                                                   for metric in s.board.metrics} for m in s.board.methods}}
                  for s in summaries},
        "rows": rows,
    }
    paths["json"].write_text(redact(json.dumps(payload, indent=1, default=str)), encoding="utf-8")
    with paths["csv"].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["task", "kind", "method", "versus", "metric", "estimate", "low",
                                                    "high", "level", "n", "sequences"])
        writer.writeheader()
        writer.writerows(rows)
    head = "\n".join(provenance_lines(provenance)) + "\n" if provenance else ""
    paths["markdown"].write_text(redact(head + markdown_tables(summaries, settings)), encoding="utf-8")
    return paths


def best_baseline(summary: Any, metric: str) -> str | None:
    """The paper baseline (zero-shot, FHC, MemPrompt) that scores best on `metric` over the scored sequences."""
    scored = [m for m in PAPER_BASELINES if m in summary.board.methods]
    if not scored:
        return None
    sign = 1 if lower_is_better(metric) else -1
    return min(scored, key=lambda m: sign * summary.board.overall(m, metric).estimate)


def paired_differences(summary: Any, metrics: list[str]) -> list[str]:
    """Each memory method against zero-shot and against the best paper baseline, on the first two accuracy/error
    metrics: paired over the same steps of the same sequences (the comparison the paper's claim is about)."""
    board = summary.board
    methods = [m for m in board.methods if m in summary.llm_methods and m not in PAPER_BASELINES]
    shown = [m for m in metrics if not m.endswith(("sq_error", "self_correction")) and "judge" not in m][:2]
    best = {m: best_baseline(summary, m) for m in shown}  # each is a bootstrap per baseline: compute once
    columns = [(m, r) for m in shown for r in dict.fromkeys(["zero_shot", best[m]]) if r in board.methods]
    controls = {m: control_of(m, board.methods) for m in methods}
    with_controls = any(controls.values())
    if not methods or not columns:
        return []
    header = ["method", *[f"Δ {metric_label(m)} vs {r}" + (" (best)" if r == best[m] else "") for m, r in columns]]
    if with_controls:
        header += [f"Δ {metric_label(m)} vs its shuffled control" for m in shown]
    lines = ["", "Paired differences to zero-shot, to the best paper baseline (best: zero-shot, FHC or MemPrompt "
             "on that metric) and, where it ran, to the method's shuffled-truth control (the same program fed an "
             "earlier step's truth), method − rival on the same steps:", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for method in methods:
        cells = [f"`{method}`"] + [format_interval(board.difference(method, r, m)) for m, r in columns]
        if with_controls:
            control = controls[method]
            cells += [format_interval(board.difference(method, control, m)) if control else "" for m in shown]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def markdown_tables(summaries: list[Any], settings: dict[str, Any]) -> str:
    """Per task: every method and anchor, main metrics with 95% CIs, the paired difference to the reference
    anchor, and per-step costs of the LLM methods."""
    backbones = settings.get("backbones", {})
    lines = [
        f"Split `{settings.get('split')}`, {settings.get('episodes')} sequences x {settings.get('steps')} steps per "
        f"task; backbone `{backbones.get('predictor')}` (critic `{backbones.get('critic')}`, updater "
        f"`{backbones.get('updater')}`)"
        + ("; a method whose spec names `backbone=` runs on that backbone in every role instead"
           if any("backbone=" in m for m in settings.get("methods", [])) else "")
        + f"; memory budget {settings.get('budget')} tokens, context budget "
        f"{settings.get('context_budget')} tokens"
        + (" (a `saved:` method keeps the budget and configuration it was saved with)"
           if settings.get("saved_programs") else "")
        + ". Means with 95% bootstrap CIs over sequences, N = the sequences "
        "each interval resamples (N! below 5: too few for a CI to mean much); Δ is the paired difference to the "
        "task's reference anchor on the same steps.",
        "",
    ]
    for summary in summaries:
        board, reference = summary.board, summary.reference
        metrics = table_metrics(summary.task, board)
        lines += [f"### {summary.name} ({len(board.sequence_ids)} sequences)", ""]
        incomplete = {m: n for m, n in summary.missing.items() if n}
        if not metrics:
            lines += ["No sequence was finished by every method, so nothing is scored"
                      + (f"; unfinished sequences: {incomplete}." if incomplete else "."), ""]
            continue
        headline = metrics[0]
        header = ["method", *[metric_label(m) for m in metrics]]
        if reference:
            header.append(f"Δ {metric_label(headline)} vs {reference}")
        header += ["LM calls/step", "prompt tok/step", "context tok/step", "s/step", "failures"]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for method in board.methods:
            cells = [f"`{method}`" if method in summary.llm_methods else f"{method} (anchor)"]
            cells += [format_interval(board.overall(method, m)) + board.partly_scored(method, m) for m in metrics]
            if reference:
                difference = board.difference(method, reference, headline)
                cells.append("" if method == reference else format_interval(difference))
            cost = summary.costs.get(method)
            if cost:
                cells += [format_number(cost["lm_calls"], 2), format_number(cost["prompt_tokens"], 0),
                          format_number(cost["context_tokens"], 0), format_number(cost["latency"], 2),
                          str(int(cost["failures"]))]
            else:
                cells += ["0", "0", "0", "—", "—"]
            lines.append("| " + " | ".join(cells) + " |")
        lines += paired_differences(summary, metrics)
        partial, unscored = split_unfinished(incomplete, board.methods)
        if unscored:
            lines += ["", f"Not scored (finished no sequence): {unscored}."]
        if partial:
            lines += ["", "Unfinished sequences (the rest are scored on the sequences every method finished): "
                      f"{partial}."]
        lines.append("")
    return "\n".join(lines)


def split_unfinished(missing: dict[str, int], scored: Any) -> tuple[dict[str, int], list[str]]:
    """Methods with unfinished sequences: those partly finished (scored on the shared set; how many they lack) and
    those that finished none (left out of the table). One rule for results.md and the results pages."""
    unfinished = {m: n for m, n in missing.items() if n}
    return ({m: n for m, n in unfinished.items() if m in scored}, [m for m in unfinished if m not in scored])
