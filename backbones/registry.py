"""`load_backbone`: any model string -> a frozen `dspy.LM` (LiteLLM route, or the in-process llama.cpp engine)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import dspy

from llm_as_rnn.backbones.embedded import resolve_gguf, shared_engine
from llm_as_rnn.backbones.errors import BackboneError
from llm_as_rnn.backbones.litellm_module import litellm_module
from llm_as_rnn.backbones.llamacpp_engine import LlamaCppEngine
from llm_as_rnn.backbones.model_string import EMBEDDED_DEFAULT, parse_model_string
from llm_as_rnn.backbones.router import RouterEngine

logger = logging.getLogger(__name__)

_SECRET_KWARGS = ("api_key", "aws_secret_access_key", "azure_ad_token", "vertex_credentials")

__all__ = ["describe", "load_backbone", "proposer_for"]


def load_backbone(
    model: str = EMBEDDED_DEFAULT,
    *,
    temperature: float = 0.0,
    max_tokens: int = 512,
    cache: bool = True,
    num_retries: int = 3,
    timeout: float | None = 120.0,
    api_base: str | None = None,
    max_concurrency: int | None = None,
    response_schema: bool = False,
    n_ctx: int = 8192,
    contexts: int = 4,
    max_string_chars: int | None = None,
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
        api_base: Server address for local/served backbones (Ollama, vLLM, llama.cpp server); several,
            comma-separated, are replicas of one model served behind LiteLLM's Router.
        max_concurrency: At most this many calls in flight to this backbone at once, across all programs and
            threads (None: no limit; the embedded backbone serialises its calls anyway).
        response_schema: Declare that a served model honours OpenAI `json_schema` structured outputs (vLLM,
            llama.cpp's llama-server): LiteLLM's map does not know self-served names, so DSPy would otherwise send
            only `json_object` and a small model would answer unconstrained.
        n_ctx: Context window of the embedded backbone.
        contexts: llama.cpp contexts of the embedded backbone (one per prompt head, for KV-prefix reuse).
        max_string_chars: The embedded backbone's grammar limit on a JSON string the schema leaves unbounded (None:
            the engine's default, sized for step answers; 0: no limit, for an instruction proposer).
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
        path, model_id = resolve_gguf(parsed.name)
        settings = {} if max_string_chars is None else {"max_string_chars": max_string_chars}
        engine = shared_engine(path, n_ctx=n_ctx, contexts=contexts, **settings)
        lm = dspy.LM(f"llamacpp/{model_id}", engine=engine, temperature=temperature, max_tokens=max_tokens,
                     cache=cache, num_retries=num_retries)
        return limit_concurrency(lm, max_concurrency)
    if response_schema:
        litellm_module().register_model({parsed.text: {"litellm_provider": parsed.provider, "mode": "chat",
                                                       "supports_response_schema": True}})
    replicas = [b.strip() for b in (api_base or "").split(",") if b.strip()]
    if len(replicas) > 1:
        engine = RouterEngine(parsed.text, replicas, timeout=timeout, **litellm_kwargs)
        lm = dspy.LM(parsed.text, engine=engine, temperature=temperature, max_tokens=max_tokens, cache=cache,
                     num_retries=num_retries)
        return limit_concurrency(lm, max_concurrency)
    client: dict[str, Any] = {"timeout": timeout} if timeout else {}
    if replicas:
        client["api_base"] = replicas[0]
    lm = dspy.LM(parsed.text, engine="litellm", temperature=temperature, max_tokens=max_tokens, cache=cache,
                 num_retries=num_retries, **client, **litellm_kwargs)
    return limit_concurrency(lm, max_concurrency)


PROPOSAL_MAX_TOKENS = 1500


def proposer_for(lm: dspy.BaseLM | None) -> dspy.BaseLM | None:
    """The LM that should propose or reflect on instructions for `lm`: the same embedded GGUF on an engine without
    the string limit (a new `dspy.LM`), or `lm` itself when nothing limits its strings.

    Why: the step engine caps every JSON string at 160 characters (a small model otherwise loops inside a string),
    so a proposal written under it can never be as long as the instruction it replaces (about 1,100 characters):
    COPRO's and GEPA's proposals were cut at the cap. Without the cap the answer is bounded by `max_tokens`. A long
    cap is no way out: llama.cpp's grammar nests one rule per allowed character, and 4,000 crashed it (SIGSEGV).
    """
    engine = getattr(lm, "engine", None)
    if lm is None or not isinstance(engine, LlamaCppEngine) or not engine.max_string_chars:
        return lm
    unbounded = shared_engine(Path(engine.model_path), n_ctx=engine.n_ctx, contexts=engine.contexts,
                              max_string_chars=0)
    return dspy.LM(lm.model, engine=unbounded, temperature=lm.kwargs.get("temperature", 0.0),
                   max_tokens=PROPOSAL_MAX_TOKENS, cache=lm.cache, num_retries=lm.num_retries)


def limit_concurrency(lm: dspy.LM, limit: int | None) -> dspy.LM:
    """Attach a semaphore that every step's LM call takes (see `programs.failures.guarded_call`)."""
    if limit is not None:
        if limit < 1:
            raise BackboneError(f"max_concurrency must be at least 1, got {limit}")
        lm.concurrency = threading.BoundedSemaphore(limit)
    return lm


def describe(lm: dspy.LM | None) -> str:
    """A secret-free one-line description of a backbone for traces and reports."""
    if lm is None:
        return "(configured dspy LM)"
    return str(getattr(lm, "model", type(lm).__name__))
