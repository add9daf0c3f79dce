"""The llama.cpp engine's contract, checked with a stand-in for `llama_cpp.Llama` (no weights needed)."""

from __future__ import annotations

import copy
import json
import threading
import time

import dspy
import pytest

from llm_as_rnn.backbones import llamacpp_engine
from llm_as_rnn.backbones.llamacpp_engine import LlamaCppEngine, bound_strings


class FakeLlama:
    instances = 0

    def __init__(self, **kwargs):
        FakeLlama.instances += 1
        self.init_kwargs = kwargs
        self.kwargs_seen, self.active, self.max_active = [], 0, 0
        self.input_ids, self.n_tokens, self.n_batch = [], 0, 512

    def create_chat_completion(self, **kwargs):
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        time.sleep(0.005)
        self.kwargs_seen.append(kwargs)
        self.active -= 1
        if sum(len(m["content"]) for m in kwargs["messages"]) > 5000:
            raise ValueError("Requested tokens (9000) exceed context window of 8192")
        schema = (kwargs.get("response_format") or {}).get("schema") or {"properties": {"answer": {}}}
        content = json.dumps(dict.fromkeys(schema["properties"], "1.5"))
        return {"choices": [{"message": {"content": content}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}}

    def tokenize(self, data, add_bos=False, special=False):
        return list(data.split())

    @staticmethod
    def longest_token_prefix(a, b):
        n = 0
        for x, y in zip(a, b, strict=False):
            if x != y:
                break
            n += 1
        return n


@pytest.fixture
def engine(monkeypatch, tmp_path):
    class FakeModule:
        Llama = FakeLlama

    monkeypatch.setattr(llamacpp_engine, "_import_llama_cpp", lambda: FakeModule)
    monkeypatch.setattr(llamacpp_engine, "_share_model", lambda owner: FakeLlama(shares=owner))
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"gguf")
    return LlamaCppEngine(gguf, contexts=2)


def test_schema_becomes_a_llama_cpp_grammar_with_bounded_strings(engine):
    lm = dspy.LM("llamacpp/fake", engine=engine, cache=False)
    with dspy.context(lm=lm, adapter=dspy.JSONAdapter()):
        out = dspy.Predict("question -> answer: float, note: str")(question="q")
    assert out.answer == 1.5
    sent = engine._pool[next(iter(engine._pool))].kwargs_seen[-1]
    assert sent["response_format"]["type"] == "json_object"
    schema = sent["response_format"]["schema"]
    assert schema["properties"]["note"]["maxLength"] == engine.max_string_chars
    assert "maxLength" not in schema["properties"]["answer"]
    assert sent["temperature"] == 0.0 and sent["max_tokens"] > 0 and sent["seed"] == 0


def test_bound_strings_leaves_enums_and_explicit_limits():
    schema = {"properties": {"a": {"type": "string"}, "b": {"type": "string", "enum": ["x"]},
                             "c": {"type": "string", "maxLength": 5},
                             "d": {"type": "array", "items": {"type": "string"}}}}
    bounded = bound_strings(schema, 50)
    assert bounded["properties"]["a"]["maxLength"] == 50
    assert "maxLength" not in bounded["properties"]["b"]
    assert bounded["properties"]["c"]["maxLength"] == 5
    assert bounded["properties"]["d"]["items"]["maxLength"] == 50


