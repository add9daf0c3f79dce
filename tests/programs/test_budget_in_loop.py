"""The budget inside the loop: shown to the updater, re-asked once when exceeded, then cut; never exceeded."""

from __future__ import annotations

import dspy

from llm_as_rnn.programs import LLMAsRNN
from tests.scripted import scripted_lm
from tests.toy_task import ToyTask, toy_responder

LONG = " ".join(["verbose"] * 30)


def test_over_budget_answer_is_reasked_once_then_cut():
    task = ToyTask()
    sequence = task.sequences(limit=1, steps=3)[0]

    def responder(call):
        if call.role == "update":
            return {"patterns": [LONG, LONG + " again"], "corrections": [LONG + " more"]}
        return toy_responder(call)

    lm, engine = scripted_lm(responder)
    with dspy.context(lm=lm):
        out = LLMAsRNN(task, budget=40)(steps=sequence.steps, sequence_id=sequence.id)
    updates = engine.calls_for("update")
    assert len(updates) == 6  # one re-ask per step
    assert "OVER BUDGET" in updates[1].user and "limit is 40" in updates[1].user
    assert all(n <= 40 for n in out.memory_tokens)
    assert all(any(a.startswith("reask") for a in r.budget_actions) for r in out.records)
    assert all(any(a.startswith("cut") for a in r.budget_actions) for r in out.records)


def test_budget_with_current_usage_is_shown_to_the_updater():
    task = ToyTask()
    sequence = task.sequences(limit=1, steps=2)[0]
    lm, engine = scripted_lm(toy_responder)
    with dspy.context(lm=lm):
        LLMAsRNN(task, budget=50)(steps=sequence.steps, sequence_id=sequence.id)
    assert "at most 50 tokens for the whole memory; the current memory uses" in engine.calls_for("update")[0].user


def test_reask_that_fits_needs_no_cut():
    task = ToyTask()
    sequence = task.sequences(limit=1, steps=1)[0]
    asked = []

    def responder(call):
        if call.role == "update":
            asked.append(call)
            first = len(asked) == 1
            return {"patterns": [LONG] if first else ["short"], "corrections": []}
        return toy_responder(call)

    lm, _ = scripted_lm(responder)
    with dspy.context(lm=lm):
        out = LLMAsRNN(task, budget=30)(steps=sequence.steps, sequence_id=sequence.id)
    assert out.records[0].budget_actions[0].startswith("reask")
    assert not any(a.startswith("cut") for a in out.records[0].budget_actions)
    assert "short" in out.memories[0]
