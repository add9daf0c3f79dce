"""Classical anchors on real data: what they predict and that they use only what they may."""

from __future__ import annotations

import copy

import pytest

from llm_as_rnn.anchors import anchor_names, anchor_predictions, primary_anchor
from llm_as_rnn.tasks import get_task


def test_weather_persistence_repeats_today():
    task = get_task("weather")
    sequence = task.sequences("test", limit=1, steps=3)[0]
    predictions = anchor_predictions(task, "persistence", sequence)
    assert [p["temp_max"] for p in predictions] == [s.context["today_temp_max"] for s in sequence.steps]
    assert primary_anchor(task) == "persistence"


def test_climatology_uses_training_years_only(monkeypatch):
    task = get_task("weather")
    sequence = task.sequences("test", limit=1, steps=2)[0]
    before = anchor_predictions(task, "climatology", sequence)
    daily = task.daily.to_pandas()
    test_rows = daily["date"].str.startswith("2015")
    daily.loc[test_rows, "temp_max"] = 99.0  # tampering with the test year must not move climatology
    import datasets

    tampered = get_task("weather")
    tampered.__dict__["daily"] = datasets.Dataset.from_pandas(daily, preserve_index=False)
    assert anchor_predictions(tampered, "climatology", sequence) == before


def test_finance_zero_return_and_persistence():
    task = get_task("finance")
    sequence = task.sequences("test", limit=1, steps=3)[0]
    assert all(p["return_pct"] == 0.0 for p in anchor_predictions(task, "zero_return", sequence))
    momentum = anchor_predictions(task, "persistence", sequence)
    assert momentum[1]["return_pct"] == pytest.approx(sequence.steps[1].context["today_return_pct"])
    assert primary_anchor(task) == "zero_return"


def test_clinical_repeat_previous_uses_the_previous_visit():
    task = get_task("clinical")
    sequence = task.sequences("test", limit=1)[0]
    predictions = anchor_predictions(task, "repeat_previous", sequence)
    assert predictions[1]["diagnoses"] == sequence.steps[0].target["diagnoses"][: task.primary.k]
    assert len(predictions[0]["diagnoses"]) <= task.primary.k  # first visit: the training prior


def test_clinical_revealed_ranked_answers_with_the_list_show_running_shows_and_never_sees_the_visit_itself():
    task = get_task("clinical")
    sequence = next(s for s in task.sequences("test") if len(s.steps) >= 3)
    predictions = anchor_predictions(task, "revealed_ranked", sequence)
    assert predictions[0]["diagnoses"] == anchor_predictions(task, "most_frequent", sequence)[0]["diagnoses"]
    for t in (1, 2):
        revealed = [step.target for step in sequence.steps[:t]]
        listed = task.revealed_history(revealed).split("most frequent first: ", 1)[1]
        shown = [entry.rsplit(" (", 1)[0] for entry in listed.split("; ")]
        assert predictions[t]["diagnoses"] == shown[: task.primary.k]
    # Causal: changing visit t's own diagnoses (or a later visit's) does not change the answer for visit t.
    tampered = copy.deepcopy(sequence)
    tampered.steps[1].target["diagnoses"] = list(reversed(tampered.steps[1].target["diagnoses"]))
    assert anchor_predictions(task, "revealed_ranked", tampered)[:2] == predictions[:2]


def test_statistical_anchors_forecast_one_step_from_history():
    pytest.importorskip("statsforecast")
    task = get_task("weather")
    assert {"auto_arima", "auto_ets"} <= set(anchor_names(task))
    sequence = task.sequences("test", limit=1, steps=2)[0]
    values = [p["temp_max"] for p in anchor_predictions(task, "auto_ets", sequence)]
    assert all(-10 < v < 40 for v in values)


def test_unknown_anchor():
    with pytest.raises(ValueError, match="no anchor 'oracle'"):
        anchor_predictions(get_task("weather"), "oracle", None)
