"""The JSONL trace: one line per step, appended and fsynced after each sequence (a killed run keeps every
finished sequence)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from llm_as_rnn.utils.redact import redact


class TraceWriter:
    """Appends step records of finished sequences to `path`."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def write_sequence(self, sequence_id: str, method: str, records: Iterable[Any], **fields: Any) -> None:
        lines = []
        for record in records:
            row = record.as_dict() if hasattr(record, "as_dict") else dict(record)
            lines.append(redact(json.dumps({"sequence_id": sequence_id, "method": method, **fields, **row},
                                           ensure_ascii=False, default=_jsonable)))
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write("".join(line + "\n" for line in lines))
            handle.flush()
            os.fsync(handle.fileno())


def read_trace(path: str | Path) -> Iterator[dict[str, Any]]:
    """Rows of a trace; a torn last line (a kill mid-write) is skipped, any other bad line is an error."""
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines):
                return
            raise ValueError(f"{path}, line {number}: not JSON ({exc.msg})") from exc


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)
