"""The default embedded backbone (Qwen2.5-Coder-1.5B) end to end, and the property it was chosen for: it reads its
memory (a note to forecast higher moves its forecasts up, a note to forecast lower moves them down)."""

from __future__ import annotations

import math

import dspy
import pytest

from llm_as_rnn.backbones.model_string import EMBEDDED_DEFAULT
from llm_as_rnn.programs.memory import MemorySchema

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
            memory = MemorySchema.of(weather_task.memory_spec).memory({"corrections": (note,)}).render()
            forecasts[name] = [predictor(memory, s.input, StepRecord(0, s.input, None, dict(s.target)))["temp_max"]
                               for s in steps]
    assert all(math.isfinite(v) for v in forecasts["higher"] + forecasts["lower"])
    assert sum(forecasts["higher"]) > sum(forecasts["lower"]), forecasts


def test_under_the_adjust_contract_the_note_becomes_the_adjustment_and_moves_the_forecast(default_lm, weather_task):
    """`adjust`: the model writes how much its memory says to add before the forecast. A note to forecast lower must
    give a negative adjustment and a lower forecast than a note to forecast higher (`benchmarks.memory_sensitivity
    --adjust`: mean shifts +1.0 / -1.6 °C of the 3 °C asked on 6 dev steps; README, "The adjustment field")."""
    from llm_as_rnn.programs.predictor import StepPredictor
    from llm_as_rnn.programs.records import StepRecord
    from llm_as_rnn.programs.sequence_program import SequenceProgram

    steps = [s for q in weather_task.sequences("dev", limit=2, steps=1) for s in q.steps]
    notes = {
        "higher": "my recent forecasts were 3 °C too low: forecast 3 °C higher than today's temp_max suggests",
        "lower": "my recent forecasts were 3 °C too high: forecast 3 °C lower than today's temp_max suggests",
    }
    predictor, forecasts, adjustments = StepPredictor(weather_task, adjust=True), {}, {}
    with dspy.context(lm=default_lm, adapter=SequenceProgram(weather_task).adapter):
        for name, note in notes.items():
            memory = MemorySchema.of(weather_task.memory_spec).memory({"corrections": (note,)}).render()
            records = [StepRecord(0, s.input, None, dict(s.target)) for s in steps]
            forecasts[name] = [predictor(memory, s.input, r)["temp_max"] for s, r in zip(steps, records, strict=True)]
            adjustments[name] = [r.adjustments["temp_max_adjustment"] for r in records]
    assert sum(adjustments["lower"]) < 0 and sum(adjustments["higher"]) > sum(adjustments["lower"]), adjustments
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


def _last_logits(engine, messages):
    """The prompt's next-token logits, as the context that evaluated it holds them."""
    import numpy as np

    engine.prefill(messages)
    llm = engine._context_for(messages)
    return np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm._n_vocab,)).copy()


def long_prompt(question: str) -> list[dict[str, str]]:
    rows = "\n".join(f"day {i}: temp_max {10 + (i * 7) % 13}.{i % 10} °C, rain {'yes' if i % 3 else 'no'}"
                     for i in range(60))
    return [{"role": "system", "content": f"You forecast the weather.\n{rows}"},
            {"role": "user", "content": question}]


def test_an_answer_depends_on_the_prompt_alone_not_on_what_the_context_served_before(default_lm):
    """Bug: with llama-cpp-python's longest-prefix reuse the same prompt gave other logits (and at temperature 0
    sometimes another answer) after another prompt with the same head, so a run's numbers depended on which calls
    DSPy's cache had served. The engine now reuses whole batches only; logits must match a fresh context bit for bit.
    On this backbone the test fails without the fix (max logit difference 0.38 measured with this prompt); SmolLM2
    and the 0.5B gave identical logits either way, so they could not catch it."""
    from llm_as_rnn.backbones.llamacpp_engine import LlamaCppEngine

    target = long_prompt("Forecast tomorrow's temp_max.")
    fresh = LlamaCppEngine(default_lm.engine.model_path, contexts=1)
    expected = _last_logits(fresh, target)
    assert fresh.reused_prompt_tokens == 0
    warm = LlamaCppEngine(default_lm.engine.model_path, contexts=1)
    warm.prefill(long_prompt("Was it raining on day 3?"))  # same head, another question: the context is warm
    got = _last_logits(warm, target)
    assert warm.reused_prompt_tokens >= warm.llm.n_batch  # the head was reused, not re-evaluated
    assert got.tobytes() == expected.tobytes()


def test_an_answer_does_not_depend_on_the_thread_count(default_lm):
    """`n_threads` defaults to every core, so a user with more cores runs more threads than this 2-core machine.
    llama.cpp splits each matrix product by rows, one thread summing each dot product whatever the count, so the
    README's numbers reproduce on more cores of the same kernel set (another kernel set may round differently)."""
    from llm_as_rnn.backbones.llamacpp_engine import LlamaCppEngine

    target = long_prompt("Forecast tomorrow's temp_max.")
    one = _last_logits(LlamaCppEngine(default_lm.engine.model_path, contexts=1, n_threads=1), target)
    four = _last_logits(LlamaCppEngine(default_lm.engine.model_path, contexts=1, n_threads=4), target)
    assert one.tobytes() == four.tobytes()
