"""A loopback OpenAI-compatible chat server for tests and benchmarks: fixed latency, a number of parallel slots,
and injected faults (HTTP 500s, stalls). It answers whatever output fields DSPy's adapter asks for with plain
values, so programs run end to end against it through LiteLLM (`openai/<name>` with `api_base`).

    server = LoopbackServer(latency=0.2, slots=4).start()      # server.url -> http://127.0.0.1:PORT/v1
    ...
    server.stop()
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_FIELD = re.compile(r"^\d+\. `(\w+)` \(([^)]*(?:\)[^)]*)*?)\)", re.MULTILINE)


def answer_fields(system: str) -> dict[str, Any]:
    """Plain values for the output fields listed in a DSPy system prompt ('Your output fields are: 1. `x` (float)')."""
    section = system.split("Your output fields are:")[-1]
    values: dict[str, Any] = {}
    for name, kind in _FIELD.findall(section):
        if kind.startswith("Literal"):
            values[name] = re.findall(r"'([^']*)'", kind)[0]
        elif kind in ("float", "int"):
            values[name] = 1.0 if kind == "float" else 1
        elif kind == "bool":
            values[name] = True
        elif kind == "list[int]":
            values[name] = []
        elif kind.startswith("list"):
            values[name] = ["a note"]
        else:
            values[name] = "a short text"
    return values


@dataclass
class LoopbackServer:
    latency: float = 0.0
    slots: int = 64
    fail_rate: float = 0.0
    stall_rate: float = 0.0
    stall_seconds: float = 30.0
    seed: int = 0
    requests: int = 0
    failures: int = 0
    stalls: int = 0
    authorizations: list[str] = field(default_factory=list)
    response_formats: list[Any] = field(default_factory=list)
    max_in_flight: int = 0
    _in_flight: int = 0

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.slots)
        self._lock = threading.Lock()
        self._random = random.Random(self.seed)
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> LoopbackServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                owner._serve(self, body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _serve(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        with self._lock:
            self.requests += 1
            self.authorizations.append(handler.headers.get("Authorization", ""))
            self.response_formats.append(body.get("response_format"))
            roll = self._random.random()
        if roll < self.fail_rate:
            with self._lock:
                self.failures += 1
            return self._reply(handler, 500, {"error": {"message": "injected failure", "type": "server_error"}})
        if roll < self.fail_rate + self.stall_rate:
            with self._lock:
                self.stalls += 1
            time.sleep(self.stall_seconds)  # the client's timeout must give up first
            return None
        with self._slots:
            with self._lock:
                self._in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self._in_flight)
            time.sleep(self.latency)
            with self._lock:
                self._in_flight -= 1
        system = next((m.get("content") or "" for m in body.get("messages", []) if m.get("role") == "system"), "")
        content = json.dumps(answer_fields(system if isinstance(system, str) else json.dumps(system)))
        return self._reply(handler, 200, {
            "id": "loopback", "object": "chat.completion", "created": int(time.time()), "model": body.get("model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        })

    @staticmethod
    def _reply(handler: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
