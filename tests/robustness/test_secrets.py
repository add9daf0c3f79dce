"""An API key in the environment reaches the backbone and nothing else: not traces, caches, reports or logs."""

from __future__ import annotations

import logging

import dspy

from benchmarks.loopback_server import LoopbackServer
from llm_as_rnn.cli.common import configure_logging
from llm_as_rnn.cli.main import main
from llm_as_rnn.reports.redact import RedactingFilter, redact

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
