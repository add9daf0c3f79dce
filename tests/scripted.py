"""A scripted, deterministic backbone for unit tests: a DSPy custom engine whose answers come from Python.

It declares JSON-schema support, so DSPy's JSONAdapter sends it the output schema; the engine reads the requested
fields from that schema and asks a responder for their values. The real adapter, parser and program code run.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dspy
from dspy.lm15 import Message, Response, TextPart, Usage, response_to_events


@dataclass
class Call:
    """One request as the engine saw it."""

    fields: list[str]
    system: str
    user: str
    schema: dict[str, Any] | None
    max_tokens: int | None

    @property
    def role(self) -> str:
        """Which step of the loop asked: predict, feedback, update, summarize... (by its output fields)."""
        if "critique" in self.fields and len(self.fields) > 2:
            return "fused"
        if "critique" in self.fields:
            return "feedback"
        if self.fields == ["summary"]:
            return "summarize"
        if any(f in self.fields for f in ("patterns", "corrections", "watch", "history", "notes")):
            return "update"
        return "predict"


Responder = Callable[[Call], dict[str, Any] | str]


@dataclass
class ScriptedEngine:
    """Answers each call with `responder(call)`: a dict of field values (JSON-encoded here) or a raw string."""

    responder: Responder
    supports_response_schema: bool = True
    supports_schema_limits: bool = True
    supported_params: frozenset = frozenset({"temperature", "max_tokens", "response_format", "seed", "stop"})
    calls: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def complete(self, request: Any) -> Response:
        system = request.system if isinstance(request.system, str) else "".join(p.text for p in request.system or ())
        user = "\n".join(m.text or "" for m in request.messages)
        response_format = request.config.response_format or {}
        schema = response_format.get("schema")
        chat_format = schema is None  # ChatAdapter (DSPy's default, used by optimizers' proposers): no schema sent
        fields = list(schema.get("properties", {})) if schema else _fields_in_system_prompt(system)
        call = Call(fields, system, user, schema, request.config.max_tokens)
        with self._lock:
            self.calls.append(call)
        answer = self.responder(call)
        if isinstance(answer, str):
            text = answer
        elif chat_format and "Respond with a JSON object" not in user:
            text = "".join(f"[[ ## {k} ## ]]\n{v if isinstance(v, str) else json.dumps(v)}\n\n"
                           for k, v in answer.items()) + "[[ ## completed ## ]]"
        else:
            text = json.dumps(answer)
        return Response(id=None, model="scripted", message=Message.assistant([TextPart(text)]),
                        finish_reason="stop", usage=Usage(input_tokens=self.count_tokens(system + user),
                                                          output_tokens=self.count_tokens(text),
                                                          total_tokens=0))

    def stream(self, request: Any):
        return response_to_events(self.complete(request))

    def close(self) -> None:
        pass

    def count_tokens(self, text: str) -> int:
        """Whitespace tokens: deterministic, and easy to reason about in budget tests."""
        return len(text.split())

    def __deepcopy__(self, memo: dict) -> ScriptedEngine:
        return self

    def calls_for(self, role: str) -> list[Call]:
        return [c for c in self.calls if c.role == role]


def _fields_in_system_prompt(system: str) -> list[str]:
    """Output fields as DSPy's adapters list them: 'Your output fields are:' then '1. `name` (type): ...'."""
    section = system.split("Your output fields are:")[-1].split("All interactions")[0]
    return re.findall(r"^\d+\. `(\w+)`", section, flags=re.MULTILINE) if "Your output fields are:" in system else []


def scripted_lm(responder: Responder, name: str = "scripted/test") -> tuple[dspy.LM, ScriptedEngine]:
    engine = ScriptedEngine(responder)
    return dspy.LM(name, engine=engine, cache=False, temperature=0.0, max_tokens=512), engine


def weather_responder(call: Call) -> dict[str, Any]:
    """A plausible weather model: predicts today's temp_max + 0.5, writes the measured error into memory."""
    if call.role == "predict":
        today = _today_temp_max(call.user)
        adjustment = {"temp_max_adjustment": 0.5} if "temp_max_adjustment" in call.fields else {}
        return {**adjustment, "temp_max": today + 0.5, "rain": "no"}
    if call.role in ("feedback", "fused"):
        out = {"critique": "the forecast missed the change", "lesson": "follow the last day"}
        if call.role == "fused":
            out.pop("lesson")
            out.update(_memory_sections(call))
        return {k: v for k, v in out.items() if k in call.fields}
    return _memory_sections(call)


def _memory_sections(call: Call) -> dict[str, Any]:
    error = call.user.split("error ")[1].split(" ")[0] if "error " in call.user else "unknown"
    values = {"patterns": ["tomorrow follows today within 2 C"], "corrections": [f"last error was {error}"],
              "watch": ["rain after wet days"]}
    return {k: v for k, v in values.items() if k in call.fields}


def _today_temp_max(user: str) -> float:
    """temp_max of day 0 from a weather input table."""
    for line in user.splitlines():
        parts = line.split()
        if parts[:1] == ["0"] and len(parts) >= 2:
            return float(parts[1])
    return 10.0
