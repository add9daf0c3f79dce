"""The learning-from-feedback probe: the input alone cannot give the answer, the revealed truths can, and the
oracle's gain share is computed as documented."""

from __future__ import annotations

import numpy as np

from benchmarks.probe_share import share
from llm_as_rnn.anchors import anchor_predictions
from llm_as_rnn.tasks import get_task


def _accuracy(task, name, split="test", steps=6, first=1):
    hits = [float(bool(task.correct(p, step.target)))
            for s in task.sequences(split, steps=steps)
            for p, step in list(zip(anchor_predictions(task, name, s), s.steps, strict=True))[first:]]
    return float(np.mean(hits))


def test_the_input_alone_cannot_give_the_answer_and_the_revealed_truths_can():
    offset, remap = get_task("probe-offset"), get_task("probe-remap")
    assert _accuracy(offset, "no_rule") == 0.0  # the offset is never 0
    assert _accuracy(offset, "from_revealed") == 1.0 == _accuracy(offset, "oracle")  # one revealed answer suffices
    assert 0.15 < _accuracy(remap, "no_rule", first=0) < 0.55  # about chance (1/3)
    assert _accuracy(remap, "from_revealed") > _accuracy(remap, "no_rule") and _accuracy(remap, "oracle") == 1.0


def test_no_value_of_the_rule_reaches_the_input_and_splits_differ():
    for name in ("probe-offset", "probe-remap"):
        task = get_task(name)
        test, dev = task.sequences("test"), task.sequences("dev")
        assert [[st.target for st in s.steps] for s in test] != [[st.target for st in s.steps] for s in dev]
        for sequence in test:  # the input is the reading or the colour, nothing of the rule
            for step in sequence.steps:
                shown = step.context.get("reading", step.context.get("colour"))
                assert step.input in (f"Reading: {shown}", f"Colour: {shown}")


def test_the_share_is_one_for_the_oracle_and_zero_for_zero_shot():
    zero, oracle = np.array([0.0, 0.2, 0.4, 0.0]), np.ones(4)
    assert share(oracle, zero, oracle)[0] == 1.0 and share(zero, zero, oracle)[0] == 0.0
    half = (zero + oracle) / 2
    assert abs(share(half, zero, oracle)[0] - 0.5) < 1e-9
