"""Baselines' contexts: what each shows, that the budget holds, and that no step sees its own truth."""

from __future__ import annotations

import dspy
import pytest

from llm_as_rnn.programs.baselines import FullHistory, MemPrompt, Retrieval, SlidingWindow, ZeroShot
from llm_as_rnn.programs.baselines.history import NO_HISTORY, fit_in_budget
from llm_as_rnn.programs.past_steps import PastStep
from tests.scripted import scripted_lm
from tests.toy_task import ToyTask, shown_value, toy_responder


def responder(call):
    if "summary" in call.fields:
        return {"summary": f"value {shown_value(call):g} went up"}
    return toy_responder(call)


def run(program, steps=6):
    task = program.task
    sequence = task.sequences(limit=1, steps=steps)[0]
    lm, engine = scripted_lm(responder)
    with dspy.context(lm=lm):
        out = program(steps=sequence.steps, sequence_id=sequence.id)
    return sequence, out, engine


def test_no_method_shows_a_step_its_own_truth():
    for cls in (ZeroShot, FullHistory, SlidingWindow, Retrieval, MemPrompt):
        sequence, _, engine = run(cls(ToyTask()))
        for t, call in enumerate(engine.calls_for("predict")):
            assert f"{sequence.steps[t].target['value']:.2f}" not in call.system + call.user, cls.name


def test_zero_shot_shows_nothing_and_makes_one_call_per_step():
    _, out, _engine = run(ZeroShot(ToyTask()))
    assert out.lm_calls == [1] * 6 and out.context_tokens == [0] * 6


def test_fhc_shows_every_earlier_step_until_the_budget_then_drops_the_oldest():
    _, out, _ = run(FullHistory(ToyTask(), context_budget=10_000))
    assert out.records[5].memory_before.count("Outcome:") == 5
    _, small, _ = run(FullHistory(ToyTask(), context_budget=40))
    last = small.records[5].memory_before
    assert "Step 5:" in last and "Step 1:" not in last
    assert all(n <= 40 for n in small.context_tokens)
    assert small.context_tokens[5] < out.context_tokens[5]


def test_window_shows_only_the_last_k_steps():
    _, out, _ = run(SlidingWindow(ToyTask(), window=2))
    shown = out.records[5].memory_before
    assert "Step 4:" in shown and "Step 5:" in shown and "Step 3:" not in shown


def test_retrieval_picks_the_most_similar_inputs():
    task = ToyTask()
    program = Retrieval(task, k=1)
    history = [PastStep(0, "Step 1: a", "cloudy cold windy"), PastStep(1, "Step 2: b", "sunny warm calm"),
               PastStep(2, "Step 3: c", "cloudy warm windy")]
    current = type("S", (), {"input": "sunny warm"})()
    assert [h.t for h in program.select(history, current)] == [1]


def test_memprompt_appends_one_summary_per_step_with_one_extra_call():
    _, out, engine = run(MemPrompt(ToyTask()))
    assert out.lm_calls == [2] * 6
    assert out.records[5].memory_before.count("went up") == 5
    assert len(engine.calls) == 12


def test_memprompt_keeps_the_outcome_when_a_summary_is_malformed():
    def broken(call):
        return "no json" if "summary" in call.fields else toy_responder(call)

    task = ToyTask()
    sequence = task.sequences(limit=1, steps=3)[0]
    lm, _ = scripted_lm(broken)
    with dspy.context(lm=lm):
        out = MemPrompt(task)(steps=sequence.steps, sequence_id=sequence.id)
    assert out.failures == {"summarize_malformed": 3}
    assert "outcome value 11.25 units" in out.records[1].memory_before


def test_fit_in_budget_keeps_whole_items_in_time_order():
    items = [PastStep(t, f"Step {t}: " + "word " * 5) for t in (3, 2, 1)]
    text = fit_in_budget(items, 16, lambda s: len(s.split()), "H:")
    assert text.index("Step 2") < text.index("Step 3") and "Step 1" not in text
    assert fit_in_budget(items, 2, lambda s: len(s.split()), "H:") == NO_HISTORY


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="context budget"):
        FullHistory(ToyTask(), context_budget=0)
    with pytest.raises(ValueError, match="window"):
        SlidingWindow(ToyTask(), window=0)
