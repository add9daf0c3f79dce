"""The Optuna study: a real SQLite (or PostgreSQL) storage, pruning, resume after SIGKILL, several workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dspy
import optuna
import pytest
from optuna.trial import TrialState

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.optimize.tune import StructureSearch, TuneError, make_storage
from llm_as_rnn.programs.registry import load_program
from tests.scripted import scripted_lm
from tests.toy_task import ToyTask, toy_responder

ROOT = Path(__file__).resolve().parents[2]


def responder(call):
    if "remove" in call.fields:
        return {"remove": [], **{f: ["note"] for f in call.fields if f not in ("remove", "critique")},
                **({"critique": "c"} if "critique" in call.fields else {})}
    if call.role == "fused":
        return {"critique": "c", **{f: [] if f == "remove" else ["note"] for f in call.fields if f != "critique"}}
    return toy_responder(call)


def search(tmp_path, **kwargs):
    lm, engine = scripted_lm(responder)
    settings = {"train_episodes": 1, "dev_episodes": 2, "steps": 2, "optimizers": ("none",), "budgets": (40, 60),
                "storage_url": f"sqlite:///{tmp_path / 'study.db'}", "study_name": "toy", "out": tmp_path / "out",
                **kwargs}
    return StructureSearch(task=ToyTask(), roles=Roles(lm, lm, lm), **settings), engine, lm


def test_single_objective_study_finishes_exactly_n_trials_and_exports_the_best(tmp_path):
    study_search, _, lm = search(tmp_path)
    with dspy.context(lm=lm):
        study = study_search.run(4)
    finished = [t for t in study.trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    assert len(finished) == 4
    summary = study_search.export(study)
    best = Path(summary["best"][0]["program_dir"])
    assert (best / "program.json").is_file() and (best / "config.json").is_file()
    program = load_program(best, roles=Roles(lm, lm, lm), task=ToyTask())
    assert program.budget.tokens in (40, 60)
    for trial in finished:  # the small-backbone options are searched too, and the saved program keeps them
        assert {"mask_values", "show_running", "adjust"} <= trial.params.keys()
    best_trial = study.best_trial
    assert program.show_running == best_trial.params["show_running"]
    assert program.mask_values == best_trial.params["mask_values"]
    assert program.adjust == best_trial.params["adjust"]
    with dspy.context(lm=lm):  # a rerun of a finished study does nothing
        assert len(study_search.run(4).trials) == len(study.trials)


def test_multi_objective_study_has_a_pareto_front(tmp_path):
    study_search, _, lm = search(tmp_path, multi_objective=True, study_name="toy-mo")
    with dspy.context(lm=lm):
        study = study_search.run(3)
    assert study.directions == [optuna.study.StudyDirection.MAXIMIZE, optuna.study.StudyDirection.MINIMIZE]
    assert study_search.export(study)["best"]
    assert all(len(t.values) == 2 for t in study.best_trials)


def test_optimizer_inside_a_trial(tmp_path):
    study_search, _engine, lm = search(tmp_path, optimizers=("gepa",), study_name="toy-gepa")
    with dspy.context(lm=lm):
        study = study_search.run(1)
    trial = study.trials[0]
    assert trial.params["optimizer"] == "gepa" and "gepa_max_metric_calls" in trial.params
    assert trial.state == TrialState.COMPLETE


def test_bad_settings_leave_the_study_untouched(tmp_path):
    with pytest.raises(TuneError, match="unknown optimizer"):
        search(tmp_path, optimizers=("simba",))
    with pytest.raises(TuneError, match="cannot hold the empty memory"):
        search(tmp_path, budgets=(3,))
    with pytest.raises(TuneError, match="cannot use the study storage postgresql"):
        study_search, _, _ = search(tmp_path, storage_url="postgresql://me:pw@127.0.0.1:1/none")
        study_search.study()
    assert not (tmp_path / "study.db").exists()


def _worker(storage, study, trials, out, worker, sleep):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tests.optimize.tune_worker", storage, study, str(trials), str(out),
                             str(worker), str(sleep)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _states(storage, study):
    """Trial states as another process sees them (the worker may still be creating the tables or the study)."""
    try:
        loaded = optuna.load_study(study_name=study, storage=make_storage(storage, heartbeat_interval=1,
                                                                              grace_period=3))
    except KeyError:
        return []
    return [(t.number, t.state) for t in loaded.trials]


def test_sqlite_study_resumes_after_sigkill_with_no_lost_or_duplicated_trials(tmp_path):
    storage, study = f"sqlite:///{tmp_path / 'kill.db'}", "killed"
    first = _worker(storage, study, 4, tmp_path / "out", 0, 0.4)
    deadline = time.time() + 60
    while time.time() < deadline:  # kill it in the middle of a trial, once at least one trial finished
        states = _states(storage, study)
        if any(s == TrialState.COMPLETE for _, s in states) and any(s == TrialState.RUNNING for _, s in states):
            break
        time.sleep(0.2)
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed = [n for n, s in _states(storage, study) if s == TrialState.RUNNING]
    assert killed, "the worker was not killed in the middle of a trial"
    second = _worker(storage, study, 4, tmp_path / "out", 0, 0.0)
    assert second.wait(timeout=120) == 0, second.stdout.read()
    final = optuna.load_study(study_name=study, storage=make_storage(storage)).trials
    finished = [t for t in final if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    assert len(finished) == 4
    assert {t.number for t in final if t.number in killed} and all(
        t.state == TrialState.FAIL for t in final if t.number in killed)
    retried = [t for t in final if t.system_attrs.get("failed_trial") in killed]
    assert retried and retried[0].state in (TrialState.COMPLETE, TrialState.PRUNED)
    assert len({t.number for t in final}) == len(final)


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("LLM_RNN_TEST_POSTGRES_URL"),
                    reason=os.environ.get("LLM_RNN_PG_SKIP_REASON", "set LLM_RNN_TEST_POSTGRES_URL"))
def test_two_workers_share_one_postgresql_study(tmp_path):
    storage = os.environ["LLM_RNN_TEST_POSTGRES_URL"]
    study = f"two-workers-{os.getpid()}-{int(time.time())}"
    workers = [_worker(storage, study, 6, tmp_path / f"out{i}", i, 0.05) for i in range(2)]
    outputs = [w.communicate(timeout=300)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    trials = optuna.load_study(study_name=study, storage=storage).trials
    finished = [t for t in trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    assert len(finished) == 6
    assert len({t.number for t in trials}) == len(trials)
    assert all("finished trial" in out for out in outputs)  # both workers contributed


def test_the_documented_postgresql_url_names_the_installed_driver(monkeypatch):
    """Bug: SQLAlchemy 2.1 maps postgresql:// to psycopg 3 while the extra installed psycopg2, so the URL the README
    shows failed with 'install the postgres extra' (installed). The URL now names the driver the extra installs."""
    import importlib.util

    from llm_as_rnn.optimize.tune import storage_url

    assert storage_url("postgresql://u:pw@127.0.0.1:5432/x") == "postgresql+psycopg://u:pw@127.0.0.1:5432/x"
    assert storage_url("postgres://h/x") == "postgresql+psycopg://h/x"
    assert storage_url("postgresql+psycopg2://h/x") == "postgresql+psycopg2://h/x"  # a named driver is kept
    assert storage_url("sqlite:///a.db") == "sqlite:///a.db"
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "psycopg" else real(name))
    if real("psycopg2") is None:
        with pytest.raises(TuneError, match="no PostgreSQL driver"):
            storage_url("postgresql://h/x")
