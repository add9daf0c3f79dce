"""Plain `dspy.utils.DummyLM` drives the program when it formats its answers as JSON (the README says so)."""

from __future__ import annotations

import dspy
from dspy.utils import DummyLM

from llm_as_rnn import LLMAsRNN
from tests.toy_task import ToyTask


def test_dummy_lm_with_the_json_adapter_runs_the_loop():
    task = ToyTask()
    sequence = task.sequences(limit=1, steps=2)[0]
    answers = [{"value": 11.0, "direction": "up"}, {"patterns": ["adds 2"], "corrections": ["too low by 0.25"]}] * 2
    with dspy.context(lm=DummyLM(answers, adapter=dspy.JSONAdapter())):
        out = LLMAsRNN(task, budget=80, feedback="measured")(steps=sequence.steps, sequence_id=sequence.id)
    assert out.failures == {}
    assert out.predictions == [{"value": 11.0, "direction": "up"}] * 2
    assert "- adds 2" in out.final_memory
