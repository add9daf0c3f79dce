"""The embedded backbone: a catalogued GGUF (`llamacpp/<alias>`) or any local file, loaded once per process."""

from __future__ import annotations

import hashlib
from pathlib import Path

from llm_as_rnn.backbones.catalog import EMBEDDED_MODELS, gguf_path
from llm_as_rnn.backbones.errors import BackboneError
from llm_as_rnn.backbones.llamacpp_engine import shared_engine

__all__ = ["resolve_gguf", "shared_engine"]


def resolve_gguf(name: str) -> tuple[Path, str]:
    """`name` (an alias or a path to a .gguf) -> (file, model id used in the DSPy cache key)."""
    if name in EMBEDDED_MODELS:
        model = EMBEDDED_MODELS[name]
        return gguf_path(model), model.model_id
    path = Path(name).expanduser()
    if path.suffix.lower() != ".gguf":
        known = ", ".join(sorted(EMBEDDED_MODELS))
        raise BackboneError(
            f"llamacpp/{name}: not an embedded model ({known}) and not a path to a .gguf file "
            f"(write llamacpp//absolute/path/model.gguf or llamacpp/./relative/model.gguf)."
        )
    if not path.is_file():
        raise BackboneError(f"llamacpp/{name}: GGUF file not found: {path.resolve()}")
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic != b"GGUF":  # llama.cpp would fail later with a bare ValueError
        raise BackboneError(f"llamacpp/{name}: {path.resolve()} is not a GGUF file (it starts with {magic!r}, "
                            "not b'GGUF').")
    stat = path.resolve().stat()
    digest = hashlib.sha1(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:10]
    return path, f"{path.stem.lower()}-{digest}"
