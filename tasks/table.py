"""Reading data files with errors that name the file, the row and the field."""

from __future__ import annotations

import csv
import gzip
import math
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd


class DataError(ValueError):
    """A data file is missing, malformed, or has a bad value; the message says where."""

    def __init__(self, path: str | Path, problem: str, *, row: int | None = None, field: str | None = None):
        where = str(path)
        if row is not None:
            where += f", row {row}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}")
        self.path, self.row, self.field = str(path), row, field


def read_table(path: str | Path, *, required: Iterable[str], **read_kwargs: Any) -> pd.DataFrame:
    """Read a CSV (optionally .gz) and check the required columns exist."""
    path = Path(path)
    if not path.is_file():
        raise DataError(path, "file not found")
    try:
        with warnings.catch_warnings():
            # A row with an extra field must not make pandas shift the whole table onto an index, or drop data.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(path, index_col=False, **read_kwargs)
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        row, fields, expected = _first_ragged_row(path)
        problem = f"malformed CSV row: {fields} fields where the header has {expected}" if row else str(exc)
        raise DataError(path, problem, row=row) from exc
    except (pd.errors.EmptyDataError, UnicodeDecodeError, OSError, EOFError) as exc:
        raise DataError(path, f"cannot be read as CSV ({type(exc).__name__}: {str(exc).splitlines()[0]})") from exc
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError(path, f"missing column(s) {missing}; found {list(frame.columns)}")
    return frame


def _first_ragged_row(path: Path) -> tuple[int | None, int, int]:
    """(line number, fields, header fields) of the first row whose field count differs from the header's."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows, [])
        for number, row in enumerate(rows, start=2):
            if row and len(row) != len(header):
                return number, len(row), len(header)
    return None, 0, len(header)


def numeric_column(frame: pd.DataFrame, column: str, path: str | Path, *, header_rows: int = 1) -> pd.Series:
    """The column as floats; the first bad value raises with its file row number (1-based, header counted)."""
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | values.isin([math.inf, -math.inf])
    if bad.any():
        index = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(path, f"not a finite number: {frame[column].iloc[index]!r}", row=index + header_rows + 1,
                        field=column)
    return values.astype(float)


def date_column(frame: pd.DataFrame, column: str, path: str | Path, *, header_rows: int = 1,
                date_format: str | None = None) -> pd.Series:
    """The column as timestamps; the first unparseable value raises with its row number."""
    values = pd.to_datetime(frame[column], errors="coerce", format=date_format)
    if values.isna().any():
        index = int(values.isna().to_numpy().nonzero()[0][0])
        raise DataError(path, f"not a date: {frame[column].iloc[index]!r}", row=index + header_rows + 1,
                        field=column)
    return values


def require_keys(record: Mapping[str, Any], keys: Iterable[str], path: str | Path, row: int) -> None:
    missing = [k for k in keys if k not in record or record[k] is None]
    if missing:
        raise DataError(path, f"missing value(s) for {missing}", row=row, field=missing[0])
