"""A method scored on fewer steps than its peers (a failed answer to a regression target cannot be scored) says so
in every table. Bug: against a served backbone without a schema, the table scored LLM-as-RNN on 2 of 4 steps beside
peers scored on 4, and nothing said so."""

from __future__ import annotations

from rich.console import Console

from llm_as_rnn.reports.scoreboard import build_scoreboard
from llm_as_rnn.reports.tables import overall_table
from tests.toy_task import ToyTask


def test_a_partly_scored_method_is_flagged():
    task = ToyTask()
    sequence = task.sequences(limit=1, steps=4)[0]
    truths = {sequence.id: [dict(s.target) for s in sequence.steps]}
    full = [{"value": s.target["value"] + 1, "direction": "up"} for s in sequence.steps]
    predictions = {"complete": {sequence.id: full}, "failing": {sequence.id: [full[0], None, full[2], None]}}
    board = build_scoreboard(task, truths, predictions)
    assert board.coverage("failing", "value.abs_error") == (2, 4)
    assert board.partly_scored("failing", "value.abs_error") == " (2/4 steps)"
    assert board.partly_scored("complete", "value.abs_error") == ""
    console = Console(width=200, record=True)
    console.print(overall_table(board, ["value.abs_error"]))
    assert "(2/4 steps)" in console.export_text()
