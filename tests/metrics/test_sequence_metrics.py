"""Self-correction, learning curves and the weather Align score, against hand-computed values."""

from __future__ import annotations

import pytest

from llm_as_rnn.metrics import learning_curve, self_correction_steps
from llm_as_rnn.reports.scoreboard import build_scoreboard
from llm_as_rnn.tasks.weather import WeatherTask


def test_self_correction_counts_only_steps_after_a_wrong_one():
    flags = [0.0, 1.0, 0.0, 0.0, 1.0, None, 0.0]
    assert self_correction_steps(flags) == [None, 1.0, None, 0.0, 1.0, None, None]


def test_learning_curve_by_step():
    assert learning_curve([[1.0, 2.0, None], [3.0, None]]) == [(0, 2.0, 2), (1, 2.0, 1), (2, pytest.approx(
        float("nan"), nan_ok=True), 0)]


def test_align_needs_both_temperature_within_two_degrees_and_the_rain_call():
    task = WeatherTask()
    truth = {"temp_max": 10.0, "rain": "yes"}
    assert task.correct({"temp_max": 11.9, "rain": "yes"}, truth) is True
    assert task.correct({"temp_max": 12.1, "rain": "yes"}, truth) is False
    assert task.correct({"temp_max": 10.0, "rain": "no"}, truth) is False
    assert task.correct(None, truth) is False  # a missing forecast is a miss


def test_scoreboard_adds_align_and_self_correction():
    task = WeatherTask()
    truths = {"s": [{"temp_max": 10.0, "rain": "no"}] * 3}
    predictions = {"m": {"s": [{"temp_max": 20.0, "rain": "no"}, {"temp_max": 10.0, "rain": "no"},
                               {"temp_max": 10.0, "rain": "no"}]}}
    board = build_scoreboard(task, truths, predictions)
    assert board.overall("m", "align").estimate == pytest.approx(2 / 3)
    assert board.overall("m", "self_correction").estimate == 1.0
    assert board.overall("m", "temp_max.abs_error").estimate == pytest.approx(10 / 3)


def test_a_failed_forecast_is_a_miss_but_an_anchor_without_a_rain_call_has_no_align():
    from llm_as_rnn.tasks.weather import WeatherTask

    truth = {"temp_max": 12.0, "rain": "no"}
    assert WeatherTask().correct(None, truth) is False
    assert WeatherTask().correct({"temp_max": 12.0}, truth) is None  # e.g. AutoARIMA forecasts temp_max only
