"""The recurrent loop with a scripted LM: calls per step, feedback modes, leakage, fallbacks, save/load."""

from __future__ import annotations

import dspy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.programs import LLMAsRNN
from llm_as_rnn.programs.feedback_modes import shuffled_sources
from tests.scripted import scripted_lm
from tests.toy_task import ToyTask, toy_responder


@pytest.fixture
def toy():
    task = ToyTask()
    return task, task.sequences(limit=1, steps=4)[0]


def run(program, sequence):
    return program(steps=sequence.steps, sequence_id=sequence.id)


def test_truth_mode_makes_three_calls_per_step_and_rewrites_memory(toy):
    task, sequence = toy
    lm, engine = scripted_lm(toy_responder)
    with dspy.context(lm=lm):
        out = run(LLMAsRNN(task, budget=60), sequence)
    assert [c.role for c in engine.calls] == ["predict", "feedback", "update"] * 4
    assert out.lm_calls == [3, 3, 3, 3]
    assert out.predictions[0] == {"value": 11.0, "direction": "up"}
    assert out.initial_memory != out.memories[0]
    assert "adds about 1" in out.memories[0]
    assert out.failures == {}
    assert all(0 < n <= 60 for n in out.memory_tokens)
    assert all(p > 0 for p in out.prompt_tokens)
    # Memory at step t+1 is what the updater wrote at step t, and it is in the predictor's system prompt.
    second_predict = engine.calls_for("predict")[1]
    assert out.memories[0] in second_predict.system
    assert out.memories[0] not in second_predict.user


def test_feedback_is_grounded_in_the_revealed_truth_with_measured_error(toy):
    task, sequence = toy
    lm, engine = scripted_lm(toy_responder)
    with dspy.context(lm=lm):
        out = run(LLMAsRNN(task, budget=60), sequence)
    critique = engine.calls_for("feedback")[0]
    assert "11.25" in critique.user and "error -0.25 units (too low)" in critique.user
    assert out.feedback[0].startswith("Measured: value: predicted 11.00 units, actual 11.25 units")
    assert "Critique: a bit low" in out.feedback[0] and "Lesson: add a quarter more" in out.feedback[0]


def test_the_truth_never_reaches_the_prediction_of_its_own_step(toy):
    task, sequence = toy
    lm, engine = scripted_lm(toy_responder)
    with dspy.context(lm=lm):
        run(LLMAsRNN(task, budget=60), sequence)
    for t, call in enumerate(engine.calls_for("predict")):
        truth = f"{sequence.steps[t].target['value']:.2f}"
        assert truth not in call.system + call.user


def test_judge_mode_never_shows_any_truth(toy):
    task, sequence = toy
    lm, engine = scripted_lm(toy_responder)
    with dspy.context(lm=lm):
        out = run(LLMAsRNN(task, budget=60, feedback="judge"), sequence)
    truths = [f"{s.target['value']:.2f}" for s in sequence.steps]
    for call in engine.calls:
        assert not any(t in call.system + call.user for t in truths)
    assert "Judge a prediction without knowing the outcome" in engine.calls_for("feedback")[0].system
    assert not any("Measured" in f for f in out.feedback)


def test_none_mode_skips_the_critic(toy):
    task, sequence = toy
    lm, engine = scripted_lm(toy_responder)
    with dspy.context(lm=lm):
        out = run(LLMAsRNN(task, budget=60, feedback="none"), sequence)
    assert [c.role for c in engine.calls] == ["predict", "update"] * 4
    assert out.feedback == ["(no feedback)"] * 4
    assert "Outcome" not in engine.calls_for("update")[0].user


def test_fused_mode_critiques_and_rewrites_in_one_call(toy):
    task, sequence = toy
    lm, engine = scripted_lm(toy_responder)
    with dspy.context(lm=lm):
        out = run(LLMAsRNN(task, budget=60, fused=True), sequence)
    assert [c.role for c in engine.calls] == ["predict", "fused"] * 4
    assert out.lm_calls == [2, 2, 2, 2]
    assert "Critique: a bit low" in out.feedback[0]
    assert "too low by 0.25" in out.memories[0]


def _truths(sequence):
    return [f"{step.target['value']:.2f}" for step in sequence.steps]


def test_measured_shuffled_control_makes_the_same_calls_as_measured_with_earlier_truths():
    task = ToyTask()
    sequence = task.sequences(limit=1, steps=8)[0]
    lm, engine = scripted_lm(toy_responder)
    with dspy.context(lm=lm):
        out = run(LLMAsRNN(task, budget=60, feedback="shuffled_measured"), sequence)
    assert [c.role for c in engine.calls] == ["predict", "update"] * 8  # as `measured`: no LM critique
    truths = _truths(sequence)
    for t, (predict, update) in enumerate(zip(engine.calls_for("predict"), engine.calls_for("update"), strict=True)):
        shown = predict.system + predict.user + update.user
        assert not [v for v in truths[t:] if v in shown], f"step {t} saw a truth of a step >= {t}"
    assert "Measured" not in out.feedback[0]  # step 0 has no earlier truth
    assert all("Measured" in f for f in out.feedback[1:])


