"""The structured-output probe keeps the first mode a server enforces, and the adapter sends that mode."""

from __future__ import annotations

import json

import dspy
import pytest

from llm_as_rnn.backbones.structured_output import PROBE_WORD, choose_structured_output
from llm_as_rnn.programs.adapter import SystemPromptMemoryAdapter


class FakeServer:
    """Answers like a server that rejects the modes in `rejects` and enforces a schema only in `enforces`."""

    model = "openai/fake"

    def __init__(self, rejects=(), enforces=()):
        self.rejects, self.enforces, self.seen = set(rejects), set(enforces), []

    def copy(self, **kwargs):
        return self

    def __call__(self, *, messages, max_tokens, response_format):
        kind = None if response_format is None else (
            "json_object_schema" if response_format.get("schema") else response_format["type"])
        self.seen.append(kind)
        if kind in self.rejects:
            raise RuntimeError("internal error")
        if kind in self.enforces:
            return [json.dumps({"code": PROBE_WORD})]
        return ['{"reply": "hello"}'] if kind else ["hello"]


@pytest.mark.parametrize(("server", "expected"), [
    (FakeServer(enforces={"json_schema", "json_object_schema"}), "json_schema"),  # vLLM, llama-server
    (FakeServer(rejects={"json_schema"}, enforces={"json_object_schema"}), "json_object_schema"),  # llama-cpp-python
    (FakeServer(enforces=()), "json_object"),  # JSON mode only: valid JSON, the schema ignored
    (FakeServer(rejects={"json_schema", "json_object_schema", "json_object"}), "none"),
])
def test_the_first_enforced_mode_is_kept(server, expected, monkeypatch):
    monkeypatch.setattr("llm_as_rnn.backbones.structured_output.litellm_module",
                        lambda: type("L", (), {"register_model": staticmethod(lambda spec: None)})())
    assert choose_structured_output(server) == expected
    assert server.structured_output == expected


def test_the_adapter_sends_the_probed_mode():
    class Signature(dspy.Signature):
        """Answer."""

        question: str = dspy.InputField()
        answer: str = dspy.OutputField(max_length=40)

    lm = dspy.LM("openai/fake", engine="litellm")
    for mode, expected in (("json_object_schema", "json_object"), ("none", None)):
        lm.structured_output = mode
        kwargs: dict = {}
        SystemPromptMemoryAdapter()._prepare_response_format(lm, kwargs, Signature)
        response_format = kwargs.get("response_format")
        assert (response_format or {}).get("type") == expected
        if mode == "json_object_schema":
            assert response_format["schema"]["properties"]["answer"]["maxLength"] == 40
