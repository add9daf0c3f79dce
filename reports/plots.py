"""PNG plots of an evaluation: learning curves, context tokens per step, and the headline metric against cost."""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

from llm_as_rnn.metrics.step_scores import lower_is_better
from llm_as_rnn.reports.results import metric_label, table_metrics

logger = logging.getLogger(__name__)


def write_plots(out: str | Path, summaries: list[Any]) -> list[Path]:
    """One PNG of three panels per task; nothing (and a log line) when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        logger.warning("matplotlib is not installed (pip install 'llm-as-rnn[plots]'): no plots written")
        return []
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for summary in summaries:
        board = summary.board
        metrics = table_metrics(summary.task, board)
        if not metrics:
            continue
        headline = metrics[0]
        figure, (curves, tokens, tradeoff) = plt.subplots(1, 3, figsize=(17, 4.8))
        for method in board.methods:
            points = [(t, v) for t, v, _ in board.learning_curve(method, headline) if not math.isnan(v)]
            if points:
                style = "-o" if method in summary.llm_methods else "--"
                curves.plot(*zip(*points, strict=True), style, label=method, markersize=3)
        curves.set(title=f"{summary.name}: {metric_label(headline)} by step", xlabel="step t",
                   ylabel=metric_label(headline))
        curves.legend(fontsize=7)
        for method, curve in summary.curves.items():
            tokens.plot(range(len(curve["context_tokens"])), curve["context_tokens"], "-o", label=method, markersize=3)
        tokens.set(title="context tokens shown to the predictor", xlabel="step t", ylabel="tokens")
        tokens.legend(fontsize=7)
        for method, cost in summary.costs.items():
            value = board.overall(method, headline).estimate
            tradeoff.scatter(cost["prompt_tokens"], value)
            tradeoff.annotate(method, (cost["prompt_tokens"], value), fontsize=7)
        if summary.reference:
            tradeoff.axhline(board.overall(summary.reference, headline).estimate, linestyle=":", color="grey",
                             label=summary.reference)
            tradeoff.legend(fontsize=7)
        better = "lower is better" if lower_is_better(headline) else "higher is better"
        tradeoff.set(title=f"{metric_label(headline)} ({better}) vs prompt tokens per step",
                     xlabel="prompt tokens per step", ylabel=metric_label(headline))
        for axis in (curves, tokens):
            axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        figure.tight_layout()
        path = out / f"{summary.name}.png"
        figure.savefig(path, dpi=110)
        plt.close(figure)
        paths.append(path)
    return paths
