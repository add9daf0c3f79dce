"""Metrics against hand-computed values; bootstrap intervals over sequences."""

from __future__ import annotations

import math

import pytest

from llm_as_rnn.metrics import (
    accuracy,
    accuracy_at_k,
    bootstrap_mean,
    directional_accuracy,
    mae,
    mse,
    paired_bootstrap_difference,
    rmse,
    step_scores,
)
from llm_as_rnn.metrics.bootstrap import mean_of_steps
from llm_as_rnn.metrics.step_scores import lower_is_better
from llm_as_rnn.tasks.base import Target


def test_regression_errors_by_hand():
    predicted, actual = [1.0, None, 4.0, -2.0], [2.0, 5.0, 1.0, -2.0]
    assert mae(predicted, actual) == pytest.approx((1 + 3 + 0) / 3)
    assert mse(predicted, actual) == pytest.approx((1 + 9 + 0) / 3)
    assert rmse(predicted, actual) == pytest.approx(math.sqrt(10 / 3))
    assert directional_accuracy([0.5, -0.1, 0.2], [1.0, 0.3, -0.4]) == pytest.approx(1 / 3)
    assert math.isnan(mae([None], [1.0]))


def test_label_and_ranking_accuracy_by_hand():
    assert accuracy(["yes", "no", None], ["yes", "yes", "no"]) == 0.5
    ranked = [["a", "b", "c"], ["b", "a"], None]
    assert accuracy_at_k(ranked, ["b", "b", "a"], 1) == 0.5
    assert accuracy_at_k(ranked, ["b", "b", "a"], 2) == 1.0


def test_step_scores_per_target_kind():
    regression = Target("x", "regression", "x")
    label = Target("y", "label", "y", labels=("a", "b"))
    topk = Target("z", "topk", "z", k=2)
    predictions = [{"x": 1.0, "y": "a", "z": ["p", "q"]}, None]
    truths = [{"x": 3.0, "y": "b", "z": ["q", "r"]}, {"x": 1.0, "y": "a", "z": ["p"]}]
    assert step_scores(regression, predictions, truths) == {"abs_error": [2.0, None], "sq_error": [4.0, None]}
    assert step_scores(label, predictions, truths) == {"correct": [0.0, None]}
    assert step_scores(topk, predictions, truths) == {"hit@1": [0.0, None], "hit@2": [1.0, None]}


def test_only_error_scores_are_lower_is_better():
    assert lower_is_better("abs_error") and lower_is_better("temp_max.abs_error") and lower_is_better("x.sq_error")
    assert not any(map(lower_is_better, ("rain.correct", "diagnoses.hit@1", "align", "self_correction")))


def test_bootstrap_mean_weights_steps_and_brackets_the_estimate():
    per_sequence = [[1.0, 1.0, None], [3.0], [2.0, 2.0]]
    interval = bootstrap_mean(per_sequence, seed=1)
    assert interval.estimate == pytest.approx((1 + 1 + 3 + 2 + 2) / 5)
    assert interval.low <= interval.estimate <= interval.high
    assert 1.0 <= interval.low and interval.high <= 3.0
    assert mean_of_steps([None, 2.0, 4.0]) == 3.0


def test_single_sequence_has_no_interval():
    interval = bootstrap_mean([[1.0, 2.0]])
    assert interval.estimate == 1.5 and math.isnan(interval.low)


def test_paired_difference_uses_shared_steps_only():
    a = [[1.0, None, 3.0], [2.0]]
    b = [[2.0, 9.0, 3.0], [4.0]]
    interval = paired_bootstrap_difference(a, b, seed=0)
    assert interval.estimate == pytest.approx((-1 + 0 - 2) / 3)
    assert interval.high <= 0
    with pytest.raises(ValueError, match="same sequences"):
        paired_bootstrap_difference(a, b[:1])


def test_target_measure_texts():
    t = Target("temp", "regression", "t", unit="°C")
    assert t.measure(12.0, 14.4) == "temp: predicted 12.0 °C, actual 14.4 °C, error -2.4 °C (too low)"
    assert "(wrong)" in Target("r", "label", "r", labels=("yes", "no")).measure("yes", "no")
    k = Target("dx", "topk", "d", k=3)
    assert "ranked 2 of 3" in k.measure(["a", "b", "c"], ["b", "x"])
    assert "missed" in k.measure(["a"], ["b"])
    assert "no valid prediction" in t.measure(None, 1.0)


def test_llm_judged_hits_use_the_first_item_judged_the_same():
    import dspy

    from llm_as_rnn.evaluation.semantic_judge import judged_hits
    from tests.scripted import scripted_lm

    def judge(call):
        predicted = call.user.split("Predicted:")[1].split("Truth:")[0]
        return {"same": "heart" in predicted.lower()}

    lm, engine = scripted_lm(judge)
    target = Target("diagnoses", "topk", "dx", k=3)
    predictions = [{"diagnoses": ["sepsis", "cardiac failure", "heart failure"]},
                   {"diagnoses": ["Heart failure"]}, None]
    truths = [{"diagnoses": ["Heart failure"]}] * 3
    with dspy.context(lm=None):
        hits = judged_hits(target, predictions, truths, lm)
    assert hits == {"judge_hit@1": [0.0, 1.0, None], "judge_hit@3": [1.0, 1.0, None]}
    assert len(engine.calls) == 4  # stops at the first match


def test_the_reward_counts_every_target_not_only_the_primary():
    from llm_as_rnn.metrics.objective import step_reward
    from llm_as_rnn.tasks.weather import WeatherTask

    task = WeatherTask()
    truth = {"temp_max": 12.0, "rain": "yes"}
    both = step_reward(task, {"temp_max": 12.0, "rain": "yes"}, truth)
    wrong_rain = step_reward(task, {"temp_max": 12.0, "rain": "no"}, truth)
    assert both == pytest.approx(1.0)
    assert wrong_rain == pytest.approx(0.5)  # the old primary-only reward scored this 1.0
    assert step_reward(task, None, truth) == 0.0
