"""Update policies beside the paper's rewrite: delta edits, the replay gate, recent raw steps, fewer sections."""

from __future__ import annotations

import dspy
import pytest

from llm_as_rnn.programs import LLMAsRNN, build_method
from tests.scripted import scripted_lm
from tests.toy_task import TOY_SCHEMA, ToyTask, shown_value, toy_responder


def run(program, responder, steps=4):
    sequence = program.task.sequences(limit=1, steps=steps)[0]
    lm, engine = scripted_lm(responder)
    with dspy.context(lm=lm):
        return program(steps=sequence.steps, sequence_id=sequence.id), engine


def test_memory_edits_remove_by_number_and_append():
    memory = TOY_SCHEMA.memory({"patterns": ["a", "b"], "corrections": ["c"]})
    assert memory.render(numbered=True).splitlines()[1:3] == ["- [1] a", "- [2] b"]
    edited = memory.edited([2, 9], {"corrections": ["d", "c"]})
    assert edited.as_dict() == {"patterns": ["a"], "corrections": ["c", "d"]}


def test_delta_policy_keeps_what_it_does_not_remove():
    def responder(call):
        if call.role == "update":
            assert "[1]" in call.system or "(nothing yet)" in call.system  # numbered bullets are shown
            return {"remove": [1] if "[1] step" in call.system else [], "patterns": [f"step {len(call.user)}"],
                    "corrections": []}
        return toy_responder(call)

    out, _engine = run(LLMAsRNN(ToyTask(), budget=80, policy="delta"), responder)
    assert out.failures == {}
    final = out.memories[-1]
    assert final.count("- step") == 1  # each step removed bullet 1 and added a new one


def test_gate_rejects_a_memory_that_makes_replays_worse():
    def responder(call):
        if call.role == "predict":
            value = shown_value(call)
            bad = "WRONG" in call.system
            return {"value": value + (50 if bad else 1.25), "direction": "up"}
        if call.role == "update":
            return {"patterns": ["WRONG: add fifty"], "corrections": []}
        return toy_responder(call)

    out, _engine = run(LLMAsRNN(ToyTask(), budget=80, policy="gated"), responder)
    # Step 0 has no earlier step to replay: its rewrite is accepted; from step 1 on the gate throws it out.
    assert "gate:accept:no earlier step to replay" in out.records[0].budget_actions
    assert all("WRONG" not in m for m in out.memories[1:])
    assert all(any(a.startswith(("gate:reject", "gate:reset")) for a in r.budget_actions) for r in out.records[1:])
    assert out.lm_calls[2] == 3 + 2 * 2  # predict, critique, update + 2 earlier steps x 2 distinct memories


def test_gate_replays_only_steps_before_t():
    """Replaying step t would favour h_t, which was written from step t's truth."""
    shown: list[float] = []

    def responder(call):
        if call.role == "predict":
            shown.append(shown_value(call))
        if call.role == "update":
            return {"patterns": [f"seen {len(call.user)}"], "corrections": []}
        return toy_responder(call)

    out, _ = run(LLMAsRNN(ToyTask(), budget=80, policy="gated", gate_replay=3), responder, steps=5)
    assert out.failures == {}
    # Each step's own prediction shows a new, larger value; a value not above the largest so far is a replay.
    replays = [(max(shown[:i]), value) for i, value in enumerate(shown) if i and value <= max(shown[:i])]
    assert replays, "the gate never replayed a step"
    assert all(value < current for current, value in replays)


def test_gate_resets_a_memory_that_has_gone_stale():
    """A memory the predictor copies from, once it no longer fits, loses to no memory at all."""
    def responder(call):
        if call.role == "predict":
            value = shown_value(call)
            return {"value": 99.0 if "copy 99" in call.system else value + 1.25, "direction": "up"}
        if call.role == "update":
            return {"patterns": ["copy 99"], "corrections": []}
        return toy_responder(call)

    out, _ = run(LLMAsRNN(ToyTask(), budget=80, policy="gated", gate_replay=1), responder)
    assert all("copy 99" not in m for m in out.memories[1:])  # step 0 has nothing earlier to replay
    assert all(p["value"] != 99.0 for p in out.predictions[2:])
    assert all(any(a.startswith(("gate:reject", "gate:reset")) for a in r.budget_actions) for r in out.records[1:])


def test_gate_prefers_the_new_memory_on_a_tie_and_resets_when_only_h0_is_better():
    from llm_as_rnn.programs.gate import ReplayGate
    from llm_as_rnn.programs.records import StepRecord

    task = ToyTask()
    step = task.sequences(limit=1, steps=1)[0].steps[0]
    empty, stale, fresh = (TOY_SCHEMA.memory({"patterns": [text]} if text else {}) for text in ("", "stale", "fresh"))
    exact = {"value": step.target["value"], "direction": "up"}
    off = {"value": 0.0, "direction": "up"}
    record = StepRecord(0, step.input, None, dict(step.target))
    tie = ReplayGate(task, 1)(stale, fresh, [step], record, lambda memory, s: exact, initial=empty)
    assert tie is fresh and record.budget_actions[-1].startswith("gate:accept")
    reset = ReplayGate(task, 1)(stale, fresh, [step], record,
                                lambda memory, s: exact if memory is empty else off, initial=empty)
    assert reset is empty and record.budget_actions[-1].startswith("gate:reset")


def test_gate_needs_a_feedback_mode_that_reveals_this_steps_truth():
    for mode in ("judge", "none", "shuffled", "shuffled_measured"):  # a control's earlier truth is not y_t
        with pytest.raises(ValueError, match="reveals y_t"):
            LLMAsRNN(ToyTask(), policy="gated", feedback=mode)
    for mode in ("truth", "measured"):
        assert LLMAsRNN(ToyTask(), policy="gated", feedback=mode).gate is not None
    with pytest.raises(ValueError, match="unknown update policy"):
        LLMAsRNN(ToyTask(), policy="append")


def test_recent_steps_are_shown_beside_the_memory_with_outcomes_only_when_revealed():
    _out, engine = run(LLMAsRNN(ToyTask(), budget=80, recent_steps=1), toy_responder)
    third = engine.calls_for("predict")[2].system
    assert "Recent steps:" in third and "Step 2:" in third and "Step 1:" not in third and "Outcome:" in third
    _judged, engine = run(LLMAsRNN(ToyTask(), budget=80, recent_steps=2, feedback="judge"), toy_responder)
    assert "Outcome:" not in engine.calls_for("predict")[2].system
    assert "Your prediction:" in engine.calls_for("predict")[2].system


def test_sections_option_selects_the_memory_structure():
    program = build_method("llm_as_rnn:sections=corrections,policy=delta,recent_steps=1", ToyTask())
    assert program.schema.names == ("corrections",)
    assert program.config()["policy"] == "delta" and program.config()["recent_steps"] == 1
    out, _ = run(program, lambda call: {"remove": [], "corrections": ["x"]} if call.role == "update"
                 else toy_responder(call))
    assert out.failures == {} and "Patterns" not in out.memories[-1]
