"""MIPROv2, GEPA and COPRO run for real on the recurrent program with scripted LMs, tuning only the memory update."""

from __future__ import annotations

import dspy
import pytest

from llm_as_rnn.optimize import COPROUpdate, GEPAUpdate, MIPROUpdate, get_optimizer, sequence_examples
from llm_as_rnn.optimize.freeze import Frozen, freeze_all_but, unfreeze
from llm_as_rnn.programs import LLMAsRNN
from tests.scripted import scripted_lm
from tests.toy_task import ToyTask, shown_value

GOOD = "exact increment"


def task_responder(call):
    """The memory is useful only when the update instruction says so; a useful memory makes predictions exact."""
    if call.role == "predict":
        value = shown_value(call)
        exact = "remember +1.25" in call.system
        return {"value": value + (1.25 if exact else 1.0), "direction": "up"}
    if call.role == "feedback":
        return {"critique": "too low", "lesson": "add more"}
    good = GOOD in call.system
    return {"patterns": ["remember +1.25"] if good else ["it changes"], "corrections": []}


def prompt_responder(call):
    return dict.fromkeys(call.fields, "Keep the exact increment (remember +1.25) in memory.")


@pytest.fixture
def setup():
    task = ToyTask()
    sequences = task.sequences(limit=4, steps=3)
    task_lm, _task_engine = scripted_lm(task_responder, "scripted/task")
    prompt_lm, prompt_engine = scripted_lm(prompt_responder, "scripted/prompt")
    return task, sequence_examples(sequences[:2]), sequence_examples(sequences[2:]), task_lm, prompt_lm, prompt_engine


@pytest.mark.parametrize(("optimizer_cls", "settings"), [
    (MIPROUpdate, {"num_candidates": 2, "num_trials": 3}),
    (GEPAUpdate, {"max_metric_calls": 12}),
    (COPROUpdate, {"breadth": 2, "depth": 1}),
])
def test_optimizer_tunes_only_the_update_instruction(setup, optimizer_cls, settings):
    task, train, dev, task_lm, prompt_lm, _prompt_engine = setup
    program = LLMAsRNN(task, budget=80)
    before = {n: p.signature.instructions for n, p in program.named_predictors()}
    with dspy.context(lm=task_lm):
        result = optimizer_cls(task, prompt_lm=prompt_lm, **settings).compile(program, trainset=train, valset=dev)
    after = {n: p.signature.instructions for n, p in result.program.named_predictors()}
    assert GOOD in after["updater.update"] and GOOD not in before["updater.update"]
    assert after["predictor.predict"] == before["predictor.predict"]
    assert after["critic.critique"] == before["critic.critique"]
    assert result.dev_after > result.dev_before
    assert result.lm_calls["scripted/prompt"] > 0 and result.lm_calls["scripted/task"] > 0
    assert {n for n, _ in result.program.named_predictors()} == set(before)  # unfrozen: saves like the original
    assert program.updater.update.signature.instructions == before["updater.update"]  # the student is untouched


def test_freezing_hides_predictors_from_optimizers_and_comes_undone():
    program = LLMAsRNN(ToyTask())
    frozen = freeze_all_but(program, ["updater.update"])
    assert [n for n, _ in program.named_predictors()] == ["updater.update"]
    assert isinstance(program.predictor.predict, Frozen)
    unfreeze(program, frozen)
    assert len(program.named_predictors()) == 3
    with pytest.raises(ValueError, match="cannot tune"):
        freeze_all_but(program, ["nope.predict"])


def test_unknown_optimizer_and_bad_settings():
    with pytest.raises(ValueError, match="unknown optimizer 'simba'"):
        get_optimizer("simba")
    with pytest.raises(ValueError, match="breadth >= 2"):
        COPROUpdate(ToyTask(), breadth=1)


def test_gepa_reports_every_candidate_it_scored_on_dev(setup):
    """A GEPA run that returns the seed instruction must still show what it tried (the weather run with the 1.5B
    returned the shipped instruction and its results said nothing of the candidates)."""
    task, train, dev, task_lm, prompt_lm, _prompt_engine = setup
    program = LLMAsRNN(task, budget=80)
    with dspy.context(lm=task_lm):
        result = GEPAUpdate(task, prompt_lm=prompt_lm, max_metric_calls=12).compile(program, trainset=train,
                                                                                  valset=dev)
    candidates = result.summary()["candidates"]
    assert len(candidates) >= 2 and candidates[0]["parents"] == [None]
    assert GOOD not in candidates[0]["instructions"]["updater.update"]  # the seed
    assert any(GOOD in c["instructions"]["updater.update"] for c in candidates[1:])
    best = max(candidates, key=lambda c: c["dev_score"])
    assert best["instructions"] == result.instructions()
    assert all(set(c["instructions"]) == {"updater.update"} for c in candidates)


def test_a_tuned_program_that_does_no_better_on_dev_is_not_returned(setup, caplog):
    """Bug: `optimize --optimizer copro` saved a program whose dev reward fell 0.425 -> 0.300, silently. The start
    program is kept when no candidate beats it on dev, and the result and the log say so."""
    task, train, dev, task_lm, _prompt_lm, _ = setup
    bad_lm, _ = scripted_lm(lambda call: dict.fromkeys(call.fields, "Forget everything."), "scripted/bad")
    program = LLMAsRNN(task, budget=80)
    with dspy.context(lm=task_lm), caplog.at_level("WARNING"):
        result = COPROUpdate(task, prompt_lm=bad_lm, breadth=2).compile(program, trainset=train, valset=dev)
    assert result.kept_start and result.program is program and result.summary()["kept_start"] is True
    assert result.dev_after <= result.dev_before
    assert "no candidate beat the start program" in caplog.text
