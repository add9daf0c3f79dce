"""Clinical: the shipped demo-derived file, patient-level splits, no label leakage, CCSR scoring, the builder."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from llm_as_rnn.tasks import DataError
from llm_as_rnn.tasks.clinical import SHIPPED_VISITS, ClinicalTask, format_visit, truth_item
from llm_as_rnn.tasks.mimic import build_visits, write_visits

SHARED_DEMO = Path(__file__).resolve().parents[3] / "shared" / "data" / "mimic-iv-demo" / "hosp"


@pytest.fixture(scope="module")
def clinical():
    return ClinicalTask()


def test_shipped_file_has_license_and_attribution():
    data = SHIPPED_VISITS.parent
    assert (data / "MIMIC_IV_DEMO_LICENSE.txt").read_text().startswith("Open Data Commons Open Database License")
    assert "MIMIC-IV Clinical Database Demo v2.2" in (data / "MIMIC_IV_DEMO_README.md").read_text()


def test_splits_hold_whole_patients(clinical):
    subjects = {split: {s.id for s in clinical.sequences(split)} for split in ("train", "dev", "test")}
    assert not subjects["train"] & subjects["test"] and not subjects["dev"] & subjects["test"]
    assert sum(len(v) for v in subjects.values()) == 48  # patients with >= 2 admissions in the demo
    assert all(len(s) >= 2 for s in clinical.sequences("test"))


def test_inputs_never_contain_the_visits_diagnoses(clinical):
    for sequence in clinical.sequences("test"):
        for step in sequence.steps:
            for item in step.target["diagnoses"]:
                code = item.rsplit("(ICD-10 ", 1)[-1].rstrip(")")
                assert code not in step.input
                assert item.split(" (ICD-10")[0] not in step.input
            labels = [line.split(":")[0].lower() for line in step.input.splitlines()]
            assert not any(label.startswith(("diagnos", "drg", "note")) for label in labels)


def test_scoring_is_the_exact_category_of_a_label_or_a_code(clinical):
    sepsis = next(label for label, category in clinical.labels.items() if category == "INF002")
    assert clinical.category(sepsis) == clinical.category(f"  {sepsis.upper()} ") == "INF002"
    assert clinical.category("I25.10") == "CIR011"
    assert clinical.category("sepsis") is None  # no fuzzy matching: free text is not a label
    assert clinical.category("Furosemide") is None
    item = truth_item({"description": "Heart failure, unspecified", "icd10": "I509"})
    assert item == "Heart failure, unspecified (ICD-10 I50.9)" and clinical.category(item) == "CIR019"


def test_labels_come_from_the_train_split_only(clinical):
    train = {c for v in clinical._split_visits("train") for d in v["diagnoses"]
             if (c := clinical.category(truth_item(d)))}
    test_only = {c for v in clinical._split_visits("test") for d in v["diagnoses"]
                 if (c := clinical.category(truth_item(d)))} - train
    assert set(clinical.labels.values()) == train
    assert test_only, "the demo has test categories never seen in training"
    assert not test_only & set(clinical.labels.values())
    assert len(clinical.labels) == len(set(clinical.labels.values()))  # one label per category


def test_the_output_contract_is_the_label_set(clinical):
    import typing

    (target,) = clinical.targets
    (item_type,) = typing.get_args(target.annotation)
    assert set(typing.get_args(item_type)) == set(clinical.labels)


def test_procedures_are_an_opt_in_ablation(clinical):
    step = clinical.sequences("test", limit=1)[0].steps[0]
    assert "procedures:" not in step.input
    assert "procedures:" in ClinicalTask(procedures=True).sequences("test", limit=1)[0].steps[0].input


def test_correct_is_first_answer_in_the_primary_category(clinical):
    failure = next(label for label, category in clinical.labels.items() if category == "CIR019")
    sepsis = next(label for label, category in clinical.labels.items() if category == "INF002")
    target = {"diagnoses": ["Heart failure, unspecified (ICD-10 I50.9)", "Hypertension (ICD-10 I10)"]}
    assert clinical.correct({"diagnoses": [failure, sepsis]}, target)
    assert not clinical.correct({"diagnoses": [sepsis, failure]}, target)
    assert clinical.correct(None, target) is False  # a missing answer is a miss


def test_visit_text_uses_relative_time_only():
    visit = json.loads(gzip.open(SHIPPED_VISITS, "rt").readline())
    text = format_visit(visit)
    assert "first visit" in text or "days after the previous one" in text
    assert not any(str(year) in text for year in range(2008, 2025))


def _write_table(hosp: Path, name: str, header: str, rows: list[str]) -> None:
    (hosp / f"{name}.csv").write_text("\n".join([header, *rows]) + "\n")


@pytest.fixture
def tiny_hosp(tmp_path):
    hosp = tmp_path / "hosp"
    hosp.mkdir()
    _write_table(hosp, "admissions", "subject_id,hadm_id,admittime,dischtime,admission_type,admission_location",
                 ["1,11,2012-01-01 10:00:00,2012-01-03 10:00:00,URGENT,EMERGENCY ROOM",
                  "1,12,2012-03-01 10:00:00,2012-03-02 22:00:00,ELECTIVE,PHYSICIAN REFERRAL"])
    _write_table(hosp, "patients", "subject_id,gender,anchor_age,anchor_year", ["1,F,70,2012"])
    _write_table(hosp, "diagnoses_icd", "subject_id,hadm_id,seq_num,icd_code,icd_version",
                 ["1,11,1,0389,9", "1,11,2,4280,9", "1,12,1,I50.9,10"])
    _write_table(hosp, "prescriptions", "subject_id,hadm_id,drug", ["1,11,Vancomycin", "1,11,Vancomycin", "1,12,Lasix"])
    return hosp


def test_builder_reads_a_hosp_folder_without_optional_tables(tiny_hosp):
    visits = build_visits(tiny_hosp)
    assert [v["hadm_id"] for v in visits] == ["11", "12"]
    first, second = visits
    assert first["diagnoses"][0]["icd10"] == "A419" and first["diagnoses"][0]["ccsr"] == "INF002"
    assert second["days_since_previous"] == 60.0 and second["age"] == 70
    assert first["medications"] == ["Vancomycin"] and first["procedures"] == []
    assert first["los_days"] == 2.0


def test_builder_errors_name_file_row_and_field(tiny_hosp):
    _write_table(tiny_hosp, "diagnoses_icd", "subject_id,hadm_id,seq_num,icd_code,icd_version",
                 ["1,11,1,0389,9", "1,11,2,4280,11"])
    with pytest.raises(DataError, match=r"diagnoses_icd.csv, row 3, field 'icd_version': icd_version must be 9 or 10"):
        build_visits(tiny_hosp)
    (tiny_hosp / "patients.csv").unlink()
    with pytest.raises(DataError, match=r"patients\.csv: file not found"):
        build_visits(tiny_hosp)


def test_task_runs_on_a_users_mimic_folder(tiny_hosp):
    task = ClinicalTask(mimic_dir=tiny_hosp.parent, min_visits=2)
    sequences = [s for split in ("train", "dev", "test") for s in task.sequences(split)]
    assert len(sequences) == 1 and len(sequences[0]) == 2


@pytest.mark.skipif(not SHARED_DEMO.is_dir(), reason="the MIMIC-IV demo tables are not beside the project")
def test_shipped_file_is_rebuilt_byte_for_byte_from_the_demo(tmp_path):
    rebuilt = write_visits(build_visits(SHARED_DEMO), tmp_path / "visits.jsonl.gz")
    assert rebuilt.read_bytes() == SHIPPED_VISITS.read_bytes()
