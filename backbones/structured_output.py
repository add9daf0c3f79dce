"""Which structured-output mode a served backbone honours, found by asking it, once.

Servers differ: vLLM and llama.cpp's `llama-server` take OpenAI's `json_schema`; llama-cpp-python's own server
fails on it ("internal error") but constrains decoding to a schema sent as `{"type": "json_object", "schema": ...}`;
others only have JSON mode, or nothing. A small model answers unconstrained output malformed half the time, so the
mode matters: `choose_structured_output` tries each with a schema an unconstrained model would not satisfy (an enum
of one made-up word) and keeps the first the server enforces. The step adapter (`SystemPromptMemoryAdapter`)
reads the choice from the LM (`lm.structured_output`).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import dspy

from llm_as_rnn.backbones.litellm_module import litellm_module

logger = logging.getLogger(__name__)

MODES = ("json_schema", "json_object_schema", "json_object", "none")
PROBE_WORD = "zqx7"
PROBE_SCHEMA = {"type": "object", "properties": {"code": {"type": "string", "enum": [PROBE_WORD]}},
                "required": ["code"], "additionalProperties": False}
PROBE_MESSAGES = [{"role": "user", "content": "Reply with a JSON object."}]


def response_format(mode: str) -> dict[str, Any] | None:
    """The probe's `response_format` for a mode (None: no constraint asked)."""
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "probe", "schema": PROBE_SCHEMA, "strict": True}}
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": PROBE_SCHEMA}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


def _honoured(lm: dspy.BaseLM, mode: str) -> bool:
    """Does the server answer this mode, and (for a schema mode) enforce the schema?"""
    try:
        outputs = lm(messages=PROBE_MESSAGES, max_tokens=24, response_format=response_format(mode))
    except Exception as exc:  # the server rejects the mode: try the next one
        logger.info("%s: %s not accepted (%s)", lm.model, mode, str(exc).splitlines()[0][:200] if str(exc) else exc)
        return False
    text = outputs[0] if outputs else ""
    text = text.get("text", "") if isinstance(text, dict) else str(text)
    try:
        answer = json.loads(text)
    except json.JSONDecodeError:
        return False
    if mode == "json_object":
        return isinstance(answer, dict)
    return isinstance(answer, dict) and answer.get("code") == PROBE_WORD


def choose_structured_output(lm: dspy.BaseLM) -> str:
    """Probe a served (LiteLLM-routed) backbone, set `lm.structured_output` to the first mode it honours (see
    `MODES`) and return it; `json_schema` is also declared to LiteLLM so DSPy sends the schema. Costs up to four
    tiny uncached calls without retries."""
    probe = lm.copy(num_retries=0, cache=False)
    chosen = next((mode for mode in MODES[:-1] if _honoured(probe, mode)), "none")
    lm.structured_output = chosen
    if chosen == "json_schema":
        provider = lm.model.split("/", 1)[0]
        litellm_module().register_model({lm.model: {"litellm_provider": provider, "mode": "chat",
                                                    "supports_response_schema": True}})
    return chosen


def describe_mode(mode: str) -> str:
    """What a mode means, for the one line the CLI prints."""
    return {"json_schema": "the server enforces the JSON schema (json_schema)",
            "json_object_schema": "the server enforces the JSON schema sent with JSON mode (json_object + schema); "
                                  "it rejects json_schema",
            "json_object": "the server has JSON mode only: answers are JSON but not held to the schema",
            "none": "the server enforces no JSON: answers follow the prompt only and small models may break "
                    "the format (counted as failures)"}[mode]
