"""Your own sequence data: CSV, JSONL or a local HF `datasets` directory, described by a small JSON spec.

Spec (JSON; `data` is resolved relative to the spec file):

    {
      "name": "sales",                        # task name in reports (default: the spec file's stem)
      "description": "Forecast next week's unit sales of one store.",
      "data": "sales.csv",                    # .csv, .csv.gz, .jsonl, .jsonl.gz, or a datasets.save_to_disk dir
      "sequence_id": "store",                 # column: one sequence per value (memory resets between sequences)
      "order": "week",                        # column: numeric or ISO date; steps are sorted by it
      "inputs": ["promo", "holiday", "last_week_units"],   # columns shown to the model as `name: value` lines
      "target": "units",                      # column the model predicts (revealed after each step)
      "kind": "regression",                   # regression | label | topk
      "unit": "units",                        # optional, regression
      "labels": ["up", "down"],               # label: allowed values (default: every value seen)
      "k": 5,                                 # topk: list length; the target holds a JSON list or "a|b|c"
      "split": "split",                       # optional column with train/dev/test; default: 40/20/40 by sequence
      "tolerance": 2.0,                       # optional, regression: |error| <= tolerance counts as right
      "scale": 2.0                            # optional, regression: a typical error (optimisation reward scale)
    }

Every input, the target, the sequence id and the order must have a value in every row: a missing, empty or
non-finite value (JSON `NaN`, `Infinity`, the text "nan") is an error naming the file, the row and the field, found
before any LM call. There is no imputation: a model shown "promo: nan" would read it as data.
"""

from __future__ import annotations

import functools
import json
import math
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from llm_as_rnn.anchors import persistence
from llm_as_rnn.tasks.base import SPLITS, Anchor, Step, StepSequence, Target, Task, is_finite_number, select_evenly
from llm_as_rnn.tasks.memory_spec import MemorySpec, Section
from llm_as_rnn.tasks.table import DataError, read_table

SPEC_KEYS = {"name", "description", "data", "sequence_id", "order", "inputs", "target", "kind", "unit", "labels",
             "k", "split", "tolerance", "scale"}
DEFAULT_BUCKETS = {"train": range(0, 4), "dev": range(4, 6), "test": range(6, 10)}

CUSTOM_SCHEMA = MemorySpec((
    Section("patterns", "Patterns", "how the target relates to the inputs and to earlier steps, with numbers"),
    Section("corrections", "Recent errors and corrections", "how your last predictions were off and how to adjust"),
    Section("watch", "Watch-list", "what to check at the next step"),
))


