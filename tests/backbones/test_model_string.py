"""Model strings: validated up front, with errors that say how to write one."""

from __future__ import annotations

import importlib.metadata

import dspy
import pytest

from llm_as_rnn.backbones import BackboneError, load_backbone, parse_model_string
from llm_as_rnn.backbones.embedded import resolve_gguf


@pytest.mark.parametrize("text", ["gpt4", "", "/model", "openai/", "Open AI/gpt"])
def test_malformed_strings_explain_the_format(text):
    with pytest.raises(BackboneError, match="provider/model"):
        parse_model_string(text)


def test_unknown_litellm_provider_is_named():
    with pytest.raises(BackboneError, match="LiteLLM has no provider 'opnai'"):
        parse_model_string("opnai/gpt-4o-mini")


def test_known_strings_parse():
    assert parse_model_string("openai/gpt-4o-mini").provider == "openai"
    assert parse_model_string("llamacpp/smollm2-135m-instruct").embedded
    assert parse_model_string("hosted_vllm/meta-llama/Llama-3.2-3B").name == "meta-llama/Llama-3.2-3B"


def test_litellm_backbones_use_the_litellm_engine_and_make_no_call():
    lm = load_backbone("openai/gpt-4o-mini", api_base="http://127.0.0.1:9/v1")
    assert isinstance(lm, dspy.LM)
    assert lm.engine == "litellm"
    assert lm.kwargs["temperature"] == 0.0 and lm.kwargs["max_tokens"] == 512
    assert lm.kwargs["api_base"] == "http://127.0.0.1:9/v1"


def test_api_keys_cannot_be_passed_in_code():
    with pytest.raises(BackboneError, match="environment"):
        load_backbone("openai/gpt-4o-mini", api_key="sk-secret")


def test_embedded_backbone_takes_no_server_settings():
    with pytest.raises(BackboneError, match="in-process"):
        load_backbone("llamacpp/smollm2-135m-instruct", api_base="http://x")


def test_missing_embedded_extra_names_the_extra(monkeypatch):
    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    with pytest.raises(BackboneError, match=r"llm-as-rnn\[embedded\]"):
        resolve_gguf("smollm2-135m-instruct")


def test_unknown_embedded_name_and_missing_gguf(tmp_path):
    with pytest.raises(BackboneError, match="not an embedded model"):
        resolve_gguf("tinyllama")
    with pytest.raises(BackboneError, match="GGUF file not found"):
        resolve_gguf(str(tmp_path / "nope.gguf"))


def test_gguf_paths_get_a_unique_cache_id(tmp_path):
    a, b = tmp_path / "a" / "m.gguf", tmp_path / "b" / "m.gguf"
    for path, size in ((a, 3), (b, 4)):
        path.parent.mkdir()
        path.write_bytes(b"GGUF" + b"x" * size)
    assert resolve_gguf(str(a))[1] != resolve_gguf(str(b))[1]
