"""Pool cross-fitted folds into one table: every sequence scored once, by the fold whose task never saw it.

    python -m llm_as_rnn.reports.crossfit results/clinical-crossfit            # folds in fold-0, fold-1, ...

Each `fold-*` folder is an ordinary `llm-rnn evaluate` run of one fold (`--clinical-folds K --clinical-fold k`;
the label set and every prior come from the other folds). No LM call: the stored sequences of each fold are scored
beside that fold's anchors, the scoreboards are joined (sequence ids are disjoint across folds), and
`results.json/.csv/.md` for the pooled table are written into the parent folder. A sequence counts only where
every method of its fold finished it.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.evaluation.evaluate import Evaluation
from llm_as_rnn.evaluation.summary import TaskSummary, summarize
from llm_as_rnn.reports.provenance import provenance
from llm_as_rnn.reports.results import write_results
from llm_as_rnn.reports.scoreboard import Scoreboard
from llm_as_rnn.tasks.registry import get_task

logger = logging.getLogger(__name__)


def fold_summaries(folder: Path) -> tuple[list[TaskSummary], dict[str, Any], dict[str, int]]:
    """The summary of one fold's evaluation folder (no backbone is loaded), its settings, and how many of the
    results it scores each commit wrote."""
    settings = json.loads((folder / "evaluation.json").read_text(encoding="utf-8"))
    options = settings.get("task_options") or {}
    tasks = {name: get_task(name, **options.get(name, {})) for name in settings["tasks"]}
    evaluation = Evaluation(tasks=tasks, methods=list(settings["methods"]), split=settings["split"],
                            episodes=settings["episodes"], steps=settings["steps"], roles=Roles(), out=folder,
                            budget=settings["budget"], context_budget=settings["context_budget"],
                            seed=settings["seed"], task_options=options)
    return summarize(evaluation), settings, evaluation.written_by()


def pool(folds: dict[str, TaskSummary]) -> TaskSummary:
    """One summary over the folds' sequences (the same methods, anchors and metrics in each), folds by name.

    A fold where some method finished no sequence yet (a fold still running) adds no sequence: within a fold a
    sequence counts only where every method finished it. It must not drop that method from every fold's rows.
    """
    wanted = list(dict.fromkeys(m for s in folds.values() for m in s.board.methods))
    lacking = {name: [m for m in wanted if m not in s.board.methods] for name, s in folds.items()}
    for name, methods in lacking.items():
        if methods:
            logger.warning("%s: %s finished no sequence there yet; the fold adds none of its %d sequences",
                           name, ", ".join(methods), len(folds[name].board.sequence_ids))
    missing = {m: sum(s.missing.get(m, 0) for s in folds.values()) for m in next(iter(folds.values())).missing}
    # No fold has every method: pool what every fold has.
    summaries = [s for name, s in folds.items() if not lacking[name]] or list(folds.values())
    first = summaries[0]
    methods = [m for m in first.board.methods if all(m in s.board.methods for s in summaries)]
    board = Scoreboard(sequence_ids=[sid for s in summaries for sid in s.board.sequence_ids], methods=methods)
    for method in methods:
        board.scores[method] = {metric: [steps for s in summaries for steps in s.board.scores[method][metric]]
                                for metric in first.board.scores[method]}
    pooled = TaskSummary(first.task, board, [m for m in first.llm_methods if m in methods], first.anchors,
                         first.reference, missing=missing)
    for method in first.costs:
        weights = [(s.costs[method], len(s.board.sequence_ids)) for s in summaries if method in s.costs]
        pooled.costs[method] = {field: sum(c[field] * w for c, w in weights) / sum(w for _, w in weights)
                                for field in weights[0][0]}
    return pooled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m llm_as_rnn.reports.crossfit", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="holds fold-0, fold-1, ... (one evaluation folder per fold)")
    args = parser.parse_args(argv)
    folds = sorted(p for p in args.folder.glob("fold-*") if (p / "evaluation.json").is_file())
    if not folds:
        print(f"{args.folder}: no fold-* evaluation folders", file=sys.stderr)
        return 2
    per_fold = [fold_summaries(fold) for fold in folds]
    tasks = {summary.name for summaries, _, _ in per_fold for summary in summaries}
    pooled = [pool({fold.name: s for fold, (summaries, _, _) in zip(folds, per_fold, strict=True)
                    for s in summaries if s.name == name})
              for name in sorted(tasks)]
    settings = {**per_fold[0][1], "folds": [str(f.relative_to(args.folder)) for f in folds],
                "task_options": {f.name: s.get("task_options") for f, (_, s, _) in zip(folds, per_fold, strict=True)}}
    written = sum((Counter(by_commit) for _, _, by_commit in per_fold), Counter())
    command = ["-m", "llm_as_rnn.reports.crossfit", str(args.folder)]
    record = provenance(command, dict(settings.get("backbones") or {}), dict(written.most_common()))
    record["command"] = f"python -m llm_as_rnn.reports.crossfit {args.folder}"
    paths = write_results(args.folder, pooled, settings, record)
    counts = ", ".join(f"{s.name} {len(s.board.sequence_ids)}" for s in pooled)
    print(f"pooled {len(folds)} folds, sequences scored: {counts}: {paths['markdown']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
