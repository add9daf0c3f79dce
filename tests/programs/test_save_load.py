"""program.save() keeps the configuration beside the state; load() refuses a program of another shape; a saved
program folder rebuilds its configuration in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from llm_as_rnn.programs import LLMAsRNN
from llm_as_rnn.programs.artifacts import ProgramFileError, save_program
from tests.toy_task import ToyTask


def test_save_writes_the_configuration_and_load_refuses_a_mismatch(tmp_path):
    path = str(tmp_path / "program.json")
    program = LLMAsRNN(ToyTask(), budget=90, feedback="measured", policy="delta", sections=["corrections"])
    program.save(path)
    config = json.loads((tmp_path / "program.json.config.json").read_text())["program"]
    assert config["budget"] == 90 and config["feedback"] == "measured" and config["sections"] == ["corrections"]
    LLMAsRNN(ToyTask(), budget=90, feedback="measured", policy="delta", sections=["corrections"]).load(path)
    with pytest.raises(ProgramFileError, match="budget: saved 90, this program 160"):
        LLMAsRNN(ToyTask(), feedback="measured", policy="delta", sections=["corrections"]).load(path)


def test_a_saved_program_reproduces_its_configuration_in_a_fresh_process(tmp_path):
    program = LLMAsRNN(ToyTask(), budget=90, feedback="judge", recent_steps=2)
    program.updater.update.signature = program.updater.update.signature.with_instructions("TUNED: keep numbers.")
    folder = save_program(program, tmp_path / "saved")
    script = ("import json, sys\n"
              "from llm_as_rnn.programs.registry import load_program\n"
              "from tests.toy_task import ToyTask\n"
              "p = load_program(sys.argv[1], task=ToyTask())\n"
              "print(json.dumps({'config': p.config(), 'instructions': p.updater.update.signature.instructions}))\n")
    out = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, text=True, timeout=120,
                         check=True)
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert loaded["config"] == json.loads(json.dumps(program.config()))
    assert loaded["instructions"] == "TUNED: keep numbers."
