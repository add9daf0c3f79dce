"""MIMIC-IV `hosp/` tables -> visits: structured features per admission and its diagnoses (the labels).

Works on a PhysioNet-layout directory (`.csv` or `.csv.gz`): the open MIMIC-IV Clinical Database Demo or the full,
credentialed MIMIC-IV. Features never include the visit's own diagnoses, its DRG codes or any note (they leak the
label); dates appear only as relative gaps between visits.

Build the compact file shipped with the package (the demo, ODbL):

    python -m tasks.mimic --hosp path/to/mimic-iv-demo/hosp --out tasks/data/mimic_iv_demo_visits.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from llm_as_rnn.tasks.icd import ccsr_category, describe_diagnosis, describe_procedure, icd9_to_icd10, normalize_code
from llm_as_rnn.tasks.table import DataError, date_column, numeric_column, read_table

logger = logging.getLogger(__name__)

REQUIRED_TABLES = {
    "admissions": ["subject_id", "hadm_id", "admittime", "dischtime", "admission_type", "admission_location"],
    "patients": ["subject_id", "gender", "anchor_age", "anchor_year"],
    "diagnoses_icd": ["subject_id", "hadm_id", "seq_num", "icd_code", "icd_version"],
}
FEATURE_TABLES = {
    "procedures_icd": ["hadm_id", "seq_num", "icd_code", "icd_version"],
    "services": ["hadm_id", "curr_service"],
    "transfers": ["hadm_id", "careunit"],
    "prescriptions": ["hadm_id", "drug"],
    "microbiologyevents": ["hadm_id", "org_name"],
    "omr": ["subject_id", "chartdate", "result_name", "result_value"],
}
MAX_LIST = {"procedures": 5, "medications": 8, "organisms": 4}
OMR_RESULTS = ("Blood Pressure", "BMI (kg/m2)", "Weight (Lbs)")
OMR_LOOKBACK_DAYS = 365
CHUNK_ROWS = 1_000_000


def find_table(hosp: Path, name: str) -> Path | None:
    for suffix in (".csv.gz", ".csv"):
        if (hosp / f"{name}{suffix}").is_file():
            return hosp / f"{name}{suffix}"
    return None


def _read(hosp: Path, name: str, columns: list[str], hadm_ids: set[int] | None = None) -> pd.DataFrame | None:
    """A table's needed columns; big tables are streamed in chunks and filtered to the admissions we keep."""
    path = find_table(hosp, name)
    if path is None:
        return None
    read_table(path, required=columns, nrows=0)  # header check first: the error names the missing columns
    if hadm_ids is None or "hadm_id" not in columns:
        return read_table(path, required=columns, usecols=columns, dtype=str, keep_default_na=False)
    parts = []
    for chunk in pd.read_csv(path, usecols=columns, dtype=str, keep_default_na=False, chunksize=CHUNK_ROWS):
        keep = pd.to_numeric(chunk["hadm_id"], errors="coerce").isin(hadm_ids)
        parts.append(chunk[keep])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def build_visits(hosp: str | Path, *, min_visits: int = 1) -> list[dict[str, Any]]:
    """All admissions of patients with at least `min_visits` admissions, ordered by patient then time."""
    hosp = Path(hosp)
    if not hosp.is_dir():
        raise DataError(hosp, "not a directory (expected a MIMIC-IV hosp/ folder)")
    tables = {}
    for name, columns in REQUIRED_TABLES.items():
        frame = _read(hosp, name, columns)
        if frame is None:
            raise DataError(hosp / f"{name}.csv", "file not found (also looked for .csv.gz)")
        tables[name] = frame
    admissions = _admissions(tables["admissions"], find_table(hosp, "admissions"))
    counts = admissions.groupby("subject_id").size()
    admissions = admissions[admissions["subject_id"].isin(counts[counts >= min_visits].index)]
    hadm_ids = set(admissions["hadm_id"].astype(int))
    for name, columns in FEATURE_TABLES.items():
        tables[name] = _read(hosp, name, columns, hadm_ids)
        if tables[name] is None:
            logger.info("%s: no %s table; its features are left out", hosp, name)
    patients = _patients(tables["patients"], find_table(hosp, "patients"))
    diagnoses = _diagnoses(tables["diagnoses_icd"], find_table(hosp, "diagnoses_icd"), hadm_ids)
    features = _features(tables, hadm_ids)
    vitals = _vitals(tables.get("omr"), admissions)

    visits = []
    for subject, group in admissions.sort_values(["subject_id", "admittime"]).groupby("subject_id", sort=True):
        patient = patients.get(subject)
        if patient is None:
            raise DataError(find_table(hosp, "patients"), f"no row for subject_id {subject}", field="subject_id")
        previous = None
        for index, row in enumerate(group.itertuples()):
            hadm = int(row.hadm_id)
            visits.append({
                "subject_id": str(subject),
                "hadm_id": str(hadm),
                "visit_index": index,
                "days_since_previous": None if previous is None else round(
                    (row.admittime - previous).total_seconds() / 86400, 1),
                "age": int(patient["anchor_age"] + row.admittime.year - patient["anchor_year"]),
                "gender": patient["gender"],
                "admission_type": row.admission_type,
                "admission_location": row.admission_location,
                "los_days": round((row.dischtime - row.admittime).total_seconds() / 86400, 1),
                **{key: values.get(hadm, []) for key, values in features.items()},
                "vitals": vitals.get(hadm, {}),
                "diagnoses": diagnoses.get(hadm, []),
            })
            previous = row.admittime
    return visits