@pytest.mark.parametrize("recent_steps", [0, 3])
def test_shuffled_control_never_shows_a_current_or_future_truth(recent_steps):
    task = ToyTask()
    sequence = task.sequences(limit=1, steps=8)[0]
    lm, engine = scripted_lm(toy_responder)
    with dspy.context(lm=lm):
        run(LLMAsRNN(task, budget=60, feedback="shuffled", recent_steps=recent_steps), sequence)
    truths = _truths(sequence)
    predicts = engine.calls_for("predict")
    critiques = {int(c.user.split("current value:")[-1].split()[0]): c for c in engine.calls_for("feedback")}
    for t, step in enumerate(sequence.steps):
        shown = predicts[t].system + predicts[t].user + engine.calls_for("update")[t].user
        critique = critiques.get(int(step.context["today"]))
        shown += critique.user if critique else ""
        assert not [v for v in truths[t:] if v in shown], f"step {t} saw a truth of a step >= {t}"
    assert len(critiques) == len(sequence.steps) - 1  # step 0 has no earlier truth: no grounded critique
    assert any(v in c.user for c in critiques.values() for v in truths)  # it does show (earlier) truths


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=0, max_value=60), seed=st.integers(min_value=0, max_value=2**32))
def test_shuffled_sources_come_only_from_earlier_steps(n, seed):
    sources = shuffled_sources(n, seed)
    assert len(sources) == n
    assert all(s is None if t == 0 else 0 <= s < t for t, s in enumerate(sources))


def test_malformed_update_keeps_the_previous_memory_and_the_run_goes_on(toy):
    task, sequence = toy
    answers = {"update": 0}

    def responder(call):
        if call.role == "update":
            answers["update"] += 1
            if answers["update"] == 2:
                return "I refuse to answer in JSON"
        return toy_responder(call)

    lm, _ = scripted_lm(responder)
    with dspy.context(lm=lm):
        out = run(LLMAsRNN(task, budget=60), sequence)
    assert out.failures == {"update_malformed": 1}
    assert out.records[1].failures == ["update_malformed"]
    assert out.memories[1] == out.memories[0]
    assert len(out.predictions) == 4 and all(p is not None for p in out.predictions)


def test_malformed_prediction_is_counted_and_later_steps_still_predict(toy):
    task, sequence = toy
    state = {"predict": 0}

    def responder(call):
        if call.role == "predict":
            state["predict"] += 1
            if state["predict"] == 1:
                return '{"value": "not a number", "direction": "sideways"}'
        return toy_responder(call)

    lm, _engine = scripted_lm(responder)
    with dspy.context(lm=lm):
        out = run(LLMAsRNN(task, budget=60), sequence)
    assert out.predictions[0] is None
    assert out.failures == {"predict_malformed": 1}
    assert out.predictions[1] is not None
    # No critique of a missing prediction, but the measured feedback still reaches the updater.
    assert out.records[0].lm_calls == 2
    assert "no valid prediction" in out.feedback[0]


def test_transport_errors_are_not_hidden(toy):
    task, sequence = toy

    def responder(call):
        raise ConnectionError("backbone down")

    lm, _ = scripted_lm(responder)
    lm.num_retries = 0
    with dspy.context(lm=lm), pytest.raises(Exception, match="backbone down"):
        run(LLMAsRNN(task, budget=60), sequence)


def test_roles_route_each_step_to_its_backbone(toy):
    task, sequence = toy
    predictor_lm, predictor = scripted_lm(toy_responder, "scripted/predictor")
    critic_lm, critic = scripted_lm(toy_responder, "scripted/critic")
    updater_lm, updater = scripted_lm(toy_responder, "scripted/updater")
    roles = Roles(predictor=predictor_lm, critic=critic_lm, updater=updater_lm)
    run(LLMAsRNN(task, budget=60, roles=roles), sequence)
    assert {c.role for c in predictor.calls} == {"predict"}
    assert {c.role for c in critic.calls} == {"feedback"}
    assert {c.role for c in updater.calls} == {"update"}


def test_save_and_load_round_trip_keeps_tuned_instructions(toy, tmp_path):
    task, sequence = toy
    program = LLMAsRNN(task, budget=60)
    program.updater.update.signature = program.updater.update.signature.with_instructions("Keep the trend.")
    path = tmp_path / "program.json"
    program.save(str(path))
    fresh = LLMAsRNN(task, budget=60)
    assert fresh.updater.update.signature.instructions != "Keep the trend."
    fresh.load(str(path))
    assert fresh.updater.update.signature.instructions == "Keep the trend."
    names = {name for name, _ in fresh.named_predictors()}
    assert names == {"predictor.predict", "critic.critique", "updater.update"}
    lm, _ = scripted_lm(toy_responder)
    with dspy.context(lm=lm):
        assert run(fresh, sequence).failures == {}


def test_deepcopy_shares_the_backbone(toy):
    task, _ = toy
    lm, engine = scripted_lm(toy_responder)
    program = LLMAsRNN(task, roles=Roles(predictor=lm))
    copy = program.deepcopy()
    assert copy.roles.predictor.engine is engine