def load_spec(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if path.is_dir():
        raise DataError(path, "is a directory, not a spec file (a JSON object; see tasks/custom.py)")
    if not path.is_file():
        raise DataError(path, "spec file not found")
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(path, f"not JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(spec, dict):
        raise DataError(path, "the spec must be a JSON object")
    unknown = set(spec) - SPEC_KEYS
    if unknown:
        raise DataError(path, f"unknown key(s) {sorted(unknown)}; allowed: {sorted(SPEC_KEYS)}")
    for key in ("data", "sequence_id", "order", "inputs", "target", "kind"):
        if key not in spec:
            raise DataError(path, f"missing key {key!r}", field=key)
    if spec["kind"] not in ("regression", "label", "topk"):
        raise DataError(path, f"kind must be regression, label or topk, not {spec['kind']!r}", field="kind")
    if not isinstance(spec["inputs"], list) or not spec["inputs"]:
        raise DataError(path, "inputs must be a non-empty list of column names", field="inputs")
    if spec["target"] in spec["inputs"]:
        raise DataError(path, f"the target column {spec['target']!r} is also an input: that shows the model the "
                        "answer (label leakage); remove it from inputs", field="inputs")
    spec["data"] = str((path.parent / spec["data"]).resolve())
    spec.setdefault("name", path.stem)
    return spec


def read_rows(path: str | Path) -> pd.DataFrame:
    """A data file as a frame with 1-based file row numbers in `_row` (header = row 1 for CSV, line 1 for JSONL)."""
    path = Path(path)
    if path.is_dir():
        import datasets

        try:
            frame = datasets.load_from_disk(str(path)).to_pandas()
        except (FileNotFoundError, ValueError) as exc:
            raise DataError(path, f"not a datasets.save_to_disk directory ({exc})") from exc
        frame["_row"] = range(len(frame))
        return frame
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
        if not path.is_file():
            raise DataError(path, "file not found")
        import gzip

        opener = gzip.open if name.endswith(".gz") else open
        records = []
        number = 0
        try:
            with opener(path, "rt", encoding="utf-8") as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise DataError(path, f"not JSON ({exc.msg})", row=number) from exc
                    if not isinstance(record, dict):
                        raise DataError(path, "each line must be a JSON object", row=number)
                    records.append({**record, "_row": number})
        except UnicodeDecodeError:
            raise DataError(path, "is not UTF-8 text (save it as UTF-8)", row=number + 1) from None
        except (OSError, EOFError) as exc:
            raise DataError(path, f"cannot be read ({exc})") from None
        return pd.DataFrame(records)
    frame = read_table(path, required=(), dtype=str, keep_default_na=False)
    frame["_row"] = range(2, len(frame) + 2)
    return frame


class CustomTask(Task):
    """A task defined by a spec file over the user's own data (see the module docstring)."""

    anchors: ClassVar[Mapping[str, Anchor]] = {"previous_target": persistence.previous_target}
    primary_anchor = "previous_target"

    def __init__(self, *, spec: str | Path, k: int | None = None):
        self.spec_path = Path(spec)
        self.spec = load_spec(spec)
        self.name = str(self.spec["name"])
        self.description = str(self.spec.get("description") or f"Predict {self.spec['target']} at the next step.")
        kind = self.spec["kind"]
        target = Target(self.spec["target"], kind, str(self.spec.get("target_description") or self.spec["target"]),
                        unit=str(self.spec.get("unit", "")), k=int(k or self.spec.get("k", 5)),
                        scale=float(self.spec.get("scale", 1.0)),
                        labels=tuple(self.spec.get("labels") or self._labels_seen()) if kind == "label" else ())
        self.targets = (target,)
        self.tolerance = self.spec.get("tolerance")

    @property
    def memory_spec(self) -> MemorySpec:
        return CUSTOM_SCHEMA

    @functools.cached_property
    def frame(self) -> pd.DataFrame:
        frame = read_rows(self.spec["data"])
        needed = [self.spec["sequence_id"], self.spec["order"], self.spec["target"], *self.spec["inputs"]]
        if self.spec.get("split"):
            needed.append(self.spec["split"])
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise DataError(self.spec["data"], f"missing column(s) {missing}; found "
                            f"{[c for c in frame.columns if c != '_row']}")
        self._check_rows(frame)
        return frame

    def _check_rows(self, frame: pd.DataFrame) -> None:
        path, spec = self.spec["data"], self.spec
        for record in frame.to_dict("records"):
            number = record["_row"]
            for column in (spec["sequence_id"], spec["order"], spec["target"]):
                if record[column] is None or (isinstance(record[column], float) and pd.isna(record[column])) \
                        or record[column] == "":
                    raise DataError(path, "empty value", row=number, field=column)
            for column in spec["inputs"]:
                problem = _missing_or_not_finite(record.get(column))
                if problem:
                    raise DataError(path, f"{problem} (every input needs a value in every row)", row=number,
                                    field=column)
            if spec["kind"] == "regression" and not is_finite_number(record[spec["target"]]):
                raise DataError(path, f"not a finite number: {record[spec['target']]!r}", row=number,
                                field=spec["target"])
            if spec["kind"] == "label" and spec.get("labels") and str(record[spec["target"]]) not in spec["labels"]:
                raise DataError(path, f"{record[spec['target']]!r} is not one of {spec['labels']}", row=number,
                                field=spec["target"])
            if spec.get("split") and record[spec["split"]] not in SPLITS:
                raise DataError(path, f"split must be one of {list(SPLITS)}, not {record[spec['split']]!r}",
                                row=number, field=spec["split"])
        keys = frame[[spec["sequence_id"], spec["order"]]].astype(str)
        duplicated = keys.duplicated()
        if duplicated.any():
            number = int(frame["_row"][duplicated].iloc[0])
            raise DataError(path, "the same sequence has two rows with this order value", row=number,
                            field=spec["order"])

    def _labels_seen(self) -> list[str]:
        return sorted({str(v) for v in self.frame[self.spec["target"]]})

    def sequences(self, split: str, *, limit: int | None = None, steps: int | None = None) -> list[StepSequence]:
        self.check_split(split)
        spec, frame = self.spec, self.frame
        groups = []
        for sequence_id, group in frame.groupby(spec["sequence_id"], sort=True):
            if spec.get("split"):
                splits = set(group[spec["split"]])
                if len(splits) > 1:
                    raise DataError(spec["data"], f"sequence {sequence_id!r} spans splits {sorted(splits)}",
                                    row=int(group["_row"].iloc[0]), field=spec["split"])
                in_split = split in splits
            else:
                in_split = zlib.crc32(str(sequence_id).encode()) % 10 in DEFAULT_BUCKETS[split]
            if in_split:
                groups.append((str(sequence_id), group))
        out = []
        for sequence_id, group in select_evenly(groups, limit):
            group = group.sort_values(spec["order"], key=_sort_key)[:steps]
            # records, not iterrows: a row of only numeric columns would come back as one float Series
            out.append(StepSequence(id=f"{self.name}-{sequence_id}", steps=tuple(
                Step(input=self.format_input(row), target={spec["target"]: self._target_value(row)},
                     context={"row": int(row["_row"])})
                for row in group.to_dict("records"))))
        return out

    def format_input(self, row: dict[str, Any]) -> str:
        return "\n".join(f"{column}: {row[column]}" for column in self.spec["inputs"])

    def _target_value(self, row: dict[str, Any]) -> Any:
        value = row[self.spec["target"]]
        if self.spec["kind"] == "regression":
            return float(value)
        if self.spec["kind"] == "topk":
            if isinstance(value, list | tuple):
                return [str(v) for v in value]
            text = str(value)
            if text.startswith("["):
                try:
                    return [str(v) for v in json.loads(text)]
                except json.JSONDecodeError as exc:
                    raise DataError(self.spec["data"], f"not a JSON list ({exc.msg})", row=int(row["_row"]),
                                    field=self.spec["target"]) from exc
            return [part.strip() for part in text.split("|") if part.strip()]
        return str(value)


def _missing_or_not_finite(value: Any) -> str | None:
    """Why an input value cannot be shown to the model, or None."""
    if value is None or value == "" or (isinstance(value, str) and not value.strip()):
        return "empty value"
    if isinstance(value, float) and not math.isfinite(value):
        return "missing value" if math.isnan(value) else f"not a finite number: {value!r}"
    if isinstance(value, str) and value.strip().lower() in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity"):
        return f"not a finite number: {value!r}"
    return None


def _sort_key(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().all():
        return numbers
    dates = pd.to_datetime(values, errors="coerce")
    return dates if dates.notna().all() else values.astype(str)
