"""`shared_context`: the update call continues the prediction's conversation, so a prefix cache evaluates the head,
the memory and the step's input once per step (benchmarks.step_floor measures the seconds)."""

from __future__ import annotations

import dspy
import pytest

from llm_as_rnn.programs import LLMAsRNN
from llm_as_rnn.programs.config import ConfigError, RNNConfig
from tests.scripted import scripted_lm
from tests.toy_task import ToyTask, toy_responder


def _delta_responder(call):
    answer = toy_responder(call)
    return {"remove": [], **answer} if "remove" in call.fields else answer


def _run(**settings):
    lm, engine = scripted_lm(_delta_responder)
    task = ToyTask()
    sequence = task.sequences(limit=1, steps=3)[0]
    program = LLMAsRNN(task, feedback="measured", **settings)
    with dspy.context(lm=lm):
        out = program(steps=sequence.steps, sequence_id=sequence.id)
    out.head = program.step_adapter().head() if settings.get("shared_context") else None
    return out, [c for c in engine.calls if c.role == "predict"], [c for c in engine.calls if c.role == "update"]


def test_the_update_turn_continues_after_the_prediction():
    out, predicts, updates = _run(shared_context=True)
    assert len(predicts) == len(updates) == 3 and not out.failures
    for predict, update in zip(predicts, updates, strict=True):
        assert update.system == predict.system  # one head and the memory, for both calls
        assert update.user.startswith(predict.user)  # the predictor's turn, then its answer, then the update turn
        assert update.user.count("current value:") == 1  # the input is shown once
        assert "as shown in the system prompt above" in update.user
    assert all(call.system.startswith(out.head) for call in predicts + updates)  # every call starts the same
    assert "patterns" in out.final_memory.lower() or "adds about 1" in out.final_memory


def test_without_it_each_call_has_its_own_prompt_and_the_update_sees_the_input():
    _out, predicts, updates = _run()
    assert all(u.system != p.system for p, u in zip(predicts, updates, strict=True))
    assert all("current value:" in u.user for u in updates)


def test_a_delta_edit_still_sees_its_numbered_bullets():
    _out, _predicts, updates = _run(shared_context=True, policy="delta")
    assert "[1]" in updates[-1].user


def test_tuned_instructions_reach_the_shared_head_of_a_copy():
    """Optimizers deep-copy programs: the head is built from the copy's predictors, not the original's."""
    lm, engine = scripted_lm(toy_responder)
    program = LLMAsRNN(ToyTask(), feedback="measured", shared_context=True).deepcopy()
    program.updater.update.signature = program.updater.update.signature.with_instructions("TUNED update rule.")
    sequence = ToyTask().sequences(limit=1, steps=2)[0]
    with dspy.context(lm=lm):
        program(steps=sequence.steps, sequence_id=sequence.id)
    assert all("TUNED update rule." in c.system for c in engine.calls)


def test_the_gate_cannot_share_the_conversation():
    with pytest.raises(ConfigError, match="shared_context"):
        RNNConfig(policy="gated", shared_context=True)
    assert "shared_context" not in LLMAsRNN(ToyTask()).config()  # off: older results keep their fingerprint
    assert LLMAsRNN(ToyTask(), shared_context=True).config()["shared_context"] is True