def test_calls_from_many_threads_are_serialised(engine):
    lm = dspy.LM("llamacpp/fake", engine=engine, cache=False)
    predict = dspy.Predict("question -> answer")

    def call(i):
        with dspy.context(lm=lm, adapter=dspy.JSONAdapter()):
            predict(question=f"q{i}")

    threads = [threading.Thread(target=call, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert engine.calls == 8
    assert all(llm.max_active == 1 for llm in engine._pool.values())


def test_deepcopy_borrows_the_engine_and_state_has_no_secrets(engine):
    assert copy.deepcopy(engine) is engine
    state = engine.dump_state()
    assert set(state) >= {"model_path", "n_ctx"}
    assert not any("key" in k for k in state)


def test_context_overflow_becomes_a_context_window_error(engine):
    lm = dspy.LM("llamacpp/fake", engine=engine, cache=False, num_retries=0)
    overflow = dspy.utils.exceptions.ContextWindowExceededError
    with dspy.context(lm=lm, adapter=dspy.JSONAdapter()), pytest.raises(overflow):
        dspy.Predict("question -> answer")(question="x" * 6000)


def test_contexts_are_pooled_by_prompt_head(engine):
    for head in ("system A", "system B", "system A", "system C"):
        engine._context_for([{"role": "system", "content": head}])
    assert list(engine._pool) == ["system A", "system C"]


def test_the_weights_are_loaded_once_whatever_the_number_of_contexts(engine):
    for head in ("system A", "system B", "system C"):
        engine._context_for([{"role": "system", "content": head}])
    contexts = {id(c): c for c in [engine.llm, *engine._pool.values()]}.values()
    loaded = [c for c in contexts if "model_path" in c.init_kwargs]
    assert len(contexts) == 2 and len(loaded) == 1
    assert all(c.init_kwargs.get("shares") is engine.llm for c in contexts if c is not engine.llm)


def _chatml_tokens(content: str) -> list[str]:
    return llamacpp_engine._chat_text(FakeLlama(), [{"role": "user", "content": content}]).encode().split()


PROMPT = "t0 t1 t2 t3 t4 t5 t6 t7 t8 t9 t10 t11"


@pytest.mark.parametrize(("previous_prompt", "generated", "reused"), [
    (7, 5, 4),    # the context also holds 5 tokens generated after its prompt, all matching: they are not reused
    (14, 0, 12),  # the same prompt (14 tokens): whole batches only, and its last batch is evaluated again
    (3, 0, 0),    # less than one whole batch in common: nothing is reused
])
def test_kv_reuse_stops_at_a_whole_batch_of_the_previous_prompt(engine, previous_prompt, generated, reused):
    """The answer must depend on the prompt alone: only whole `n_batch` batches of the previous prompt (never
    tokens generated one at a time) are reused, so every batch evaluated is one a fresh evaluation would run."""
    llm = engine.llm
    llm.n_batch = 4
    tokens = _chatml_tokens(PROMPT)
    assert len(tokens) == 14
    llm.input_ids = tokens[: previous_prompt + generated]
    llm.n_tokens = len(llm.input_ids)
    engine._prompt_lengths[id(llm)] = previous_prompt
    assert list(engine._reuse_aligned_prefix(llm, [{"role": "user", "content": PROMPT}])) == list(tokens)
    assert llm.n_tokens == reused
    assert engine.reused_prompt_tokens == reused and engine.prompt_tokens == len(tokens)


def test_kv_reuse_is_dropped_when_the_prompt_cannot_be_tokenized(engine):
    llm = engine.llm
    llm.input_ids, llm.n_tokens = ["a"] * 8, 8
    engine._prompt_lengths[id(llm)] = 8

    def broken(*args, **kwargs):
        raise RuntimeError("tokenizer")

    llm.tokenize = broken
    assert engine._reuse_aligned_prefix(llm, [{"role": "user", "content": "a"}]) == []
    assert llm.n_tokens == 0


def test_a_zero_string_limit_leaves_the_schema_unbounded():
    """The instruction proposer's engine (max_string_chars=0): a grammar limit of 4,000 characters crashed llama.cpp
    while it built the grammar, so its strings carry no maxLength at all."""
    schema = {"type": "object", "properties": {"new_instruction": {"type": "string"}}}
    sent = llamacpp_engine._grammar_response_format({"type": "json_schema", "schema": schema}, 0)
    assert sent == {"type": "json_object", "schema": schema}
    bounded = llamacpp_engine._grammar_response_format({"type": "json_schema", "schema": schema}, 160)
    assert bounded["schema"]["properties"]["new_instruction"]["maxLength"] == 160
    assert "maxLength" not in schema["properties"]["new_instruction"]  # the caller's schema is not edited
