"""Finished sequences on disk, one JSON file each, written atomically: a killed evaluation loses nothing it had
finished, never leaves half a file, and a rerun skips what is there."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from llm_as_rnn.utils.redact import redact

CONFIG_FILE = "evaluation.json"
# Settings that change results: a rerun into the same folder must match them (methods and tasks may be added).
RESULT_KEYS = ("split", "episodes", "steps", "backbones", "budget", "context_budget", "seed", "task_options")


class StoreMismatchError(ValueError):
    """The output folder holds an evaluation made with different settings."""


def _safe(name: str) -> str:
    """A file-system-safe, collision-free name (a short hash keeps distinct ids distinct)."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80]
    return f"{readable}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"


def atomic_write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(redact(json.dumps(data, ensure_ascii=False, default=str)))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ResultStore:
    """`root/sequences/<task>/<method>/<sequence>.json` plus the settings the results were made with."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def check_settings(self, settings: dict[str, Any], *, record: bool = True) -> None:
        """Record the settings on first use; refuse a rerun whose result-changing settings differ. Temporary files
        of writes a kill interrupted are removed (the sequences they belonged to are simply run again).
        `record=False` only checks, writing and removing nothing: a report written while another run is still
        filling the folder must not touch that run's files."""
        if record:
            for stale in self.root.rglob(".*.tmp"):
                stale.unlink(missing_ok=True)
        path = self.root / CONFIG_FILE
        current = {k: settings.get(k) for k in RESULT_KEYS}
        if path.is_file():
            saved = json.loads(path.read_text(encoding="utf-8"))
            stored = {k: saved.get(k) for k in RESULT_KEYS}
            # Tasks can be added to a folder: options are compared only for the tasks both runs name.
            common = (stored["task_options"] or {}).keys() & (current["task_options"] or {}).keys()
            stored["task_options"] = {t: stored["task_options"][t] for t in sorted(common)}
            current["task_options"] = {t: current["task_options"][t] for t in sorted(common)}
            diff = {k: (stored[k], current[k]) for k in RESULT_KEYS if stored[k] != current[k]}
            if diff:
                detail = "; ".join(f"{k}: {a!r} there, {b!r} now" for k, (a, b) in diff.items())
                raise StoreMismatchError(f"{self.root} holds an evaluation with other settings ({detail}); "
                                    "use another --out or the same settings")
            merged = {**saved, **settings,
                      "tasks": sorted({*saved.get("tasks", []), *settings.get("tasks", [])}),
                      "task_options": {**(saved.get("task_options") or {}), **(settings.get("task_options") or {})},
                      "methods": list(dict.fromkeys([*saved.get("methods", []), *settings.get("methods", [])]))}
        else:
            merged = settings
        if record:
            atomic_write_json(path, merged)

    def path(self, task: str, method: str, sequence_id: str) -> Path:
        return self.root / "sequences" / _safe(task) / _safe(method) / f"{_safe(sequence_id)}.json"

    def save(self, task: str, method: str, sequence_id: str, result: dict[str, Any]) -> None:
        atomic_write_json(self.path(task, method, sequence_id),
                          {"task": task, "method": method, "sequence_id": sequence_id, **result})

    def load(self, task: str, method: str, sequence_id: str, fingerprint: str | None = None) -> dict[str, Any] | None:
        """The stored result, or None; with `fingerprint`, None too when other prompts wrote it (it is stale)."""
        path = self.path(task, method, sequence_id)
        if not path.is_file():
            return None
        result = json.loads(path.read_text(encoding="utf-8"))
        if fingerprint is not None and result.get("fingerprint") != fingerprint:
            return None
        return result

    def finished(self) -> Iterator[dict[str, Any]]:
        for path in sorted((self.root / "sequences").glob("*/*/*.json")):
            yield json.loads(path.read_text(encoding="utf-8"))
