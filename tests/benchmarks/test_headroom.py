"""The headroom table: every anchor paired with the task's reference anchor on the same sequences."""

from __future__ import annotations

from benchmarks.headroom import compare


def test_each_anchor_is_paired_with_the_reference_on_the_same_sequences():
    from llm_as_rnn.tasks import get_task

    rows = compare(get_task("weather"), "dev", episodes=3, steps=4)
    by_anchor = {r[3]: r for r in rows}
    assert {"persistence", "climatology"} <= by_anchor.keys()
    assert by_anchor["persistence"][5] == ""  # the reference is not paired with itself
    assert by_anchor["climatology"][5].endswith("(N=3)") and all(r[1] == 3 for r in rows)


def test_the_difference_is_anchor_minus_reference_over_every_sequence_of_the_split():
    """Sign as in the reports (positive = worse than the reference); `episodes=None` takes every sequence."""
    from llm_as_rnn.tasks import get_task

    rows = compare(get_task("weather"), "test", episodes=None, steps=4)
    by_anchor = {r[3]: r for r in rows}
    assert by_anchor["climatology"][5].startswith("1.16")  # 3.410 − 2.246 on all 91 test sequences
    assert by_anchor["persistence"][1] == 91
