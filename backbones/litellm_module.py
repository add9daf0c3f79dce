"""The one place that imports LiteLLM (lazily, through DSPy, so DSPy's LiteLLM defaults apply)."""

from __future__ import annotations

import os
from typing import Any


def litellm_module() -> Any:
    """Import LiteLLM on first use (~1.6 s) with the bundled cost map, never the network."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    from dspy.clients._litellm import get_litellm

    return get_litellm(feature="LiteLLM-routed backbones")
