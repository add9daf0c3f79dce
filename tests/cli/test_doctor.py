"""`llm-rnn doctor` through the real CLI: what it checks, and one line naming the first failure."""

from __future__ import annotations

import subprocess
import sys

import pytest


def doctor(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llm_as_rnn.cli.main", "doctor", *args], capture_output=True,
                          text=True, timeout=timeout)


def test_version_flag():
    from llm_as_rnn import __version__

    result = subprocess.run([sys.executable, "-m", "llm_as_rnn.cli.main", "--version"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == f"llm-rnn {__version__}"


def test_an_unwriteable_storage_is_the_one_line_failure(tmp_path):
    result = doctor("--no-call", "--no-hash", "--storage", f"sqlite:///{tmp_path}/missing/dir/study.db")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("llm-rnn doctor: optuna storage")
    assert "Traceback" not in result.stdout + result.stderr
    for name in ("python", "dspy", "litellm", "optuna", "llama-cpp-python", "cpu"):
        assert f" {name} " in result.stdout


@pytest.mark.integration
def test_doctor_passes_on_this_installation():
    result = doctor()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   llama.cpp build" in result.stdout and "portable" in result.stdout
    assert "constrained answer parsed" in result.stdout and "child process" in result.stdout
    assert "sha256" in result.stdout


@pytest.mark.integration
def test_a_backbone_that_cannot_answer_fails_the_call_check(tmp_path):
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"not a model")
    result = doctor("--no-hash", "--backbone", f"llamacpp/{fake}")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(f"llm-rnn doctor: call llamacpp/{fake}")
    assert "is not a GGUF file" in result.stderr
