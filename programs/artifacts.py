"""A compiled program on disk: DSPy's JSON state (the tuned instructions) plus a sidecar config that rebuilds its
architecture (task, method and options), with the backbones, optimizer, settings, scores and package versions.

    program_dir/
        program.json   # dspy.Module.save: per-predictor signature instructions (no LMs, no secrets)
        config.json    # everything needed to rebuild and to know where the program came from

`program.save(path)` of a single file writes `path.config.json` beside it (`write_sidecar`), and `program.load(path)`
refuses a file saved by another configuration (`check_sidecar`). `programs.registry.load_program` rebuilds a program
from a folder (it needs the method table; this module needs nothing of `programs/`, so every program can use it).
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from llm_as_rnn.utils.redact import redact

FORMAT_VERSION = 1
VERSIONED_PACKAGES = ("llm-as-rnn", "dspy", "litellm", "llama-cpp-python", "optuna")


class ProgramFileError(ValueError):
    """A saved program folder is missing, incomplete, or does not match what it is loaded for."""


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def save_program(program: Any, path: str | Path, *, task_options: dict[str, Any] | None = None,
                 backbones: dict[str, str] | None = None, optimization: dict[str, Any] | None = None,
                 **extra: Any) -> Path:
    """Write `program` (any `SequenceProgram`) into the folder `path`; `programs.registry.load_program` reads it."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    program.save(str(path / "program.json"))
    sidecar = {"format": FORMAT_VERSION, "program": program.config(), "task_options": task_options or {},
               "backbones": backbones or {}, "optimization": optimization or {}, "versions": package_versions(),
               **extra}
    (path / "config.json").write_text(redact(json.dumps(sidecar, indent=2, default=str)), encoding="utf-8")
    return path


def read_config(path: str | Path) -> dict[str, Any]:
    """The sidecar of a saved program folder; a folder that is not one is a one-line `ProgramFileError`."""
    path = Path(path)
    if not path.is_dir():
        raise ProgramFileError(f"{path}: no such program folder" if not path.exists() else
                               f"{path}: not a folder (a saved program is a folder with program.json and config.json)")
    for name in ("config.json", "program.json"):
        if not (path / name).is_file():
            raise ProgramFileError(f"{path}: not a saved program (no {name}; save one with llm-rnn optimize)")
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ProgramFileError(f"{path / 'config.json'}: not JSON ({exc.msg})") from exc
    if not isinstance(config, dict) or config.get("format") != FORMAT_VERSION or "program" not in config:
        found = config.get("format") if isinstance(config, dict) else None
        raise ProgramFileError(f"{path / 'config.json'}: unknown format {found!r}")
    return config


def write_sidecar(path: str | Path, config: Mapping[str, Any], backbones: Mapping[str, str]) -> None:
    """`<path>.config.json` beside a single-file save: the configuration the JSON state alone does not carry."""
    sidecar = {"program": dict(config), "backbones": dict(backbones)}
    Path(f"{path}.config.json").write_text(redact(json.dumps(sidecar, indent=1, default=str)), encoding="utf-8")


def check_sidecar(path: str | Path, current: Mapping[str, Any]) -> None:
    """Refuse to load `path` into a program of another configuration (when `<path>.config.json` exists), in one line
    saying what differs: tuned instructions silently run in the wrong loop are worse than an error."""
    sidecar = Path(f"{path}.config.json")
    if not sidecar.is_file():
        return
    saved = json.loads(sidecar.read_text(encoding="utf-8")).get("program", {})
    different = {k: (saved.get(k), current.get(k)) for k in saved.keys() | current.keys()
                 if saved.get(k) != current.get(k)}
    if different:
        detail = "; ".join(f"{k}: saved {a!r}, this program {b!r}" for k, (a, b) in sorted(different.items()))
        raise ProgramFileError(f"{path} was saved by a program of another configuration ({detail}); build the "
                               "program with the saved settings, or use llm_as_rnn.load_program on a saved folder")