def _admissions(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    frame = frame.copy()
    frame["admittime"] = date_column(frame, "admittime", path)
    frame["dischtime"] = date_column(frame, "dischtime", path)
    frame["hadm_id"] = numeric_column(frame, "hadm_id", path).astype(int)
    frame["subject_id"] = numeric_column(frame, "subject_id", path).astype(int)
    return frame


def _patients(frame: pd.DataFrame, path: Path) -> dict[int, dict[str, Any]]:
    ids = numeric_column(frame, "subject_id", path).astype(int)
    ages = numeric_column(frame, "anchor_age", path).astype(int)
    years = numeric_column(frame, "anchor_year", path).astype(int)
    return {s: {"gender": g, "anchor_age": a, "anchor_year": y}
            for s, g, a, y in zip(ids, frame["gender"], ages, years, strict=True)}


def _diagnoses(frame: pd.DataFrame, path: Path, hadm_ids: set[int]) -> dict[int, list[dict[str, Any]]]:
    """Per admission, diagnoses in seq_num order, each normalised to ICD-10 with its CCSR category."""
    out: dict[int, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for row_number, row in enumerate(frame.itertuples(index=False), start=2):
        try:
            hadm = int(row.hadm_id)
            seq = int(row.seq_num)
            version = int(row.icd_version)
        except ValueError as exc:
            raise DataError(path, f"bad number ({exc})", row=row_number, field="hadm_id/seq_num/icd_version") from exc
        if version not in (9, 10):
            raise DataError(path, f"icd_version must be 9 or 10, got {version}", row=row_number, field="icd_version")
        if hadm not in hadm_ids:
            continue
        code = normalize_code(row.icd_code)
        if not code:
            raise DataError(path, "empty diagnosis code", row=row_number, field="icd_code")
        icd10 = code if version == 10 else icd9_to_icd10(code)
        out[hadm].append((seq, {
            "code": code,
            "version": version,
            "icd10": icd10,
            "ccsr": ccsr_category(icd10) if icd10 else None,
            "description": describe_diagnosis(code, version) or (describe_diagnosis(icd10, 10) if icd10 else None)
            or code,
        }))
    return {hadm: [d for _, d in sorted(items, key=lambda x: x[0])] for hadm, items in out.items()}


def _features(tables: dict[str, pd.DataFrame | None], hadm_ids: set[int]) -> dict[str, dict[int, list[str]]]:
    keys = ("services", "care_units", "procedures", "medications", "organisms")
    features: dict[str, dict[int, list[str]]] = {k: {} for k in keys}
    if (procedures := tables.get("procedures_icd")) is not None:
        grouped: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for row in procedures.itertuples(index=False):
            text = describe_procedure(row.icd_code, int(row.icd_version)) or normalize_code(row.icd_code)
            grouped[int(row.hadm_id)].append((int(row.seq_num or 0), text))
        features["procedures"] = {h: _unique(t for _, t in sorted(v))[: MAX_LIST["procedures"]]
                                  for h, v in grouped.items()}
    for table, column, key in (("services", "curr_service", "services"), ("transfers", "careunit", "care_units")):
        if (frame := tables.get(table)) is not None:
            for hadm, values in frame.groupby("hadm_id")[column]:
                features[key][int(hadm)] = _unique(v for v in values if v)
    if (frame := tables.get("prescriptions")) is not None:
        for hadm, values in frame.groupby("hadm_id")["drug"]:
            features["medications"][int(hadm)] = [d for d, _ in Counter(v for v in values if v).most_common(
                MAX_LIST["medications"])]
    if (frame := tables.get("microbiologyevents")) is not None:
        for hadm, values in frame.groupby("hadm_id")["org_name"]:
            features["organisms"][int(hadm)] = _unique(v for v in values if v)[: MAX_LIST["organisms"]]
    return features


def _vitals(omr: pd.DataFrame | None, admissions: pd.DataFrame) -> dict[int, dict[str, str]]:
    """The latest outpatient value of each vital within a year before discharge."""
    if omr is None or omr.empty:
        return {}
    omr = omr[omr["result_name"].isin(OMR_RESULTS)].copy()
    omr["chartdate"] = pd.to_datetime(omr["chartdate"], errors="coerce")
    omr["subject_id"] = pd.to_numeric(omr["subject_id"], errors="coerce")
    omr = omr.dropna(subset=["chartdate", "subject_id"]).sort_values("chartdate")
    by_subject = {int(s): g for s, g in omr.groupby("subject_id")}
    out = {}
    for row in admissions.itertuples():
        group = by_subject.get(int(row.subject_id))
        if group is None:
            continue
        window = group[(group["chartdate"] <= row.dischtime)
                       & (group["chartdate"] >= row.dischtime - pd.Timedelta(days=OMR_LOOKBACK_DAYS))]
        latest = window.groupby("result_name")["result_value"].last()
        if not latest.empty:
            out[int(row.hadm_id)] = {str(k): str(v) for k, v in latest.items()}
    return out


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(str(v) for v in values))


def write_visits(visits: list[dict[str, Any]], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # No file name and no time in the gzip header: the same visits give the same bytes.
    with open(path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as handle:
        for visit in visits:
            handle.write((json.dumps(visit, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
    return path


def read_visits(path: str | Path) -> list[dict[str, Any]]:
    path = Path(path)
    if not path.is_file():
        raise DataError(path, "file not found")
    visits = []
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                visit = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(path, f"not JSON ({exc.msg})", row=number) from exc
            for key in ("subject_id", "hadm_id", "visit_index", "diagnoses"):
                if key not in visit:
                    raise DataError(path, f"missing {key!r}", row=number, field=key)
            visits.append(visit)
    return visits


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build a compact visits file from a MIMIC-IV hosp/ folder.")
    parser.add_argument("--hosp", required=True, help="MIMIC-IV hosp/ folder (.csv or .csv.gz tables)")
    parser.add_argument("--out", required=True, help="output .jsonl.gz")
    parser.add_argument("--min-visits", type=int, default=1)
    args = parser.parse_args(argv)
    visits = build_visits(args.hosp, min_visits=args.min_visits)
    patients = len({v["subject_id"] for v in visits})
    print(f"{len(visits)} visits of {patients} patients -> {write_visits(visits, args.out)}")


if __name__ == "__main__":
    main()
