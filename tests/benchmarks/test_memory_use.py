"""memory_use: read from a real committed evaluation folder, its paired Δ is the report's, and a memory that never
leaves h_0 is counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.memory_use import compare, memory_use

FOLDER = Path(__file__).resolve().parents[2] / "results" / "speed-dev"
BASE = "llm_as_rnn:measured,mask_values,show_running"


def test_the_paired_difference_is_the_reports():
    rows = {row["method"]: row for row in compare(FOLDER, BASE)["weather"]}
    reported = {r["method"]: r for r in json.loads((FOLDER / "results.json").read_text())["rows"]
                if r["kind"] == "difference" and r["versus"] == BASE and r["metric"] == "temp_max.abs_error"}
    assert rows[BASE]["difference"] is None and rows[BASE]["n"] == 12
    for method, row in rows.items():
        if method != BASE:
            assert row["difference"].estimate == pytest.approx(reported[method]["estimate"], abs=1e-9)


def test_a_memory_that_stays_at_h0_is_counted():
    skeleton = "Patterns:\n(nothing yet)"
    records = [{"memory_before": skeleton, "memory": skeleton, "memory_tokens": 5},
               {"memory_before": skeleton, "memory": "Patterns:\n- too high", "memory_tokens": 7},
               {"memory_before": "Patterns:\n- too high", "memory": skeleton, "memory_tokens": 5}]
    assert memory_use({"records": records}) == ([5, 7, 5], 2)
    assert memory_use({"records": [{"t": 0}]}) == ([], 0)  # a memoryless method
