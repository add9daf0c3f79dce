"""An API key in the environment reaches the backbone and nothing else: not traces, caches, reports or logs."""

from __future__ import annotations

import logging

import dspy

from benchmarks.loopback_server import LoopbackServer
from llm_as_rnn.cli.common import configure_logging
from llm_as_rnn.cli.main import main
from llm_as_rnn.utils.redact import RedactingFilter, redact

SECRET = "sk-test-SENTINEL-0123456789abcdef"


def _files_containing(root, needle: bytes) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_the_key_is_used_but_never_written(tmp_path, monkeypatch, capsys, caplog):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    cache = tmp_path / "dspy-cache"
    dspy.configure_cache(enable_disk_cache=True, enable_memory_cache=True, disk_cache_dir=str(cache))
    server = LoopbackServer().start()
    try:
        with caplog.at_level(logging.DEBUG):
            code = main(["-vv", "evaluate", "--tasks", "weather", "--methods", "zero_shot,llm_as_rnn",
                         "--episodes", "1", "--steps", "2", "--backbone", "openai/loopback-model",
                         "--api-base", server.url, "--out", str(tmp_path / "eval")])
    finally:
        server.stop()
        dspy.configure_cache(enable_disk_cache=False, enable_memory_cache=False)
    assert code == 0
    assert f"Bearer {SECRET}" in server.authorizations  # the key was really used
    printed = capsys.readouterr()
    assert SECRET not in printed.out + printed.err
    assert SECRET not in caplog.text
    assert any(cache.rglob("*")), "the DSPy cache was not written"
    assert _files_containing(tmp_path, SECRET.encode()) == []


def test_errors_and_logs_that_quote_a_key_are_redacted(monkeypatch, caplog):
    monkeypatch.setenv("SOME_PROVIDER_API_KEY", SECRET)
    assert redact(f"401: bad key {SECRET}") == "401: bad key [REDACTED]"
    configure_logging(0)
    assert any(isinstance(f, RedactingFilter) for h in logging.getLogger().handlers for f in h.filters)
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed with %s", (SECRET,), None)
    RedactingFilter().filter(record)
    assert SECRET not in record.getMessage()


class _EchoingUnauthorized:
    """A loopback server that answers every request 401 and echoes the Authorization header in the body."""

    def __init__(self):
        import http.server
        import threading

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                import json

                message = f"invalid key: {self.headers.get('Authorization', '')}"
                body = json.dumps({"error": {"message": message, "type": "invalid_request_error"}}).encode()
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()


def test_a_server_that_echoes_the_key_in_a_401_never_gets_it_printed_or_written(tmp_path):
    import os
    import subprocess
    import sys

    server = _EchoingUnauthorized()
    env = {**os.environ, "OPENAI_API_KEY": SECRET, "TMPDIR": str(tmp_path), "DSPY_CACHEDIR": str(tmp_path / "cache"),
           "HOME": str(tmp_path)}
    try:
        for verb in (["run", "--episodes", "1", "--steps", "1"],
                     ["evaluate", "--tasks", "weather", "--methods", "zero_shot", "--episodes", "1", "--steps", "1"]):
            result = subprocess.run(
                [sys.executable, "-m", "llm_as_rnn.cli.main", *verb, "--backbone", "openai/echo",
                 "--api-base", server.url, "--out", str(tmp_path / "out")],
                capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
            assert result.returncode == 2, result.stderr
            assert SECRET not in result.stdout + result.stderr
            assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) <= 3
            assert "openai/echo" in result.stderr and server.url in result.stderr
    finally:
        server.stop()
    assert _files_containing(tmp_path, SECRET.encode()) == []


def test_secrets_given_in_arguments_are_redacted_everywhere(tmp_path, capsys):
    """A key inside a URL argument (server or storage address) is redacted like an environment key."""
    from llm_as_rnn.utils import redact as redaction

    assert redaction.secrets_in_arguments(["--api-base", "https://user:sk-in-url-123456@host:8000/v1",
                                           "--storage", "postgresql://u:dbpass99@db/x", "https://h/v1?api_key=qk-42zz",
                                           "https://h/v1?model=gpt"]) == ["sk-in-url-123456", "dbpass99", "qk-42zz"]
    try:
        code = main(["run", "--backbone", "openai/served", "--api-base",
                     "http://user:sk-in-url-123456@127.0.0.1:9/v1", "--out", str(tmp_path / "run")])
        assert code == 2
        printed = capsys.readouterr()
        assert "127.0.0.1:9" in printed.err and "sk-in-url-123456" not in printed.out + printed.err
        assert _files_containing(tmp_path, b"sk-in-url-123456") == []
    finally:
        redaction._registered.clear()


def test_optuna_user_attributes_are_redacted(monkeypatch):
    import optuna

    from llm_as_rnn.optimize.tune import _set_user_attr

    monkeypatch.setenv("SOME_PROVIDER_API_KEY", SECRET)
    study = optuna.create_study()
    trial = study.ask()
    _set_user_attr(trial, "infeasible", f"the server said: bad key {SECRET}")
    _set_user_attr(trial, "prompt_tokens_per_step", 12.5)
    assert study.trials[0].user_attrs == {"infeasible": "the server said: bad key [REDACTED]",
                                          "prompt_tokens_per_step": 12.5}
