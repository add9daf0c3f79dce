"""`llm-rnn run`: argument errors, user errors without tracebacks, and a full run on real data (scripted LM)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.cli.main import main
from llm_as_rnn.reports.trace import read_trace
from tests.scripted import scripted_lm, weather_responder


def test_bad_arguments_give_argparse_errors(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--episodes", "0"])
    assert exit_info.value.code == 2
    assert "0 must be at least 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["run", "--task", "stocks"])
    assert "invalid choice: 'stocks'" in capsys.readouterr().err


def test_bad_backbone_is_one_line_without_traceback():
    result = subprocess.run([sys.executable, "-m", "llm_as_rnn.cli.main", "run", "--backbone", "gpt4",
                             "--episodes", "1"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "llm-rnn run: error: Backbone 'gpt4' is not a model string" in result.stderr
    assert "openai/gpt-4o-mini" in result.stderr
    assert "Traceback" not in result.stderr


def test_impossible_budget_is_a_user_error(monkeypatch, tmp_path, capsys):
    lm, _ = scripted_lm(weather_responder)
    monkeypatch.setattr(Roles, "from_strings", classmethod(lambda cls, *a, **k: Roles(lm, lm, lm)))
    code = main(["run", "--budget", "3", "--episodes", "1", "--steps", "2", "--out", str(tmp_path)])
    assert code == 2
    assert "cannot hold the 3 empty sections" in capsys.readouterr().err


def test_run_prints_scores_and_writes_trace_page_and_results(monkeypatch, tmp_path, capsys):
    lm, engine = scripted_lm(weather_responder)
    monkeypatch.setattr(Roles, "from_strings", classmethod(lambda cls, *a, **k: Roles(lm, lm, lm)))
    code = main(["run", "--episodes", "2", "--steps", "3", "--split", "dev", "--out", str(tmp_path)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "llm_as_rnn" in printed and "persistence" in printed and "respected at every step" in printed
    (run_dir,) = tmp_path.iterdir()
    rows = list(read_trace(run_dir / "trace.jsonl"))
    assert len(rows) == 6 and {r["method"] for r in rows} == {"llm_as_rnn"}
    assert set(rows[0]) >= {"sequence_id", "t", "input", "prediction", "truth", "feedback", "memory",
                            "memory_tokens", "prompt_tokens", "lm_calls", "latency", "failures"}
    assert all(r["memory_tokens"] <= 160 for r in rows)
    results = json.loads((run_dir / "results.json").read_text())
    assert results["stats"]["budget_respected"] is True and results["stats"]["lm_calls_per_step"] == 3
    by_method = {(r["metric"], r["method"]): r for r in results["overall"]}
    # The scripted model predicts today's temp_max + 0.5, so its error is persistence's, shifted by 0.5 at most.
    rnn = by_method[("temp_max.abs_error", "llm_as_rnn")]["estimate"]
    persistence = by_method[("temp_max.abs_error", "persistence")]["estimate"]
    assert abs(rnn - persistence) <= 0.5
    page = (run_dir / "memory.md").read_text()
    assert "Initial memory h_0" in page and "### step 2" in page
    assert len(engine.calls) == 18


def test_run_passes_mask_values_and_show_running_and_records_them(monkeypatch, tmp_path):
    lm, engine = scripted_lm(weather_responder)
    monkeypatch.setattr(Roles, "from_strings", classmethod(lambda cls, *a, **k: Roles(lm, lm, lm)))
    assert main(["run", "--episodes", "1", "--steps", "2", "--split", "dev", "--feedback", "measured",
                 "--mask-values", "--show-running", "--out", str(tmp_path)]) == 0
    (run_dir,) = tmp_path.iterdir()
    results = json.loads((run_dir / "results.json").read_text())
    assert results["config"]["mask_values"] is True and results["config"]["feedback"] == "measured"
    assert results["config"]["show_running"] is True
    assert "Measured so far" in engine.calls_for("predict")[-1].system


def test_run_adjust_asks_for_the_adjustment_first_and_shows_it_on_the_memory_page(monkeypatch, tmp_path):
    lm, engine = scripted_lm(weather_responder)
    monkeypatch.setattr(Roles, "from_strings", classmethod(lambda cls, *a, **k: Roles(lm, lm, lm)))
    assert main(["run", "--episodes", "1", "--steps", "2", "--split", "dev", "--feedback", "measured",
                 "--adjust", "--out", str(tmp_path)]) == 0
    (run_dir,) = tmp_path.iterdir()
    assert json.loads((run_dir / "results.json").read_text())["config"]["adjust"] is True
    assert all(c.fields[:2] == ["temp_max_adjustment", "temp_max"] for c in engine.calls_for("predict"))
    rows = [json.loads(line) for line in (run_dir / "trace.jsonl").read_text().splitlines()]
    assert [r["adjustments"] for r in rows] == [{"temp_max_adjustment": 0.5}] * 2
    assert rows[0]["prediction"] == {"temp_max": rows[0]["prediction"]["temp_max"], "rain": "no"}
    assert "adjustment written before the forecast: temp_max_adjustment +0.5" in (run_dir / "memory.md").read_text()
