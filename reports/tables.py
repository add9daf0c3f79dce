"""Scoreboards as console tables that fit a terminal: one row per method (estimate over its 95% CI) and one row
per sequence for the headline metrics; and as JSON-ready rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table

from llm_as_rnn.reports.formatting import format_interval, format_number
from llm_as_rnn.reports.results import metric_label
from llm_as_rnn.reports.scoreboard import Scoreboard


def _cell(interval: Any) -> str:
    """The estimate, and its 95% CI on the line below."""
    return format_interval(interval, 2, separator="\n")


def overall_table(board: Scoreboard, metrics: Sequence[str], *, reference: str | None = None,
                  title: str = "") -> Table:
    """One row per method: each metric's mean with its 95% CI over sequences, and the paired difference of the
    first metric to `reference`."""
    table = Table(title=title, show_lines=True)
    table.add_column("method", no_wrap=True)
    for metric in metrics:
        table.add_column(metric_label(metric), justify="right")
    if reference:
        table.add_column(f"Δ {metric_label(metrics[0])}\nvs {reference}", justify="right")
    for method in board.methods:
        cells = [method, *(_cell(board.overall(method, m)) + board.partly_scored(method, m) for m in metrics)]
        if reference:
            cells.append("" if method == reference else _cell(board.difference(method, reference, metrics[0])))
        table.add_row(*cells)
    return table


def per_sequence_table(board: Scoreboard, metrics: Sequence[str], methods: Sequence[str], *,
                       extra: dict[str, list[Any]] | None = None, title: str = "") -> Table:
    """One row per sequence: `metrics` for each of `methods` (kept few, so the table fits a terminal)."""
    table = Table(title=title)
    table.add_column("sequence", no_wrap=True)
    for metric in metrics:
        for method in methods:
            table.add_column(f"{metric_label(metric)}\n{method}", justify="right")
    for name in extra or {}:
        table.add_column(name, justify="right")
    for i, sid in enumerate(board.sequence_ids):
        cells = [sid.split("-", 1)[-1] if "-" in sid else sid]
        for metric in metrics:
            cells += [format_number(board.per_sequence(method, metric)[i], 2) for method in methods]
        cells += [str(values[i]) for values in (extra or {}).values()]
        table.add_row(*cells)
    return table


def overall_rows(board: Scoreboard, metrics: Sequence[str], *, reference: str | None = None) -> list[dict[str, Any]]:
    """The overall scores as JSON-ready rows (all metrics), with paired differences to `reference`."""
    rows = []
    for metric in metrics:
        for method in board.methods:
            row = {"metric": metric, "method": method, **board.overall(method, metric).as_dict()}
            if reference and method != reference:
                row["difference_to_" + reference] = board.difference(method, reference, metric).as_dict()
            rows.append(row)
    return rows
