"""Count tokens with the backbone's own tokenizer: the memory budget is measured in the predictor's tokens.

The embedded engine tokenizes with the model itself; LiteLLM-routed models use LiteLLM's `token_counter`, which
has the tokenizers that ship in its wheel (OpenAI's, Anthropic's) and, for any other model, an approximate count
with its bundled tiktoken encoding (never a download: see `backbones.litellm_module`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import dspy

from llm_as_rnn.backbones.litellm_module import litellm_module

TokenCounter = Callable[[str], int]


def token_counter(lm: dspy.BaseLM | None) -> TokenCounter:
    """The tokenizer of `lm`: its engine's own when it has one (llama.cpp), else LiteLLM's for that model."""
    if lm is None:
        lm = dspy.settings.lm
    engine = getattr(lm, "engine", None)
    count = getattr(engine, "count_tokens", None)
    if callable(count):
        return count
    return functools.partial(_litellm_count, str(getattr(lm, "model", "")))


def _litellm_count(model: str, text: str) -> int:
    if not text:
        return 0
    return int(litellm_module().token_counter(model=model, text=text))
