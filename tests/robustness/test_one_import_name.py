"""The package owns one import name: installed beside Hugging Face `evaluate` (and anything else called
`metrics`, `tasks`, `cli`), both work. Builds a real wheel and installs it into a fresh virtual environment."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERIC_NAMES = {"evaluate", "evaluation", "metrics", "tasks", "cli", "programs", "signatures", "backbones",
                 "anchors", "optimize", "reports", "utils"}


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, **kwargs)
    assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(ROOT)])
    (path,) = out.glob("llm_as_rnn-*.whl")
    return path


def test_the_wheel_installs_one_top_level_package(wheel):
    with zipfile.ZipFile(wheel) as archive:
        top = {name.split("/")[0] for name in archive.namelist() if not name.split("/")[0].endswith(".dist-info")}
        assert top == {"llm_as_rnn"}
        names = archive.namelist()
    assert "llm_as_rnn/tasks/data/mimic_iv_demo_visits.jsonl.gz" in names
    assert "llm_as_rnn/tasks/data/MIMIC_IV_DEMO_LICENSE.txt" in names


@pytest.mark.integration
def test_installed_beside_hugging_face_evaluate(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    # The dependencies (dspy, litellm, llama-cpp-python, the models) come from this environment; the new one gets
    # its own Hugging Face `evaluate` and our wheel, which are found first.
    (site / "_parent_environment.pth").write_text(sysconfig.get_path("purelib") + "\n")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps"]
    _run([*pip, "evaluate==0.4.6"])
    _run([*pip, str(wheel)])
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    cli = str(venv / "bin" / "llm-rnn")
    assert "doctor" in _run([cli, "--help"], cwd=tmp_path, env=env).stdout
    _run([cli, "doctor", "--no-hash"], cwd=tmp_path, env=env)
    script = ("import evaluate, llm_as_rnn\n"
              "from llm_as_rnn import LLMAsRNN, get_task, load_backbone\n"
              "assert callable(evaluate.load), evaluate.__file__\n"
              f"assert str(llm_as_rnn.__file__).startswith({str(site)!r}), llm_as_rnn.__file__\n"
              "print(evaluate.__file__, LLMAsRNN.__module__)\n")
    out = _run([str(venv / "bin" / "python"), "-c", script], cwd=tmp_path, env=env).stdout
    assert "llm_as_rnn.programs.llm_as_rnn" in out and str(site / "evaluate") in out
