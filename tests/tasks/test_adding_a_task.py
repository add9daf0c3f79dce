"""Adding a task touches `tasks/` and its registry only: a task module declares its anchors, reference anchor,
table metrics and CLI options, and every verb, table and anchor finds them there."""

from __future__ import annotations

import json

import pytest

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.cli.main import main
from llm_as_rnn.tasks import registry
from llm_as_rnn.tasks.registry import TaskEntry, TaskOption
from tests.scripted import scripted_lm
from tests.toy_task import toy_responder


@pytest.fixture
def toy_registered(monkeypatch):
    lm, engine = scripted_lm(toy_responder)
    monkeypatch.setattr(Roles, "from_strings", classmethod(lambda cls, *a, **k: Roles(lm, lm, lm)))
    entry = TaskEntry("tests.toy_task:ToyTask", "a counter", ())
    monkeypatch.setitem(registry.TASKS, "toy", entry)
    return engine


def test_a_registered_task_is_evaluated_beside_its_own_anchors(toy_registered, tmp_path, capsys):
    out = tmp_path / "eval"
    assert main(["evaluate", "--tasks", "toy", "--methods", "zero_shot,llm_as_rnn:measured", "--episodes", "2",
                 "--steps", "3", "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["tasks"]["toy"]["reference"] == "previous_target"
    markdown = (out / "results.md").read_text()
    assert "previous_target (anchor)" in markdown and "Δ value MAE vs previous_target" in markdown
    assert "direction acc" in markdown  # the task's table metrics
    assert main(["run", "--task", "toy", "--episodes", "2", "--steps", "2", "--feedback", "measured",
                 "--out", str(tmp_path / "runs")]) == 0


def test_task_options_are_declared_once_and_checked_before_any_work(tmp_path):
    option = TaskOption("--toy-file", "path", path="file", stored="required", help="a file")
    entry = TaskEntry("tests.toy_task:ToyTask", "a counter", (option,))
    with pytest.raises(registry.TaskOptionError, match="needs --toy-file"):
        entry.options_from({})
    with pytest.raises(registry.TaskOptionError, match="is a directory"):
        entry.options_from({"toy_file": str(tmp_path)})
    with pytest.raises(registry.TaskOptionError, match="no such file"):
        entry.options_from({"toy_file": str(tmp_path / "missing.json")})
    (tmp_path / "spec.json").write_text("{}")
    assert entry.options_from({"toy_file": str(tmp_path / "spec.json")}) == {"path": str(tmp_path / "spec.json")}
