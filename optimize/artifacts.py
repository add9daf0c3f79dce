"""A compiled program on disk: DSPy's JSON state (the tuned instructions) plus a sidecar config that rebuilds its
architecture (task, method and options), with the backbones, optimizer, settings, scores and package versions.

    program_dir/
        program.json   # dspy.Module.save: per-predictor signature instructions (no LMs, no secrets)
        config.json    # everything needed to rebuild and to know where the program came from
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
from pathlib import Path
from typing import Any

import dspy

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.reports.redact import redact

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


def save_program(program: dspy.Module, path: str | Path, *, task_options: dict[str, Any] | None = None,
                 backbones: dict[str, str] | None = None, optimization: dict[str, Any] | None = None,
                 **extra: Any) -> Path:
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    program.save(str(path / "program.json"))
    sidecar = {"format": FORMAT_VERSION, "program": program.config(), "task_options": task_options or {},
               "backbones": backbones or {}, "optimization": optimization or {}, "versions": package_versions(),
               **extra}
    (path / "config.json").write_text(redact(json.dumps(sidecar, indent=2, default=str)), encoding="utf-8")
    return path


def read_config(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    for name in ("config.json", "program.json"):
        if not (path / name).is_file():
            raise ProgramFileError(f"{path}: not a saved program (no {name}; save one with llm-rnn optimize)")
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ProgramFileError(f"{path / 'config.json'}: not JSON ({exc.msg})") from exc
    if config.get("format") != FORMAT_VERSION or "program" not in config:
        raise ProgramFileError(f"{path / 'config.json'}: unknown format {config.get('format')!r}")
    return config


def load_program(path: str | Path, *, roles: Roles | None = None, task: Any = None) -> dspy.Module:
    """Rebuild the architecture from the sidecar, then load the tuned state. Pass `task` to reuse a built task;
    it must be the task the program was saved for."""
    from llm_as_rnn.programs.registry import METHODS
    from llm_as_rnn.tasks.registry import get_task

    path = Path(path)
    config = read_config(path)
    architecture = dict(config["program"])
    name, task_name = architecture.pop("program"), architecture.pop("task")
    if name not in METHODS:
        raise ProgramFileError(f"{path}: unknown program {name!r}")
    if task is None:
        task = get_task(task_name, **config.get("task_options", {}))
    elif task.name != task_name:
        raise ProgramFileError(f"{path}: saved for task {task_name!r}, not {task.name!r}")
    program = METHODS[name](task, roles=roles, **architecture)
    program.load(str(path / "program.json"))
    return program
