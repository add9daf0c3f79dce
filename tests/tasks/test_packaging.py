"""The shipped clinical data travels in the wheel with its ODbL licence (a user's machine has no ../shared)."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # standard library from Python 3.11

ROOT = Path(__file__).resolve().parents[2]


def test_every_file_in_tasks_data_is_package_data_and_its_licence_is_declared():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    setuptools = config["tool"]["setuptools"]
    assert "llm_as_rnn.tasks.data" in setuptools["packages"]
    patterns = setuptools["package-data"]["llm_as_rnn.tasks.data"]
    shipped = [p.name for p in (ROOT / "tasks" / "data").iterdir() if p.is_file() and p.name != "__init__.py"]
    assert "mimic_iv_demo_visits.jsonl.gz" in shipped and "MIMIC_IV_DEMO_LICENSE.txt" in shipped
    assert [name for name in shipped if not any(fnmatch.fnmatch(name, pat) for pat in patterns)] == []
    assert "tasks/data/MIMIC_IV_DEMO_LICENSE.txt" in config["project"]["license-files"]
    assert "ODbL-1.0" in config["project"]["license"]
