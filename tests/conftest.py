"""Test setup: offline, no disk cache shared between tests, DSPy settings reset per test."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("DSPY_CACHEDIR", tempfile.mkdtemp(prefix="llm_rnn_test_dspy_cache_"))

import dspy
import pytest


@pytest.fixture(autouse=True)
def clean_dspy_settings():
    """Every test starts with no LM configured and a memory-only cache (DSPy's own test practice)."""
    dspy.configure_cache(enable_disk_cache=False, enable_memory_cache=False)
    with dspy.context(lm=None, adapter=None, callbacks=[], trace=[]):
        yield


@pytest.fixture(scope="session")
def weather_task():
    from llm_as_rnn.tasks.weather import WeatherTask

    return WeatherTask()


@pytest.fixture(scope="session")
def embedded_lm():
    """The real embedded smoke backbone (SmolLM2-135M via llama.cpp); skips if the extra is not installed."""
    pytest.importorskip("llama_cpp", reason="the 'embedded' extra is not installed")
    from llm_as_rnn.backbones import load_backbone
    from llm_as_rnn.backbones.model_string import EMBEDDED_SMOKE

    return load_backbone(EMBEDDED_SMOKE, cache=False)
