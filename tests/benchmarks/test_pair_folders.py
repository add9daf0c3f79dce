"""Pairing rows across two evaluation folders: within one folder it is the report's own paired Δ."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks.common import load_folder
from benchmarks.pair_folders import check_comparable, pair

FOLDER = Path(__file__).resolve().parents[2] / "results" / "tune-weather" / "test"
MEMORY = "llm_as_rnn:measured,mask_values,show_running"


def test_one_folder_against_itself_gives_the_reports_paired_difference_and_interval():
    from llm_as_rnn.tasks import get_task

    settings = check_comparable(FOLDER, FOLDER, "weather")
    stored = load_folder(FOLDER)["weather"]
    (row,) = pair(get_task("weather"), settings, stored[MEMORY], MEMORY, stored["fhc"], "fhc")
    method_a, method_b, target, sequences, steps, _mean_a, _mean_b, paired = row
    assert (method_a, method_b, target, sequences, steps) == (MEMORY, "fhc", "temp_max", 12, 48)
    (reported,) = [r for r in json.loads((FOLDER / "results.json").read_text())["rows"]
                   if r["kind"] == "difference" and r["method"] == MEMORY and r["versus"] == "fhc"
                   and r["metric"] == "temp_max.abs_error"]
    assert (paired.estimate, paired.low, paired.high) == pytest.approx(
        (reported["estimate"], reported["low"], reported["high"]), abs=1e-6)


def test_only_the_sequences_both_folders_finished_are_paired(tmp_path):
    """A second folder holding 3 of the 12 sequences: 3 are paired, and a method against its own copy is Δ 0."""
    from llm_as_rnn.tasks import get_task

    other = tmp_path / "other"
    (other / "sequences").mkdir(parents=True)
    shutil.copy(FOLDER / "evaluation.json", other / "evaluation.json")
    (method_dir,) = [p for p in (FOLDER / "sequences").glob("weather-*/zero_shot-*") if p.is_dir()]
    copied = other / "sequences" / method_dir.parent.name / method_dir.name
    copied.mkdir(parents=True)
    for path in sorted(method_dir.glob("*.json"))[:3]:
        shutil.copy(path, copied / path.name)
    settings = check_comparable(FOLDER, other, "weather")
    mine, theirs = load_folder(FOLDER)["weather"]["zero_shot"], load_folder(other)["weather"]["zero_shot"]
    (row,) = pair(get_task("weather"), settings, mine, "zero_shot", theirs, "zero_shot")
    assert row[3:5] == [3, 12] and row[-1].estimate == 0.0 and row[-1].n == 3


def test_folders_with_other_truths_are_refused_naming_the_field(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    settings = json.loads((FOLDER / "evaluation.json").read_text())
    (other / "evaluation.json").write_text(json.dumps({**settings, "steps": 3}))
    with pytest.raises(SystemExit, match=r"evaluation.json: field 'steps' is 3, but .* has 4"):
        check_comparable(FOLDER, other, "weather")
    # another task's options do not matter to this one
    (other / "evaluation.json").write_text(json.dumps({**settings, "task_options": {
        "weather": {}, "finance": {"series": "sp500"}}}))
    assert check_comparable(FOLDER, other, "weather") == settings
