"""The README's "Use from Python" block runs as it is written (with the real embedded smoke backbone)."""

from __future__ import annotations

import re
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
def test_use_from_python_runs_as_written(capsys):
    pytest.importorskip("llama_cpp")
    exec(compile(python_block("Use from Python"), str(README), "exec"), {"__name__": "__readme__"})
    printed = capsys.readouterr().out
    assert "Patterns:" in printed  # the final memory was printed
