"""probe_share: rows grouped by backbone, zero-shot first; read from the committed probe folder, the anchors frame
the scale (the oracle is the ceiling, a perfect learner from revealed truths knows the offset from step 1 on)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.probe_share import ordered, scores

FOLDER = Path(__file__).resolve().parents[2] / "results" / "probe"


def test_rows_are_grouped_by_backbone_with_zero_shot_first_and_anchors_last():
    table = {name: np.zeros(2) for name in ("oracle", "llm_as_rnn:measured,backbone=b", "fhc", "zero_shot:backbone=b",
                                            "llm_as_rnn:measured", "zero_shot", "fhc:backbone=b")}
    assert ordered(table) == ["zero_shot", "fhc", "llm_as_rnn:measured", "zero_shot:backbone=b", "fhc:backbone=b",
                              "llm_as_rnn:measured,backbone=b", "oracle"]


def test_the_committed_probe_is_framed_by_its_anchors():
    table = scores(FOLDER, 1)
    assert table["probe-offset"]["oracle"].mean() == 1.0 and table["probe-offset"]["from_revealed"].mean() == 1.0
    assert table["probe-offset"]["zero_shot"].mean() == 0.0  # the input alone cannot give the answer
    assert table["probe-remap"]["oracle"].mean() == 1.0
