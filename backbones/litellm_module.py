"""The one place that imports LiteLLM (lazily, through DSPy, so DSPy's LiteLLM defaults apply), set up to stay
offline: the bundled model-cost map, and no Hugging Face tokenizer downloads (for models whose tokenizer is not
bundled, token counts fall back to the tiktoken encoding LiteLLM ships: approximate, but local)."""

from __future__ import annotations

import functools
import os
from typing import Any


@functools.cache
def litellm_module() -> Any:
    """Import LiteLLM on first use (~1.6 s), offline."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    from dspy.clients._litellm import get_litellm

    litellm = get_litellm(feature="LiteLLM-routed backbones")
    litellm.disable_hf_tokenizer_download = True
    return litellm
