"""Cross-fitting: every eligible patient lands in exactly one fold's test split, each fold's label set comes from
the other folds, and the pooled table scores every patient once."""

from __future__ import annotations

import json

import pytest

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.cli.main import main
from llm_as_rnn.reports import crossfit
from llm_as_rnn.tasks import get_task
from tests.scripted import scripted_lm


def test_folds_cover_every_eligible_patient_once_and_learn_only_from_the_others():
    folds = [get_task("clinical", folds=4, fold=k) for k in range(4)]
    tested = [{s.id.removeprefix("clinical-") for s in task.sequences("test")} for task in folds]
    assert sum(map(len, tested)) == len(set().union(*tested))  # disjoint
    eligible = {s for task in folds for s in task._fold_of}
    assert set().union(*tested) == eligible and len(eligible) >= 40
    for task, patients in zip(folds, tested, strict=True):
        train_patients = {v["subject_id"] for v in task._split_visits("train")}
        assert not train_patients & patients and task.sequences("dev") == []
    with pytest.raises(ValueError, match="cross-fitting"):
        get_task("clinical", folds=3)


def test_the_pooled_table_scores_every_patient_of_every_fold(tmp_path, monkeypatch, capsys):
    labels: dict[int, list[str]] = {}

    def answer(call):
        if call.role == "predict":
            return {"diagnoses": labels["current"]}
        return {f: ["a note"] for f in call.fields}

    lm, _ = scripted_lm(answer)
    monkeypatch.setattr(Roles, "from_strings", classmethod(lambda cls, *a, **k: Roles(lm, lm, lm)))
    for k in range(2):
        labels["current"] = list(get_task("clinical", folds=2, fold=k).labels)[:5]
        assert main(["evaluate", "--tasks", "clinical", "--clinical-folds", "2", "--clinical-fold", str(k),
                     "--methods", "zero_shot,llm_as_rnn:measured", "--episodes", "3", "--steps", "2",
                     "--out", str(tmp_path / f"fold-{k}")]) == 0
    assert crossfit.main([str(tmp_path)]) == 0
    pooled = json.loads((tmp_path / "results.json").read_text())
    assert len(pooled["tasks"]["clinical"]["sequences"]) == 6  # 3 per fold, each once
    assert "repeat_previous (anchor)" in (tmp_path / "results.md").read_text()


def test_a_fold_still_running_adds_no_sequence_and_drops_no_method(tmp_path, monkeypatch):
    """Bug: a fold where LLM-as-RNN had finished no patient yet dropped LLM-as-RNN from the pooled table
    (only the methods every fold had finished were kept), so the pooled table showed zero-shot alone."""
    def answer(call):
        return {"diagnoses": ["a"]} if call.role == "predict" else {f: ["a note"] for f in call.fields}

    lm, _ = scripted_lm(answer)
    monkeypatch.setattr(Roles, "from_strings", classmethod(lambda cls, *a, **k: Roles(lm, lm, lm)))
    for k in range(2):
        assert main(["evaluate", "--tasks", "clinical", "--clinical-folds", "2", "--clinical-fold", str(k),
                     "--methods", "zero_shot,llm_as_rnn:measured", "--episodes", "3", "--steps", "2",
                     "--out", str(tmp_path / f"fold-{k}")]) == 0
    running = [p for p in (tmp_path / "fold-1" / "sequences").rglob("llm_as_rnn*") if p.is_dir()]
    assert running
    for folder in running:  # fold-1 as it stands while its LLM-as-RNN has not finished a patient
        for stored in folder.glob("*.json"):
            stored.unlink()
    assert crossfit.main([str(tmp_path)]) == 0
    clinical = json.loads((tmp_path / "results.json").read_text())["tasks"]["clinical"]
    assert len(clinical["sequences"]) == 3  # fold-0's patients only
    assert "`llm_as_rnn:measured`" in (tmp_path / "results.md").read_text()
    assert clinical["missing"]["llm_as_rnn:measured"] == 3
