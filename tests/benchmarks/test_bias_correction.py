"""The bias-correction ceiling: causal (a step never uses its own or a later truth) and right on a known case."""

from __future__ import annotations

import pytest

from benchmarks.bias_correction import better_so_far, compare, corrected


def test_the_correction_at_step_t_uses_only_truths_revealed_before_t():
    base, truth = [10.0, 10.0, 10.0, 10.0], [12.0, 14.0, 0.0, 100.0]
    assert corrected(base, truth, 1.0) == pytest.approx([10.0, 12.0, 13.0, 26 / 3])  # errors -2, -4, +10
    changed = corrected(base, [12.0, 14.0, 0.0, -100.0], 1.0)
    assert changed == corrected(base, truth, 1.0)  # the last truth changes nothing before it is revealed
    assert corrected(base, truth, 0.5)[1] == pytest.approx(11.0)


def test_better_so_far_picks_by_errors_revealed_before_the_step():
    base, other, truth = [10.0, 10.0, 10.0, 10.0], [20.0, 20.0, 20.0, 20.0], [19.0, 11.0, 11.0, 50.0]
    # errors so far (base, other): (0, 0) -> base; (9, 1) -> other; (10, 10) -> base (tie); (11, 19) -> base
    assert better_so_far(base, other, truth) == [10.0, 20.0, 10.0, 10.0]
    assert better_so_far(base, other, [19.0, 11.0, 11.0, -50.0]) == better_so_far(base, other, truth)


def test_compare_scores_each_base_and_its_corrections_on_the_same_sequences():
    from llm_as_rnn.tasks import get_task

    rows = compare(get_task("weather"), "dev", episodes=3, steps=4)
    persistence = [r for r in rows if r[2] == "persistence"]
    assert [r[3] for r in persistence] == ["—", "0.5 x running bias", "1 x running bias"]
    assert all(r[-1] == 3 for r in rows) and persistence[1][5].endswith("(N=3)")
    climatology = [r[3] for r in rows if r[2] == "climatology"]
    assert climatology[-1] == "better so far of it and persistence"  # persistence is not switched with itself
