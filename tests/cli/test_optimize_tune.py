"""`llm-rnn optimize` and `llm-rnn tune` end to end on real weather data with a scripted LM."""

from __future__ import annotations

import json

import dspy
import pytest

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.cli.main import main
from tests.scripted import scripted_lm


def answer(call):
    if call.role == "predict":
        today = float(call.user.split("\n")[3].split()[1]) if "temp_max" in call.user else 10.0
        return {"temp_max": today if "follow today" in call.system else 40.0, "rain": "no"}
    if call.role == "feedback":
        return {"critique": "off", "lesson": "follow today"}
    sections = {f: ["follow today"] if "exact copy" in call.system else ["warmer"] for f in call.fields
                if f not in ("critique", "remove")}
    return {**sections, **({"remove": []} if "remove" in call.fields else {}),
            **({"critique": "c"} if "critique" in call.fields else {})}


def proposal(call):
    return dict.fromkeys(call.fields, "Write an exact copy rule: follow today's temp_max.")


@pytest.fixture
def scripted(monkeypatch):
    lm, engine = scripted_lm(answer, "scripted/task")
    prompt_lm, _ = scripted_lm(proposal, "scripted/prompt")
    monkeypatch.setattr(Roles, "from_strings", classmethod(lambda cls, *a, **k: Roles(lm, lm, lm)))
    monkeypatch.setattr("llm_as_rnn.backbones.registry.load_backbone", lambda *a, **k: prompt_lm)
    return engine


def test_optimize_saves_a_program_that_run_can_use(scripted, tmp_path, capsys, caplog):
    code = main(["optimize", "--optimizer", "gepa", "--prompt-backbone", "openai/x", "--train-episodes", "2",
                 "--dev-episodes", "2", "--test-episodes", "2", "--steps", "3", "--metric-calls", "8",
                 "--out", str(tmp_path), "-v"])
    assert code == 0, capsys.readouterr().err
    (run_dir,) = tmp_path.iterdir()
    results = json.loads((run_dir / "results.json").read_text())
    assert results["optimization"]["dev_after"] > results["optimization"]["dev_before"]
    assert "exact copy" in results["optimization"]["instructions"]["updater.update"]
    assert len(results["optimization"]["candidates"]) >= 2  # what GEPA tried, with dev scores
    # -v shows the optimizer's own progress (GEPA's proposals and minibatch scores)
    assert any(r.name.startswith("dspy.teleprompt") and "Iteration" in r.getMessage() for r in caplog.records)
    by = {(r["metric"], r["method"]): r for r in results["test"]}
    assert by[("temp_max.abs_error", "optimized")]["estimate"] < by[("temp_max.abs_error", "unoptimized")]["estimate"]
    config = json.loads((run_dir / "program" / "config.json").read_text())
    assert config["optimization"]["optimizer"] == "gepa" and config["versions"]["dspy"].startswith("3.4")
    assert main(["run", "--program", str(run_dir / "program"), "--episodes", "1", "--steps", "2",
                 "--out", str(tmp_path / "runs")]) == 0


def test_tune_runs_a_study_and_exports_the_best_program(scripted, tmp_path):
    out = tmp_path / "tune"
    code = main(["tune", "--trials", "3", "--optimizers", "none", "--budgets", "96,160", "--train-episodes", "1",
                 "--dev-episodes", "2", "--steps", "2", "--out", str(out)])
    assert code == 0
    summary = json.loads((out / "tune.json").read_text())
    assert summary["trials"]["complete"] + summary["trials"]["pruned"] == 3
    assert (out / "best" / "program.json").is_file()
    assert (out / "plots" / "history.png").is_file()
    rows = summary["every_trial"]  # every trial, not only the best, with its parameters and dev value
    assert [row["trial"] for row in rows] == [0, 1, 2]
    assert all(row["params"]["budget"] in (96, 160) for row in rows)
    complete = [row for row in rows if row["state"] == "complete"]
    assert complete and all(row["dev_sequences"] == 2 and row["prompt_tokens_per_step"] > 0 for row in complete)
    table = (out / "trials.md").read_text().splitlines()
    assert table[0].startswith("| trial | state | dev value(s) | dev sequences | prompt tok/step | budget |")
    assert len(table) == 2 + 3
    best = summary["best"][0]
    assert f"| {best['trial']} | complete | {best['values'][0]:.4f} | 2 |" in "\n".join(table)


