"""The cut-bullet audit finds a stored sequence whose memory held a bullet the string limit cut, and only that."""

from __future__ import annotations

import json

from benchmarks.cut_bullets import audit


def test_the_audit_counts_sequences_whose_memory_held_a_cut_bullet(tmp_path):
    cut = "- Forecasts ran too low; the actual temperature was 3.3 °C higher than the 17."  # a decimal point cut
    whole = "- Forecasts ran too low."
    folder = tmp_path / "results" / "eval" / "sequences" / "weather-x" / "m"
    folder.mkdir(parents=True)
    limit = len(cut) - 2
    for name, memory in (("a", cut), ("b", whole)):
        (folder / f"{name}.json").write_text(json.dumps({"task": "weather", "method": "m",
                                                         "records": [{"memory": f"Patterns:\n{memory}"}]}))
    assert audit(tmp_path / "results", limit) == [["results/eval", "weather", "m", 1, 2]]
    assert audit(tmp_path / "results", limit + 1) == []  # shorter than the limit: nothing cut it
