"""The `adjust` output contract: an adjustment field decoded before each numeric forecast, kept out of the score."""

from __future__ import annotations

import dspy

from llm_as_rnn.programs.baselines import FullHistory, ZeroShot
from llm_as_rnn.programs.llm_as_rnn import LLMAsRNN
from llm_as_rnn.programs.registry import build_method, parse_method
from llm_as_rnn.signatures.predict import predict_signature
from tests.scripted import scripted_lm
from tests.toy_task import ToyTask, shown_value, toy_responder


def adjusting_responder(call):
    if call.role == "predict" and "value_adjustment" in call.fields:
        return {"value_adjustment": 0.25, "value": shown_value(call) + 1.25, "direction": "up"}
    return toy_responder(call)


def test_the_adjustment_comes_right_before_each_numeric_target_and_only_with_adjust():
    targets = ToyTask.targets
    assert list(predict_signature(targets).output_fields) == ["value", "direction"]
    adjusted = predict_signature(targets, adjust=True)
    assert list(adjusted.output_fields) == ["value_adjustment", "value", "direction"]
    assert adjusted.output_fields["value_adjustment"].annotation is float
    assert "add to the forecast of value" in adjusted.output_fields["value_adjustment"].json_schema_extra["desc"]


def test_the_adjustment_goes_to_the_record_not_into_the_scored_prediction():
    task = ToyTask()
    sequence = task.sequences(limit=1, steps=3)[0]
    lm, engine = scripted_lm(adjusting_responder)
    with dspy.context(lm=lm):
        out = LLMAsRNN(task, feedback="measured", adjust=True)(steps=sequence.steps, sequence_id=sequence.id)
    assert out.predictions == [{"value": s.target["value"], "direction": "up"} for s in sequence.steps]
    assert [r.adjustments for r in out.records] == [{"value_adjustment": 0.25}] * 3
    assert all("value_adjustment" in c.fields for c in engine.calls_for("predict"))
    assert out.records[0].as_dict()["adjustments"] == {"value_adjustment": 0.25}


def test_without_adjust_the_prompt_and_the_fingerprint_are_unchanged():
    task = ToyTask()
    plain, adjusted = ZeroShot(task), ZeroShot(task, adjust=True)
    assert "adjust" not in plain.config() and adjusted.config()["adjust"] is True
    assert plain.fingerprint() != adjusted.fingerprint()
    sequence = task.sequences(limit=1, steps=2)[0]
    lm, engine = scripted_lm(toy_responder)
    with dspy.context(lm=lm):
        out = plain(steps=sequence.steps, sequence_id=sequence.id)
    assert all("value_adjustment" not in c.fields for c in engine.calls) and out.records[0].adjustments == {}


def test_every_method_takes_the_adjust_flag():
    assert parse_method("zero_shot:adjust") == ("zero_shot", {"adjust": True})
    assert parse_method("llm_as_rnn:measured,show_running,adjust")[1] == {"feedback": "measured",
                                                                         "show_running": True, "adjust": True}
    for spec in ("zero_shot:adjust", "fhc:adjust", "memprompt:adjust", "window:adjust", "llm_as_rnn:adjust"):
        program = build_method(spec, ToyTask())
        assert program.adjust and "value_adjustment" in program.predictor.predict.signature.output_fields, spec
    assert isinstance(build_method("fhc:adjust,context_budget=300", ToyTask()), FullHistory)


def test_a_saved_adjusting_program_loads_with_its_contract(tmp_path):
    from llm_as_rnn.programs.artifacts import save_program
    from llm_as_rnn.programs.registry import load_program

    save_program(LLMAsRNN(ToyTask(), feedback="measured", adjust=True), tmp_path / "p")
    loaded = load_program(tmp_path / "p", task=ToyTask())
    assert loaded.adjust and "value_adjustment" in loaded.predictor.predict.signature.output_fields


def test_adjust_on_a_task_without_a_numeric_target_is_the_plain_program():
    """`zero_shot:adjust` in an evaluation over weather and clinical applies where it means something; on clinical
    (top-k diagnoses only) it must not make a second, identical program with another fingerprint."""
    from llm_as_rnn.tasks.base import Target

    class LabelsOnly(ToyTask):
        targets = (Target("direction", "label", "does the value go up or down", labels=("up", "down")),)

    plain, adjusted = ZeroShot(LabelsOnly()), build_method("zero_shot:adjust", LabelsOnly())
    assert not adjusted.adjust and adjusted.config() == plain.config()
    assert adjusted.fingerprint() == plain.fingerprint()
