"""The package is layered: no import cycle between its modules, and no first-party import hidden inside a function
outside `cli/` (the CLI imports lazily so that `llm-rnn --help` starts fast)."""

from __future__ import annotations

from benchmarks.layering import measure


def test_no_import_cycles_and_no_hidden_imports():
    result = measure()
    assert result["cycles"] == []
    assert result["function_imports_outside_cli"] == []
