"""From stored sequences to per-task summaries: scoreboards (LLM methods and anchors on the same sequences),
the reference anchor, and the cost of each LLM method per step."""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass, field
from typing import Any

from llm_as_rnn.anchors import anchor_names, anchor_predictions, primary_anchor
from llm_as_rnn.evaluation.semantic_judge import judged_hits
from llm_as_rnn.reports.scoreboard import Scoreboard, build_scoreboard

logger = logging.getLogger(__name__)

COST_FIELDS = ("lm_calls", "prompt_tokens", "context_tokens", "latency")


@dataclass
class TaskSummary:
    task: Any
    board: Scoreboard
    llm_methods: list[str]
    anchors: list[str]
    reference: str | None
    costs: dict[str, dict[str, float]] = field(default_factory=dict)
    curves: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.task.name


def summarize(evaluation: Any, *, judge_lm: Any = None) -> list[TaskSummary]:
    """One summary per task; a method is scored on the sequences it finished that every method finished.

    A method that finished no sequence at all is left out (and listed in `missing`) rather than emptying the table.

    With `judge_lm`, top-k targets are also scored by an LLM judge of semantic equivalence (the paper's way):
    `<target>.judge_hit@1` and `<target>.judge_hit@k` beside the deterministic category match.
    """
    summaries = []
    for name, task in evaluation.tasks.items():
        sequences = evaluation.sequences[name]
        truths = {s.id: [step.target for step in s.steps] for s in sequences}
        predictions: dict[str, dict[str, list]] = {}
        records: dict[str, list[dict[str, Any]]] = {}
        missing = {}
        for method in evaluation.methods_for(name):
            stored = [evaluation.load(name, method, s.id) for s in sequences]
            found = [r for r in stored if r is not None]
            missing[method] = len(stored) - len(found)
            if not found and sequences:
                # A method that finished nothing would empty the shared set and blank every other row.
                logger.warning("%s / %s finished no sequence; it is left out of the scores", name, method)
                continue
            predictions[method] = {r["sequence_id"]: r["predictions"] for r in found}
            records[method] = [step for r in found for step in r["records"]]
        anchors = anchor_names(task)
        for anchor in anchors:
            predictions[anchor] = {s.id: anchor_predictions(task, anchor, s) for s in sequences}
        board = build_scoreboard(task, truths, predictions)
        if judge_lm is not None:
            try:
                _add_judged_scores(board, task, truths, predictions, judge_lm)
            except Exception as exc:  # the judge is extra: its failure must not cost the report of what finished
                logger.warning("%s: LLM-judge scores left out (%s: %s); the report has the other scores",
                               name, type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")
        summary = TaskSummary(task, board, evaluation.methods_for(name), anchors, primary_anchor(task),
                              missing=missing)
        for method, steps in records.items():
            if steps:
                summary.costs[method] = {f: statistics.fmean(s[f] for s in steps) for f in COST_FIELDS}
                summary.costs[method]["failures"] = sum(len(s["failures"]) for s in steps)
                summary.curves[method] = _per_step(steps)
        summaries.append(summary)
    return summaries


def _add_judged_scores(board: Scoreboard, task: Any, truths: dict, predictions: dict, lm: Any) -> None:
    for target in (t for t in task.targets if t.kind == "topk"):
        for method in board.methods:
            for sid in board.sequence_ids:
                for score, values in judged_hits(target, predictions[method][sid], truths[sid], lm).items():
                    board.scores[method].setdefault(f"{target.name}.{score}", []).append(values)


def _per_step(steps: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Mean prompt, context and memory tokens at each step index t (cost against t)."""
    by_t: dict[int, list[dict[str, Any]]] = {}
    for step in steps:
        by_t.setdefault(step["t"], []).append(step)
    return {key: [statistics.fmean(s[key] for s in by_t[t]) for t in sorted(by_t)]
            for key in ("prompt_tokens", "context_tokens", "memory_tokens", "lm_calls")}
