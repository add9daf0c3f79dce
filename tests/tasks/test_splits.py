"""Train, dev and test are disjoint for every task: by sequence id, and for time series by the predicted days."""

from __future__ import annotations

import pytest

from llm_as_rnn.tasks import get_task


@pytest.mark.parametrize("name", ["weather", "finance", "clinical"])
def test_splits_are_disjoint(name):
    task = get_task(name)
    splits = {split: task.sequences(split, steps=5) for split in ("train", "dev", "test")}
    ids = {split: {s.id for s in seqs} for split, seqs in splits.items()}
    assert all(ids.values()), "every split has sequences"
    assert not ids["train"] & ids["dev"] and not ids["train"] & ids["test"] and not ids["dev"] & ids["test"]
    if name == "clinical":
        admissions = {split: {st.context["hadm_id"] for s in seqs for st in s.steps} for split, seqs in splits.items()}
        assert not admissions["train"] & admissions["test"] and not admissions["dev"] & admissions["test"]
        return
    days = {split: sorted(st.context["target_date"] for s in seqs for st in s.steps) for split, seqs in splits.items()}
    assert days["train"][-1] < days["dev"][0] and days["dev"][-1] < days["test"][0]
