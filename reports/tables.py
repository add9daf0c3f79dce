"""Scoreboards as tables: per sequence and overall (with 95% CIs and paired differences to a reference)."""

from __future__ import annotations

import math
from typing import Any

from rich.table import Table

from reports.scoreboard import Scoreboard


def _fmt(value: float, digits: int = 3) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _fmt_interval(interval: Any) -> str:
    if math.isnan(interval.low):
        return _fmt(interval.estimate)
    return f"{_fmt(interval.estimate)} [{_fmt(interval.low)}, {_fmt(interval.high)}]"


def per_sequence_table(board: Scoreboard, metrics: list[str], *, extra: dict[str, list[Any]] | None = None,
                       title: str = "") -> Table:
    """One row per sequence, one column per (metric, method); `extra` adds columns (e.g. failures)."""
    table = Table(title=title)
    table.add_column("sequence")
    for metric in metrics:
        for method in board.methods:
            table.add_column(f"{metric}\n{method}", justify="right")
    for name in extra or {}:
        table.add_column(name, justify="right")
    for i, sid in enumerate(board.sequence_ids):
        cells = [sid]
        for metric in metrics:
            cells += [_fmt(board.per_sequence(method, metric)[i]) for method in board.methods]
        cells += [str(values[i]) for values in (extra or {}).values()]
        table.add_row(*cells)
    return table


def overall_table(board: Scoreboard, metrics: list[str], *, reference: str | None = None, title: str = "") -> Table:
    """Overall mean with 95% bootstrap CI per method and metric, and the paired difference to `reference`."""
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("method")
    table.add_column("mean [95% CI]", justify="right")
    if reference:
        table.add_column(f"minus {reference} [95% CI]", justify="right")
    for metric in metrics:
        for method in board.methods:
            cells = [metric, method, _fmt_interval(board.overall(method, metric))]
            if reference:
                cells.append("" if method == reference else _fmt_interval(board.difference(method, reference, metric)))
            table.add_row(*cells)
    return table


def overall_rows(board: Scoreboard, metrics: list[str], *, reference: str | None = None) -> list[dict[str, Any]]:
    """The overall table as JSON-ready rows."""
    rows = []
    for metric in metrics:
        for method in board.methods:
            row = {"metric": metric, "method": method, **board.overall(method, metric).as_dict()}
            if reference and method != reference:
                row["difference_to_" + reference] = board.difference(method, reference, metric).as_dict()
            rows.append(row)
    return rows
