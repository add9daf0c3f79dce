"""An Optuna study as a report: every trial in a table (pruned ones too, with paired differences to a start
program), and the study's plots (optimization history, parameter importances, the Pareto front)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from llm_as_rnn.metrics.bootstrap import paired_bootstrap_difference

logger = logging.getLogger(__name__)


def trial_rows(study) -> list[dict[str, Any]]:
    """Every trial of the study, finished or not, in order: what a report quotes (the best alone hides how many
    configurations tied it, and which were pruned after how many dev sequences). With a start program, each trial
    also gets its paired difference to it on the dev sequences both scored: whether a winner's margin is more than
    the noise of a few dev sequences."""
    trials = study.get_trials(deepcopy=False)
    start = next((t for t in trials if t.user_attrs.get("start_program") and t.user_attrs.get("dev_rewards")), None)
    rows = []
    for trial in trials:
        partial = trial.intermediate_values
        rewards = trial.user_attrs.get("dev_rewards")
        rows.append({"trial": trial.number, "state": trial.state.name.lower(),
                     "values": list(trial.values) if trial.values else None,
                     "dev_sequences": len(partial) if partial else (len(rewards) if rewards else None),
                     "last_reported": partial[max(partial)] if partial else None,
                     "start_program": bool(trial.user_attrs.get("start_program")),
                     "prompt_tokens_per_step": trial.user_attrs.get("prompt_tokens_per_step"),
                     "dev_rewards": rewards,
                     "vs_start": (versus_start(rewards, start.user_attrs["dev_rewards"])
                                  if start is not None and trial is not start and rewards else None),
                     "params": dict(trial.params)})
    return rows


def versus_start(rewards: list[float], start_rewards: list[float]) -> dict[str, float] | None:
    """Paired bootstrap of mean dev reward minus the start program's, over the dev sequences both scored (a pruned
    trial: its first ones). None when they share fewer than two."""
    shared = min(len(rewards), len(start_rewards))
    if shared < 2:
        return None
    interval = paired_bootstrap_difference([[r] for r in rewards[:shared]], [[r] for r in start_rewards[:shared]])
    return interval.as_dict()


def trials_markdown(rows: list[dict[str, Any]]) -> str:
    """`trial_rows` as a Markdown table, parameters in the order the search suggests them."""
    names = list(dict.fromkeys(name for row in rows for name in row["params"]))

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:.4f}"
        if isinstance(value, list):
            return " / ".join(cell(v) for v in value)
        return str(value)

    compared = any(row.get("vs_start") for row in rows)
    header = ["trial", "state", "dev value(s)", "dev sequences", *(["Δ vs start [95% CI]"] if compared else []),
              "prompt tok/step", *names]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for row in rows:
        value = row["values"] if row["values"] is not None else row["last_reported"]
        label = f"{row['trial']} (start)" if row["start_program"] else str(row["trial"])
        versus = row.get("vs_start")
        cells = [label, row["state"], cell(value), cell(row["dev_sequences"]),
                 *([f"{versus['estimate']:+.4f} [{versus['low']:+.4f}, {versus['high']:+.4f}] N={versus['n']}"
                    if versus else ""] if compared else []),
                 cell(round(row["prompt_tokens_per_step"]) if row["prompt_tokens_per_step"] else None),
                 *(cell(row["params"].get(name)) for name in names)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_study_plots(study, out: Path, *, multi_objective: bool) -> list[Path]:
    """Optimization history, parameter importances and (multi-objective) the Pareto front, as PNG."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from optuna.visualization import matplotlib as views
    except ImportError:
        logger.warning("matplotlib is not installed: no study plots")
        return []
    out.mkdir(parents=True, exist_ok=True)
    target = (lambda t: t.values[0]) if multi_objective else None
    plots = {"history": lambda: views.plot_optimization_history(study, target=target, target_name="dev reward"),
             "importances": lambda: views.plot_param_importances(study, target=target, target_name="dev reward")}
    if multi_objective:
        plots["pareto"] = lambda: views.plot_pareto_front(study, target_names=["dev reward", "prompt tokens/step"])
    written = []
    for name, draw in plots.items():
        try:
            axes = draw()
        except (ValueError, RuntimeError) as exc:  # too few finished trials for this view
            logger.info("no %s plot: %s", name, exc)
            continue
        figure = axes.figure if hasattr(axes, "figure") else plt.gcf()
        figure.tight_layout()
        figure.savefig(out / f"{name}.png", dpi=110)
        plt.close(figure)
        written.append(out / f"{name}.png")
    return written
