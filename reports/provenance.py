"""Where a result came from: the command, the code's commit, the package version, the machine, and the exact bytes
of every embedded backbone (sha256), written beside the numbers so a reader can rerun them or tell them apart."""

from __future__ import annotations

import os
import platform
import shlex
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from llm_as_rnn import __version__
from llm_as_rnn.backbones.catalog import EMBEDDED_MODELS
from llm_as_rnn.utils.redact import redact


def git_commit(folder: Path | None = None) -> str:
    """The checkout's commit (`-dirty` when tracked files changed), or `unknown` outside a git checkout."""
    folder = folder or Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=folder,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{commit}-dirty" if dirty else commit


def backbone_checksums(backbones: dict[str, str]) -> dict[str, str]:
    """sha256 of each embedded catalog model among the role descriptions (`llamacpp/<model_id>`)."""
    by_id = {f"llamacpp/{m.model_id}": m.sha256 for m in EMBEDDED_MODELS.values()}
    return {name: by_id[name] for name in dict.fromkeys(backbones.values()) if name in by_id}


def provenance(argv: list[str], backbones: dict[str, str], written_by: dict[str, int] | None = None
               ) -> dict[str, Any]:
    """`written_by`: how many stored results each commit wrote (a resumed folder mixes runs)."""
    return {
        "command": redact(shlex.join(["llm-rnn", *argv])),
        "commit": git_commit(),
        "version": __version__,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "backbone_sha256": backbone_checksums(backbones),
        "written_by": written_by or {},
    }


def provenance_lines(record: dict[str, Any]) -> list[str]:
    """The provenance as Markdown lines for the head of a results file."""
    lines = [f"Command: `{record['command']}`", "",
             f"Commit `{record['commit']}`, llm-as-rnn {record['version']}, {record['date']}, {record['machine']}."]
    lines += [f"Backbone `{name}` sha256 `{digest}`." for name, digest in record["backbone_sha256"].items()]
    if record.get("written_by"):
        counts = ", ".join(f"`{commit}` {n}" for commit, n in record["written_by"].items())
        lines += ["", f"Sequences scored, by the commit that ran them: {counts} (a stored sequence is reused while "
                      "its prompts' fingerprint matches; 'not recorded': stored before commits were)."]
    return [*lines, ""]
