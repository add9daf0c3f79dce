"""A study written by `tune` is readable by optuna-dashboard (its WSGI app, called in-process)."""

from __future__ import annotations

import json
from wsgiref.util import setup_testing_defaults

import dspy
import pytest

from llm_as_rnn.optimize.tune import make_storage
from tests.optimize.test_tune import search

optuna_dashboard = pytest.importorskip("optuna_dashboard")


def get(app, path: str) -> tuple[str, dict]:
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}
    setup_testing_defaults(environ)
    status: list[str] = []
    body = b"".join(app(environ, lambda s, headers, exc_info=None: status.append(s)))
    return status[0], json.loads(body)


def test_the_dashboard_lists_the_study_and_its_trials(tmp_path):
    study_search, _, lm = search(tmp_path, study_name="dashboard")
    with dspy.context(lm=lm):
        study = study_search.run(2)
    app = optuna_dashboard.wsgi(make_storage(f"sqlite:///{tmp_path / 'study.db'}"))
    status, studies = get(app, "/api/studies")
    assert status.startswith("200")
    listed = {s["study_name"]: s for s in studies["study_summaries"]}
    assert "dashboard" in listed
    status, detail = get(app, f"/api/studies/{listed['dashboard']['study_id']}")
    assert status.startswith("200")
    assert len(detail["trials"]) == len(study.trials) == 2
    assert {p["name"] for p in detail["trials"][0]["params"]} == set(study.trials[0].params) >= {"budget", "sections"}