def test_tune_starts_from_a_saved_program_evaluated_as_saved(scripted, tmp_path, capsys):
    first = tmp_path / "first"
    assert main(["tune", "--trials", "2", "--optimizers", "none", "--budgets", "96", "--train-episodes", "1",
                 "--dev-episodes", "2", "--steps", "2", "--out", str(first)]) == 0
    saved = json.loads((first / "best" / "config.json").read_text())["program"]
    second = tmp_path / "second"
    argv = ["tune", "--trials", "2", "--optimizers", "none", "--budgets", "160", "--train-episodes", "1",
            "--dev-episodes", "2", "--steps", "2", "--program", str(first / "best"), "--out", str(second)]
    assert main(argv) == 0
    import optuna

    study = optuna.load_study(study_name="weather-llm-as-rnn", storage=f"sqlite:///{second / 'study.db'}")
    start = study.trials[0]
    assert start.user_attrs["start_program"] == str((first / "best").resolve())
    assert start.state.name == "COMPLETE"
    assert start.params["budget"] == saved["budget"] == 96 and start.params["optimizer"] == "none"
    assert start.params["sections"].split("+") == saved["sections"]
    assert "| 0 (start) | complete |" in (second / "trials.md").read_text()  # the report names the start point
    rows = json.loads((second / "tune.json").read_text())["every_trial"]
    assert rows[0]["vs_start"] is None and len(rows[0]["dev_rewards"]) == 2
    assert rows[1]["state"] == "complete"  # each trial's paired difference to the start on the same dev sequences
    difference = sum(rows[1]["dev_rewards"]) / 2 - sum(rows[0]["dev_rewards"]) / 2
    assert rows[1]["vs_start"]["n"] == 2 and rows[1]["vs_start"]["estimate"] == pytest.approx(difference)
    assert "Δ vs start [95% CI]" in (second / "trials.md").read_text().splitlines()[0]
    assert "random search" in capsys.readouterr().out  # 2 trials: TPE's random startup, said out loud
    assert main(argv) == 0  # a rerun does not enqueue it again
    assert sum("start_program" in t.user_attrs for t in optuna.load_study(
        study_name="weather-llm-as-rnn", storage=f"sqlite:///{second / 'study.db'}").trials) == 1
    capsys.readouterr()
    assert main([*argv[:-2], "--optimizers", "gepa", "--out", str(tmp_path / "third")]) == 2
    assert "add none to --optimizers" in capsys.readouterr().err


def test_versus_start_pairs_the_dev_sequences_both_trials_scored():
    from llm_as_rnn.reports.study import versus_start

    interval = versus_start([0.5, 0.7, 0.9], [0.4, 0.4, 0.4, 0.4, 0.4, 0.4])  # pruned after 3 of 6
    assert interval["n"] == 3 and interval["estimate"] == pytest.approx(0.3)
    assert interval["low"] == pytest.approx(0.1) and interval["high"] == pytest.approx(0.5)
    assert versus_start([0.5], [0.4, 0.4]) is None  # one shared sequence: no interval to speak of


def test_bad_optimizer_settings_are_user_errors(scripted, tmp_path, capsys):
    assert main(["tune", "--optimizers", "simba", "--out", str(tmp_path / "a")]) == 2
    assert "unknown optimizer(s) ['simba']" in capsys.readouterr().err
    assert main(["tune", "--budgets", "2", "--out", str(tmp_path / "b")]) == 2
    assert "cannot hold the empty memory" in capsys.readouterr().err
    assert main(["tune", "--storage", "postgresql://u:secretpw@127.0.0.1:1/x", "--out",  # the URL the docs show
                 str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert "cannot use the study storage" in err and "secretpw" not in err and "driver" not in err
    assert main(["run", "--program", str(tmp_path), "--out", str(tmp_path / "d")]) == 2
    assert "not a saved program" in capsys.readouterr().err


@pytest.mark.parametrize(("prompt_backbone", "expected"), [
    ("llamacpp/smollm2-135m-instruct", ("llamacpp/smollm2-135m-instruct", 0)),
    ("openai/gpt-4o", ("openai/gpt-4o", None)),
    (None, None),  # the optimizer derives it from the configured LM (proposer_for)
])
def test_an_embedded_proposer_may_write_a_whole_instruction(monkeypatch, prompt_backbone, expected):
    """Bug: GEPA's reflection ran on the step engine, whose grammar caps every JSON string at 160 characters: the
    1.5B proposed only the first line of the update instruction, three times out of three."""
    import argparse

    from llm_as_rnn.cli.common import build_prompt_lm

    calls = []
    monkeypatch.setattr("llm_as_rnn.backbones.registry.load_backbone",
                        lambda model, **k: calls.append((model, k.get("max_string_chars"))) or model)
    args = argparse.Namespace(backbone="llamacpp/qwen2.5-coder-1.5b-instruct", prompt_backbone=prompt_backbone,
                              api_base=None)
    assert build_prompt_lm(args) == (expected and expected[0])
    assert calls == ([expected] if expected else [])


def test_python_users_get_the_unlimited_proposer_too():
    """Bug: from Python, `COPROUpdate(task)` proposed on the configured step engine, cutting proposals at ~160
    characters; only the CLI built the proposer. `proposer_for` gives every optimizer the same LM."""
    from llm_as_rnn.backbones.registry import proposer_for
    from llm_as_rnn.optimize import COPROUpdate
    from tests.scripted import scripted_lm
    from tests.toy_task import ToyTask, toy_responder

    lm, _ = scripted_lm(toy_responder)
    assert proposer_for(None) is None and proposer_for(lm) is lm  # nothing limits a scripted/hosted LM's strings
    with dspy.context(lm=lm):
        assert COPROUpdate(ToyTask()).proposer() is lm
        assert COPROUpdate(ToyTask(), prompt_lm="given").proposer() == "given"
