"""Backbones: one function from a model string to a frozen `dspy.LM`.

Importing this package makes no network call: LiteLLM is told to use its bundled model-cost map before anything
imports it, and LiteLLM itself is imported lazily, only when a LiteLLM-routed backbone is built.
"""

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from llm_as_rnn.backbones.errors import BackboneError
from llm_as_rnn.backbones.model_string import EMBEDDED_DEFAULT, ModelString, parse_model_string
from llm_as_rnn.backbones.registry import load_backbone
from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.backbones.tokenizer import token_counter

__all__ = [
    "EMBEDDED_DEFAULT",
    "BackboneError",
    "ModelString",
    "Roles",
    "load_backbone",
    "parse_model_string",
    "token_counter",
]
