"""The default embedded backbone (Qwen2.5-Coder-1.5B) end to end, and the property it was chosen for: it reads its
memory (a note to forecast higher moves its forecasts up, a note to forecast lower moves them down)."""

from __future__ import annotations

import math

import dspy
import pytest

from llm_as_rnn.backbones.model_string import EMBEDDED_DEFAULT

pytestmark = pytest.mark.integration(backbone=EMBEDDED_DEFAULT)


@pytest.fixture(scope="module")
def default_lm():
    pytest.importorskip("llama_cpp")
    from llm_as_rnn.backbones import load_backbone

    return load_backbone(EMBEDDED_DEFAULT, cache=False)


def test_the_default_backbone_reads_a_numeric_note_in_its_memory(default_lm, weather_task):
    from llm_as_rnn.programs.predictor import StepPredictor
    from llm_as_rnn.programs.records import StepRecord
    from llm_as_rnn.programs.sequence_program import SequenceProgram

    steps = [s for q in weather_task.sequences("dev", limit=2, steps=1) for s in q.steps]
    notes = {
        "higher": "my recent forecasts were 3 °C too low: forecast 3 °C higher than today's temp_max suggests",
        "lower": "my recent forecasts were 3 °C too high: forecast 3 °C lower than today's temp_max suggests",
    }
    predictor, forecasts = StepPredictor(weather_task), {}
    with dspy.context(lm=default_lm, adapter=SequenceProgram(weather_task).adapter):
        for name, note in notes.items():
            memory = weather_task.memory_schema.memory({"corrections": (note,)}).render()
            forecasts[name] = [predictor(memory, s.input, StepRecord(0, s.input, None, dict(s.target)))["temp_max"]
                               for s in steps]
    assert all(math.isfinite(v) for v in forecasts["higher"] + forecasts["lower"])
    assert sum(forecasts["higher"]) > sum(forecasts["lower"]), forecasts


def test_llm_as_rnn_runs_on_the_default_backbone(default_lm, weather_task):
    from llm_as_rnn.backbones.roles import Roles
    from llm_as_rnn.programs import LLMAsRNN

    sequence = weather_task.sequences("dev", limit=1, steps=2)[0]
    program = LLMAsRNN(weather_task, budget=160, feedback="measured", roles=Roles(predictor=default_lm))
    with dspy.context(lm=default_lm):
        out = program(steps=sequence.steps, sequence_id=sequence.id)
    assert out.failures == {}, out.failures
    assert out.lm_calls == [2, 2] or all(n >= 2 for n in out.lm_calls)
    assert all(n <= 160 for n in out.memory_tokens) and out.memories[-1] != out.initial_memory
