"""The real embedded backbone (SmolLM2-135M, llama.cpp, grammar-constrained), end to end on real weather data."""

from __future__ import annotations

import json
import math

import dspy
import pytest

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.cli.main import main
from llm_as_rnn.programs import LLMAsRNN
from llm_as_rnn.reports.trace import read_trace

pytestmark = pytest.mark.integration


def test_typed_prediction_parses_under_the_grammar(embedded_lm, weather_task):
    from llm_as_rnn.programs.adapter import SystemPromptMemoryAdapter
    from llm_as_rnn.signatures.predict import predict_signature

    step = weather_task.sequences("test", limit=1, steps=1)[0].steps[0]
    with dspy.context(lm=embedded_lm, adapter=SystemPromptMemoryAdapter()):
        out = dspy.Predict(predict_signature(weather_task.targets, weather_task.description))(
            memory="(empty)", observation=step.input)
    assert math.isfinite(out.temp_max) and out.rain in ("yes", "no")


def test_a_top_k_answer_has_exactly_k_items_under_the_grammar(embedded_lm):
    """`minItems` reaches llama.cpp's grammar: the model cannot stop a ranked answer short of k (Acc@5 reads 5)."""
    from llm_as_rnn.programs.adapter import SystemPromptMemoryAdapter
    from llm_as_rnn.signatures.predict import predict_signature
    from llm_as_rnn.tasks.clinical import ClinicalTask

    clinical = ClinicalTask(k=2)  # two items prove the bound and keep the test short (each item is a long label)
    step = clinical.sequences("test", limit=1, steps=1)[0].steps[0]
    with dspy.context(lm=embedded_lm, adapter=SystemPromptMemoryAdapter()):
        out = dspy.Predict(predict_signature(clinical.targets, clinical.description))(
            memory="(empty)", observation=step.input)
    assert len(out.diagnoses) == clinical.k and set(out.diagnoses) <= set(clinical.labels)


def test_token_counts_come_from_the_model_tokenizer(embedded_lm):
    engine = embedded_lm.engine
    assert engine.count_tokens("") == 0
    assert engine.count_tokens("temp_max 14.4 °C") == len(engine.llm.tokenize("temp_max 14.4 °C".encode(),
                                                                             add_bos=False, special=False))


def test_llm_as_rnn_on_a_real_episode(embedded_lm, weather_task):
    sequence = weather_task.sequences("dev", limit=1, steps=4)[0]
    program = LLMAsRNN(weather_task, budget=120, roles=Roles(predictor=embedded_lm))
    with dspy.context(lm=embedded_lm):
        out = program(steps=sequence.steps, sequence_id=sequence.id)
    values = [p["temp_max"] for p in out.predictions if p is not None]
    assert len(values) >= 3, out.failures
    assert all(math.isfinite(v) and -20.0 <= v <= 45.0 for v in values)
    assert all(p["rain"] in ("yes", "no") for p in out.predictions if p is not None)
    assert any(m != out.initial_memory for m in out.memories), "the memory never changed"
    assert all(n <= 120 for n in out.memory_tokens)
    reasks = [sum(a.startswith("reask") for a in r.budget_actions) for r in out.records]
    if not out.failures:  # a critique is skipped only when its prediction failed
        assert out.lm_calls == [3 + n for n in reasks]
    assert all(p > 0 for p in out.prompt_tokens)


def test_cli_run_writes_a_trace_that_respects_the_budget(tmp_path, capsys):
    pytest.importorskip("llama_cpp")
    code = main(["run", "--backbone", "llamacpp/smollm2-135m-instruct", "--episodes", "1", "--steps", "3",
                 "--split", "dev", "--budget", "100", "--fused",
                 "--out", str(tmp_path)])
    assert code == 0
    (run_dir,) = tmp_path.iterdir()
    rows = list(read_trace(run_dir / "trace.jsonl"))
    assert len(rows) == 3
    assert all(r["memory_tokens"] <= 100 for r in rows)
    assert all(r["lm_calls"] == 2 + sum(a.startswith("reask") for a in r["budget_actions"]) for r in rows)
    results = json.loads((run_dir / "results.json").read_text())
    assert results["stats"]["budget_respected"]
    assert (run_dir / "memory.md").stat().st_size > 0
    assert "persistence" in capsys.readouterr().out



def test_the_instruction_proposer_has_no_string_limit_and_does_not_crash_llama_cpp(embedded_lm):
    """Bug: GEPA's reflection was capped at 160 characters by the step engine's grammar, and a 4,000-character
    limit crashed llama.cpp (SIGSEGV) while it built the grammar. The proposer's engine has no string limit: the
    grammar builds and the answer parses (that no maxLength reaches the grammar is a unit test; SmolLM2 does not
    reliably write long strings, so the length itself is not asserted here)."""
    from llm_as_rnn.backbones.registry import PROPOSAL_MAX_TOKENS, proposer_for

    proposer = proposer_for(embedded_lm)  # what every optimizer proposes with, from the CLI or from Python
    assert proposer.engine is not embedded_lm.engine and proposer.engine.max_string_chars == 0
    assert proposer.kwargs["max_tokens"] == PROPOSAL_MAX_TOKENS
    text = ("Rewrite your memory of this sequence after the step below. Write the whole new memory, do not append "
            "to the old one: keep what still holds, correct what the feedback shows was wrong.")
    with dspy.context(lm=proposer, adapter=dspy.JSONAdapter()):
        out = dspy.Predict("text -> repeated: str")(text=f"Copy this text exactly: {text}")
    assert isinstance(out.repeated, str) and out.repeated
