"""Departures from persistence: read from a real committed evaluation folder, they add up to its Δ vs persistence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.departures import departures

FOLDER = Path(__file__).resolve().parents[2] / "results" / "tune-weather" / "test"


def test_departures_account_for_the_whole_difference_to_persistence():
    from llm_as_rnn.tasks import get_task

    settings = json.loads((FOLDER / "evaluation.json").read_text())
    rows = {row[0]: row for row in departures(get_task("weather"), settings, FOLDER)}
    method, target, steps, same, moved, closer, farther, change = rows["saved:tune-weather"]
    assert (target, steps, same + moved) == ("temp_max", 48, 48) and closer + farther <= moved
    (reported,) = [r for r in json.loads((FOLDER / "results.json").read_text())["rows"]
                   if r["kind"] == "difference" and r["method"] == method and r["versus"] == "persistence"
                   and r["metric"] == "temp_max.abs_error"]
    assert change == pytest.approx(reported["estimate"], abs=1e-3)  # the report's paired Δ on the same steps
