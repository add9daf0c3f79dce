"""Result files when nothing could be scored: the report says so instead of crashing."""

from __future__ import annotations

from llm_as_rnn.evaluation.summary import TaskSummary
from llm_as_rnn.reports.results import markdown_tables, write_results
from llm_as_rnn.reports.scoreboard import Scoreboard
from llm_as_rnn.tasks import get_task


def test_a_task_with_no_shared_sequence_is_reported_not_crashed(tmp_path):
    task = get_task("weather")
    empty = TaskSummary(task, Scoreboard(sequence_ids=[], methods=["zero_shot", "persistence"]),
                        llm_methods=["zero_shot"], anchors=["persistence"], reference="persistence",
                        missing={"zero_shot": 2})
    markdown = markdown_tables([empty], {"split": "test"})
    assert "### weather (0 sequences)" in markdown
    assert "nothing is scored; unfinished sequences: {'zero_shot': 2}" in markdown
    paths = write_results(tmp_path, [empty], {"split": "test"})
    assert all(path.is_file() for path in paths.values())
