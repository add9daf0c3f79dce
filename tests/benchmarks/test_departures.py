"""Departures from persistence: read from a real committed evaluation folder, they add up to its Δ vs persistence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.departures import departures

FOLDER = Path(__file__).resolve().parents[2] / "results" / "tune-weather" / "test"


def test_departures_account_for_the_whole_difference_to_persistence():
    """The Δ column and its CI are the report's paired Δ vs persistence (same steps, same resampled sequences)."""
    from llm_as_rnn.tasks import get_task

    settings = json.loads((FOLDER / "evaluation.json").read_text())
    rows = {row[0]: row for row in departures(get_task("weather"), settings, FOLDER)}
    method, target, steps, same, moved, closer, farther, change, against, along, paired = rows["saved:tune-weather"]
    assert (target, steps, same + moved) == ("temp_max", 48, 48) and closer + farther <= moved
    assert against + along <= moved
    (reported,) = [r for r in json.loads((FOLDER / "results.json").read_text())["rows"]
                   if r["kind"] == "difference" and r["method"] == method and r["versus"] == "persistence"
                   and r["metric"] == "temp_max.abs_error"]
    assert change == pytest.approx(reported["estimate"], abs=1e-3)  # the report's paired Δ on the same steps
    assert (paired.estimate, paired.low, paired.high) == pytest.approx(
        (reported["estimate"], reported["low"], reported["high"]), abs=1e-6)


def test_a_departure_is_classed_against_or_with_the_methods_own_previous_error(tmp_path):
    """A forecast above today's value after a forecast that was too high goes the wrong way (with the error); one
    below it is a correction (against it); the first step has no previous error and counts in neither."""
    from llm_as_rnn.anchors.persistence import weather_persistence
    from llm_as_rnn.tasks import get_task

    task = get_task("weather")
    settings = {"split": "test", "episodes": 1, "steps": 3}
    (sequence,) = task.sequences("test", limit=1, steps=3)
    today = [a["temp_max"] for a in weather_persistence(task, sequence)]
    truth = [s.target["temp_max"] for s in sequence.steps]
    # step 0: departs (no previous error); too high by 2 -> step 1 departs upward (with); step 2 departs downward
    too_high = truth[0] + 2.0 if abs(truth[0] + 2.0 - today[0]) > 1e-6 else truth[0] + 3.0  # and not today's
    forecasts = [too_high, today[1] + 1.0, today[2] - 1.0]
    folder = tmp_path / "eval"
    stored = folder / "sequences" / "weather-x" / "m"
    stored.mkdir(parents=True)
    (stored / "a.json").write_text(json.dumps({"sequence_id": sequence.id, "method": "m",
                                               "predictions": [{"temp_max": f} for f in forecasts]}))
    (row,) = departures(task, settings, folder)
    step1_error = forecasts[1] - truth[1]  # step 2 moves down: against step 1's error only if that was too high
    assert row[2:5] == [3, 0, 3]
    assert (row[8], row[9]) == ((1, 1) if step1_error > 0 else (0, 2))


def test_against_another_anchor_a_copied_hint_is_no_departure():
    """In the AutoARIMA-hint dev folder every forecast is the hint rounded to 0.1 °C: no departure from the
    `auto_arima` anchor, and the Δ column (over every step) is the report's MAE difference to that anchor."""
    pytest.importorskip("statsforecast")
    from llm_as_rnn.tasks import get_task

    folder = FOLDER.parents[1] / "hint-dev"
    settings = json.loads((folder / "evaluation.json").read_text())
    task = get_task("weather", **settings["task_options"]["weather"])
    rows = departures(task, settings, folder, reference="auto_arima")
    means = {r["method"]: r["estimate"] for r in json.loads((folder / "results.json").read_text())["rows"]
             if r["kind"] == "overall" and r["metric"] == "temp_max.abs_error"}
    assert len(rows) == 2
    for method, _, steps, same, moved, *_, change, against, along, _paired in rows:
        assert (steps, same, moved, against, along) == (48, 48, 0, 0, 0)
        assert change == pytest.approx(means[method] - means["auto_arima"], abs=1e-3)
