"""`load_backbone`: any model string -> a frozen `dspy.LM` (LiteLLM route, or the in-process llama.cpp engine)."""

from __future__ import annotations

import logging
from typing import Any

import dspy

from backbones.errors import BackboneError
from backbones.model_string import EMBEDDED_DEFAULT, parse_model_string
from backbones.roles import Roles

logger = logging.getLogger(__name__)

_SECRET_KWARGS = ("api_key", "aws_secret_access_key", "azure_ad_token", "vertex_credentials")

__all__ = ["Roles", "load_backbone"]


def load_backbone(
    model: str = EMBEDDED_DEFAULT,
    *,
    temperature: float = 0.0,
    max_tokens: int = 512,
    cache: bool = True,
    num_retries: int = 3,
    timeout: float | None = 120.0,
    api_base: str | None = None,
    n_ctx: int = 8192,
    contexts: int = 4,
    **litellm_kwargs: Any,
) -> dspy.LM:
    """Build the `dspy.LM` for a model string. Backbones stay frozen: this only configures decoding.

    Args:
        model: `provider/model` (see `backbones.model_string.HOW_TO_WRITE`).
        temperature: 0 by default, so runs are reproducible and cacheable.
        max_tokens: A finite default per call; programs lower it per step.
        cache: DSPy's request cache (memory + disk under `DSPY_CACHEDIR`).
        num_retries: Transient errors are retried by DSPy with exponential backoff.
        timeout: Hard per-call timeout in seconds for LiteLLM-routed backbones.
        api_base: Server address for local/served backbones (Ollama, vLLM, llama.cpp server).
        n_ctx: Context window of the embedded backbone.
        contexts: llama.cpp contexts of the embedded backbone (one per prompt head, for KV-prefix reuse).
        litellm_kwargs: Passed to LiteLLM (never an API key: keys come from the environment).
    """
    secrets = sorted(k for k in litellm_kwargs if k in _SECRET_KWARGS)
    if secrets:
        raise BackboneError(
            f"{', '.join(secrets)} cannot be passed in code: keys are read from the environment only "
            "(for example OPENAI_API_KEY, ANTHROPIC_API_KEY), so they never reach traces, caches or logs."
        )
    parsed = parse_model_string(model)
    if parsed.embedded:
        if api_base or litellm_kwargs:
            extra = ", ".join(["api_base"] * bool(api_base) + sorted(litellm_kwargs))
            raise BackboneError(f"{model}: the embedded backbone runs in-process and takes no {extra}.")
        from backbones.embedded import resolve_gguf, shared_engine

        path, model_id = resolve_gguf(parsed.name)
        engine = shared_engine(path, n_ctx=n_ctx, contexts=contexts)
        return dspy.LM(
            f"llamacpp/{model_id}",
            engine=engine,
            temperature=temperature,
            max_tokens=max_tokens,
            cache=cache,
            num_retries=num_retries,
        )
    client: dict[str, Any] = {"timeout": timeout} if timeout else {}
    if api_base:
        client["api_base"] = api_base
    return dspy.LM(
        parsed.text,
        engine="litellm",
        temperature=temperature,
        max_tokens=max_tokens,
        cache=cache,
        num_retries=num_retries,
        **client,
        **litellm_kwargs,
    )


def describe(lm: dspy.LM | None) -> str:
    """A secret-free one-line description of a backbone for traces and reports."""
    if lm is None:
        return "(configured dspy LM)"
    return str(getattr(lm, "model", type(lm).__name__))


def check_not_configured(value: Any) -> None:
    """Raise a clear error when a plain string is passed where a built LM is needed."""
    if isinstance(value, str):
        raise BackboneError(f"Expected a dspy.LM, got the string {value!r}: build it with load_backbone({value!r}).")
