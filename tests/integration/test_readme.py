"""The README's "Use from Python" block runs as it is written (with the real embedded smoke backbone)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def python_block(section: str) -> str:
    text = README.read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", body, re.DOTALL)
    assert blocks, f"no python block under '## {section}'"
    return blocks[0]


@pytest.mark.integration
def test_use_from_python_runs_as_written(tmp_path):
    """In a fresh interpreter, as a reader would paste it (the test suite's own DSPy settings do not apply)."""
    pytest.importorskip("llama_cpp")
    result = subprocess.run([sys.executable, "-c", python_block("Use from Python")], capture_output=True, text=True,
                            timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Patterns:" in result.stdout  # the final memory was printed
