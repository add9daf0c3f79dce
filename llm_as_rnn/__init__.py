"""LLM-as-RNN (arXiv 2601.13352) as a DSPy prompt-program.

One import name for the whole library. The role folders of the repository (``programs/``, ``signatures/``,
``metrics/``, ``optimize/``, ...) are its subpackages (``llm_as_rnn.programs`` ...), mapped by ``pyproject.toml``.
The public API below is imported lazily, so ``import llm_as_rnn`` (and ``llm-rnn --version``) stays fast and
makes no network call.
"""

from __future__ import annotations

import importlib
import os
from importlib import metadata
from typing import Any

# LiteLLM reads its model-cost map from the network on first import unless told otherwise.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

try:
    __version__ = metadata.version("llm-as-rnn")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

_PUBLIC: dict[str, str] = {
    # programs
    "LLMAsRNN": "llm_as_rnn.programs",
    "RNNConfig": "llm_as_rnn.programs",
    "FEEDBACK_MODES": "llm_as_rnn.programs",
    "save_program": "llm_as_rnn.programs",
    "load_program": "llm_as_rnn.programs",
    "Memory": "llm_as_rnn.programs",
    "MemorySchema": "llm_as_rnn.programs",
    "MemoryBudget": "llm_as_rnn.programs",
    "SystemPromptMemoryAdapter": "llm_as_rnn.programs",
    "StepRecord": "llm_as_rnn.programs",
    "METHODS": "llm_as_rnn.programs",
    "build_method": "llm_as_rnn.programs",
    "parse_method": "llm_as_rnn.programs",
    # backbones
    "load_backbone": "llm_as_rnn.backbones",
    "EMBEDDED_DEFAULT": "llm_as_rnn.backbones",
    # tasks
    "get_task": "llm_as_rnn.tasks",
    "TASKS": "llm_as_rnn.tasks",
    "Task": "llm_as_rnn.tasks",
    "Step": "llm_as_rnn.tasks",
    "StepSequence": "llm_as_rnn.tasks",
    # optimize
    "GEPAUpdate": "llm_as_rnn.optimize",
    "MIPROUpdate": "llm_as_rnn.optimize",
    "COPROUpdate": "llm_as_rnn.optimize",
    "SequenceMetric": "llm_as_rnn.optimize",
    "sequence_examples": "llm_as_rnn.optimize",
    "get_optimizer": "llm_as_rnn.optimize",
    # evaluation
    "run_sequences": "llm_as_rnn.evaluation",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'llm_as_rnn' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


