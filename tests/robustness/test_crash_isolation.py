"""A native crash in a backbone's child process is one failed test, not a dead test runner."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CRASHING_SUITE = textwrap.dedent("""
    import os
    import signal

    import pytest


    @pytest.mark.integration(backbone="llamacpp/qwen2.5-coder-1.5b-instruct")
    def test_backbone_dies_in_native_code():
        os.kill(os.getpid(), signal.SIGSEGV)


    def test_the_rest_of_the_suite_still_runs():
        assert True
""")


def test_a_segfault_in_an_integration_test_is_reported_as_a_failure(tmp_path):
    suite = tmp_path / "test_crashing_backbone.py"
    suite.write_text(CRASHING_SUITE)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.crash_report", "-p", "no:cacheprovider", "-q",
         "--rootdir", str(tmp_path), str(suite)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr  # 1 = tests failed; a dead runner is -11
    assert "1 failed, 1 passed" in result.stdout
    assert "CRASHED with signal 11" in result.stdout
    assert "native crash in the child running backbone llamacpp/qwen2.5-coder-1.5b-instruct" in result.stdout
    assert "llama-cpp-python" in result.stdout and "CPU:" in result.stdout


MIXED_MODULE = textwrap.dedent("""
    import pytest


    @pytest.fixture(scope="module")
    def resource():
        yield "module resource"


    def test_in_the_parent(resource):
        assert resource


    @pytest.mark.integration
    def test_in_a_child(resource):
        assert resource
""")


def test_parent_fixtures_are_torn_down_around_forked_tests(tmp_path):
    """A module with parent-run and forked tests, then another module: each module's fixtures set up and torn down
    once, no 'previous item was not torn down properly' error."""
    (tmp_path / "test_a_mixed.py").write_text(MIXED_MODULE)
    (tmp_path / "test_b_plain.py").write_text("def test_after():\n    assert True\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.crash_report", "-p", "no:cacheprovider", "-q",
         "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
