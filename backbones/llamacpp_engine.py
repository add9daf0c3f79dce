"""An in-process llama.cpp backbone for `dspy.LM(engine=...)` with JSON-schema-constrained decoding.

Why a DSPy custom engine and not a LiteLLM custom provider: DSPy's JSONAdapter only sends a JSON schema when the
LM declares `supports_response_schema`; on the LiteLLM route that flag comes from LiteLLM's model map, which knows
nothing of a local GGUF, so a tiny model would decode unconstrained and ignore the format. An engine declares the
capability itself, keeps DSPy's cache, retries, usage and callbacks, and needs no HTTP server.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dspy.lm15 import ContextLengthError, Message, Response, TextPart, Usage, response_to_events

from llm_as_rnn.backbones.errors import BackboneError

logger = logging.getLogger(__name__)

PREFIX_KEY_CHARS = 200

EMBEDDED_EXTRA_HINT = (
    "The embedded backbone needs the 'embedded' extra: pip install 'llm-as-rnn[embedded]' "
    "(llama-cpp-python compiles from source, about 5-8 minutes on 2 cores)."
)


def _import_llama_cpp() -> Any:
    try:
        import llama_cpp
    except ImportError as exc:
        raise BackboneError(EMBEDDED_EXTRA_HINT) from exc
    return llama_cpp


class LlamaCppEngine:
    """One GGUF loaded once, shared by every `dspy.LM` that names it.

    DSPy owns caching, retries, history, usage and callbacks; the engine turns one `dspy.lm15.Request` into one
    `dspy.lm15.Response`. llama.cpp contexts are not thread-safe, so calls are serialised by a lock; the engine is
    borrowed, never copied, because optimizers deep-copy programs all the time.

    Args:
        model_path: A GGUF file.
        n_ctx: Context window in tokens (SmolLM2 was trained with 8192).
        n_threads: CPU threads for llama.cpp; defaults to every core (llama-cpp-python's default is half).
        default_max_tokens: Used when a call sets none: llama.cpp's own default is unbounded.
        default_temperature: Used when a call sets none: llama-cpp-python's own default is 0.2.
        seed: Sampling seed, for reproducible runs at temperature > 0.
        contexts: How many llama.cpp contexts to keep, keyed by the start of the system prompt (one per signature).
            A context re-evaluates only what differs from its previous prompt, so with one context per role the
            static instructions at the head of every prompt are evaluated once, not at every step. Each context
            holds its own KV cache (about 24 KB per token of n_ctx for SmolLM2-135M); 1 = a single shared context.
        max_string_chars: Grammar limit for every JSON string the schema leaves unbounded: a small model otherwise
            loops inside a string until max_tokens and the truncated JSON no longer parses. 0: no limit (the
            instruction proposer: llama.cpp's grammar nests one rule per allowed character, and a 4,000-character
            limit crashed it with SIGSEGV while it built the grammar; `max_tokens` still bounds the answer).
        n_batch: Tokens per prompt-evaluation batch, and the unit of KV reuse (only whole batches of the previous
            prompt are reused, so an answer does not depend on what a context served before). 64 keeps almost all
            of the reuse; on 2 cores the 1.5B evaluates prompts at 57 tok/s with 64, 60 with 128 and 59 with 512.
    """

    supports_response_schema = True
    supports_schema_limits = True
    supported_params = frozenset({"temperature", "max_tokens", "stop", "seed", "top_p", "response_format"})

    def __init__(
        self,
        model_path: str | os.PathLike,
        *,
        n_ctx: int = 8192,
        n_threads: int | None = None,
        default_max_tokens: int = 512,
        default_temperature: float = 0.0,
        seed: int = 0,
        contexts: int = 4,
        max_string_chars: int = 160,
        n_batch: int = 64,
    ):
        self.model_path = str(Path(model_path).resolve())
        if not Path(self.model_path).is_file():
            raise BackboneError(f"GGUF file not found: {self.model_path}")
        self.n_ctx = n_ctx
        self.n_threads = n_threads or os.cpu_count() or 1
        self.default_max_tokens = default_max_tokens
        self.default_temperature = default_temperature
        self.seed = seed
        if contexts < 1:
            raise BackboneError(f"contexts must be at least 1, got {contexts}")
        self.contexts = contexts
        self.max_string_chars = max_string_chars
        if n_batch < 1:
            raise BackboneError(f"n_batch must be at least 1, got {n_batch}")
        self.n_batch = n_batch
        self._lock = threading.Lock()
        self.calls = 0
        self.busy_seconds = 0.0
        self.prompt_tokens = 0
        self.reused_prompt_tokens = 0
        self.evaluated_prompt_tokens = 0
        self.prompt_eval_seconds = 0.0
        self.native_decode_seconds = 0.0  # llama.cpp's own decode time (prompt + generation), from its counters
        self.generated_tokens = 0
        self.generation_seconds = 0.0
        # Per-call accounting for benchmarks (benchmarks.step_floor): a list to append to, or None (off).
        self.call_log: list[dict[str, Any]] | None = None
        self._perf_seen: dict[int, tuple[float, int, float, int]] = {}
        self._prompt_lengths: dict[int, int] = {}  # per context: tokens of the prompt it evaluated last
        self._pool: OrderedDict[str, Any] = OrderedDict()
        started = time.perf_counter()
        self.llm = None
        self.llm = self._new_context()  # the weights, the tokenizer, and the first context of the pool
        self._spare = [self.llm]
        self.load_seconds = time.perf_counter() - started
        logger.info("loaded %s in %.2fs (n_ctx=%d, threads=%d)", self.model_path, self.load_seconds, n_ctx,
                    self.n_threads)

    # -- DSPy engine contract -------------------------------------------------------------------------------------

    def complete(self, request: Any) -> Response:
        config = request.config
        kwargs: dict[str, Any] = {
            "messages": _to_chat_messages(request),
            "max_tokens": config.max_tokens or self.default_max_tokens,
            "temperature": self.default_temperature if config.temperature is None else config.temperature,
            "stop": list(config.stop) or None,
            "seed": self.seed if config.seed is None else config.seed,
        }
        if config.top_p is not None:
            kwargs["top_p"] = config.top_p
        grammar_format = _grammar_response_format(config.response_format, self.max_string_chars)
        if grammar_format is not None:
            kwargs["response_format"] = grammar_format
        with self._serving(kwargs["messages"]) as llm:
            try:
                out = llm.create_chat_completion(**kwargs)
            except ValueError as exc:
                if "context window" in str(exc):  # deterministic: retrying cannot help, DSPy must not retry
                    raise ContextLengthError(str(exc)) from exc
                raise
        choice, usage = out["choices"][0], out.get("usage") or {}
        return Response(
            id=out.get("id"),
            model=out.get("model") or Path(self.model_path).name,
            message=Message.assistant([TextPart(choice["message"].get("content") or "")]),
            finish_reason="length" if choice.get("finish_reason") == "length" else "stop",
            usage=Usage(
                input_tokens=usage.get("prompt_tokens", 0),
                output_tokens=usage.get("completion_tokens", 0),
                total_tokens=usage.get("total_tokens", 0),
            ),
        )

    def prefill(self, messages: list[dict[str, str]]) -> None:
        """Evaluate a chat prompt through the context pool and generate one token (benchmarks replay recorded
        prompts with it, so layouts are compared on identical workloads)."""
        with self._serving(messages) as llm:
            llm.create_chat_completion(messages=messages, max_tokens=1, temperature=0.0, seed=self.seed)

    def stream(self, request: Any):
        return response_to_events(self.complete(request))

    def close(self) -> None:
        """DSPy may close an LM's engine; this one is shared by every LM naming the model, so it stays open."""

    def shutdown(self) -> None:
        """Free every llama.cpp context (at interpreter exit)."""
        with self._lock:
            forks = {id(x): x for x in [*self._pool.values(), *self._spare] if x is not self.llm}
            for llm in [*forks.values(), self.llm]:  # the weights go last: every other context borrows them
                if llm is not None:
                    llm.close()
            self._pool.clear()
            self._spare.clear()

    # -- Context pool ----------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _serving(self, messages: list[dict[str, str]]) -> Iterator[Any]:
        """The one way a prompt reaches llama.cpp: under the lock, on the context that last served its head, with
        only whole batches of KV reused, and every call counted (busy time, prompt evaluation, the prompt length
        the next call may reuse), whether it succeeds or raises."""
        with self._lock:
            llm = self._context_for(messages)
            prompt = self._reuse_aligned_prefix(llm, messages)
            reused = llm.n_tokens
            started = time.perf_counter()
            try:
                yield llm
            finally:
                seconds = time.perf_counter() - started
                self.busy_seconds += seconds
                self.calls += 1
                perf = self._record_prompt_eval(llm)
                self._prompt_lengths[id(llm)] = len(prompt)
                if self.call_log is not None:
                    self.call_log.append({"prompt_ids": tuple(prompt), "reused_tokens": reused, "seconds": seconds,
                                          **perf})

    def _new_context(self) -> Any:
        """A llama.cpp context. The first one loads the weights; every later one shares them (`_share_model`)."""
        llama_cpp = _import_llama_cpp()
        if getattr(self, "llm", None) is None:
            return llama_cpp.Llama(model_path=self.model_path, n_ctx=self.n_ctx, n_threads=self.n_threads,
                                   n_batch=self.n_batch, seed=self.seed, verbose=False)
        return _share_model(self.llm)

    def _context_for(self, messages: list[dict[str, str]]) -> Any:
        """The context that last served a prompt with the same head (LRU pool of `self.contexts`)."""
        key = (messages[0]["content"] if messages else "")[:PREFIX_KEY_CHARS]
        llm = self._pool.get(key)
        if llm is not None:
            self._pool.move_to_end(key)
            return llm
        if self._spare:
            llm = self._spare.pop()
        elif len(self._pool) < self.contexts:
            llm = self._new_context()
        else:
            _, llm = self._pool.popitem(last=False)
        self._pool[key] = llm
        return llm

    def _record_prompt_eval(self, llm: Any) -> dict[str, Any]:
        """Add the prompt-evaluation and generation time and tokens of the last call (llama.cpp's per-context perf
        counters: native time only, without llama-cpp-python's Python work around it); return them."""
        try:
            data = _import_llama_cpp().llama_perf_context(llm.ctx)
        except Exception:  # accounting only
            return {"evaluated_tokens": 0, "prompt_seconds": 0.0, "generated_tokens": 0, "generation_seconds": 0.0}
        seconds, tokens, decode, generated = data.t_p_eval_ms / 1000, int(data.n_p_eval), data.t_eval_ms / 1000, \
            int(data.n_eval)
        last = self._perf_seen.get(id(llm), (0.0, 0, 0.0, 0))
        delta = {"evaluated_tokens": max(tokens - last[1], 0), "prompt_seconds": max(seconds - last[0], 0.0),
                 "generated_tokens": max(generated - last[3], 0), "generation_seconds": max(decode - last[2], 0.0)}
        self.prompt_eval_seconds += delta["prompt_seconds"]
        self.evaluated_prompt_tokens += delta["evaluated_tokens"]
        self.generated_tokens += delta["generated_tokens"]
        self.generation_seconds += delta["generation_seconds"]
        self.native_decode_seconds += delta["prompt_seconds"] + delta["generation_seconds"]
        self._perf_seen[id(llm)] = (seconds, tokens, decode, generated)
        return delta

    def _reuse_aligned_prefix(self, llm: Any, messages: list[dict[str, str]]) -> list[int]:
        """Let `llm` reuse only the part of its KV cache that a fresh evaluation of this prompt would compute
        bit for bit; return the prompt's tokens (none when it cannot be tokenized here).

        Why: llama.cpp evaluates a prompt in batches of `n_batch` tokens, and a batch's shape changes the order of
        floating-point sums. llama-cpp-python reuses the longest common token prefix with the previous prompt, so
        the remaining tokens were batched from wherever that prefix ended: the same prompt gave other logits, and at
        temperature 0 sometimes another answer, depending on what the context had served before (measured: one
        weather sequence after an unrelated one forecast 33.9 instead of 34.0 and wrote another memory). A run's
        numbers then depended on which calls DSPy's cache had served. Reuse is cut back to a multiple of `n_batch`
        within the previous prompt (never into tokens generated one at a time), so every batch is the batch a
        fresh evaluation would run; the answer depends on the prompt alone.
        """
        try:
            prompt = llm.tokenize(_chat_text(llm, messages).encode("utf-8"), add_bos=False, special=True)
        except Exception:  # never fail a call over reuse: evaluate the prompt from scratch
            llm.n_tokens = 0
            return []
        previous = list(llm.input_ids[: min(llm.n_tokens, self._prompt_lengths.get(id(llm), 0))])
        keep = max(min(llm.longest_token_prefix(previous, prompt), len(prompt) - 1), 0)  # >= 1 token evaluated anew
        llm.n_tokens = min(llm.n_tokens, keep - keep % llm.n_batch)
        self.prompt_tokens += len(prompt)
        self.reused_prompt_tokens += llm.n_tokens
        return prompt

    # -- Tokenizer, copying, saving --------------------------------------------------------------------------------

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` under this model's own tokenizer (no BOS, no chat template)."""
        if not text:
            return 0
        with self._lock:
            return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def __deepcopy__(self, memo: dict) -> LlamaCppEngine:
        return self

    def dump_state(self) -> dict[str, Any]:
        """JSON state that rebuilds this engine (paths and settings only, never secrets)."""
        return {
            "model_path": self.model_path,
            "n_ctx": self.n_ctx,
            "default_max_tokens": self.default_max_tokens,
            "default_temperature": self.default_temperature,
            "seed": self.seed,
            "contexts": self.contexts,
            "max_string_chars": self.max_string_chars,
            "n_batch": self.n_batch,
        }

    @classmethod
    def load_state(cls, state: dict[str, Any]) -> LlamaCppEngine:
        return shared_engine(Path(state.pop("model_path")), **state)


_engines: dict[tuple, LlamaCppEngine] = {}
_engines_lock = threading.Lock()


@atexit.register
def _close_engines() -> None:
    """Free llama.cpp contexts before interpreter teardown (their finalizers fail once modules are gone)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.shutdown()
        _engines.clear()


def shared_engine(path: Path, **settings) -> LlamaCppEngine:
    """One loaded model per (file, settings) in this process, shared by every role and every copy."""
    key = (str(path.resolve()), tuple(sorted(settings.items())))
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = LlamaCppEngine(path, **settings)
        return engine


def _chat_text(llm: Any, messages: list[dict[str, str]]) -> str:
    """The prompt as the GGUF's own chat template renders it (ChatML when it has none), for prefix accounting."""
    template = (getattr(llm, "metadata", None) or {}).get("tokenizer.chat_template")
    if template:
        formatter = _FORMATTERS.get(template)
        if formatter is None:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            formatter = _FORMATTERS[template] = Jinja2ChatFormatter(template=template, eos_token="", bos_token="")
        return formatter(messages=messages).prompt
    return "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages) + "<|im_start|>assistant\n"


_FORMATTERS: dict[str, Any] = {}


def _share_model(owner: Any) -> Any:
    """A second `llama_cpp.Llama` context over the weights `owner` already holds: one copy of the weights.

    llama-cpp-python's high-level `Llama` always loads its own model (for Q4_K on x86 that is a repacked copy in
    anonymous memory, about 1.9 GB per instance for Qwen-1.5B). llama.cpp itself lets many contexts share one
    `llama_model`, so the new object is a shallow copy of `owner` whose per-context state (KV cache, batch,
    token/logit buffers, sampler) is new. Pinned to the llama-cpp-python version in pyproject.toml; the
    integration tests check it against the real model.
    """
    import ctypes

    import numpy as np
    from llama_cpp import _internals as internals

    llm = object.__new__(type(owner))  # not copy.copy: Llama pickles by re-running __init__, i.e. reloading
    llm.__dict__.update(owner.__dict__)
    llm._stack = contextlib.ExitStack()
    llm._ctx = llm._stack.enter_context(contextlib.closing(
        internals.LlamaContext(model=owner._model, params=owner.context_params, verbose=False)))
    llm._batch = llm._stack.enter_context(contextlib.closing(
        internals.LlamaBatch(n_tokens=owner.n_batch, embd=0, n_seq_max=owner.context_params.n_ctx, verbose=False)))
    llm._candidates = internals.LlamaTokenDataArray(n_vocab=owner._n_vocab)
    llm.n_tokens = 0
    llm._requires_eval = True
    llm.input_ids = np.ndarray(owner.input_ids.shape, dtype=np.intc)
    llm.scores = np.ndarray(owner.scores.shape, dtype=np.single)  # never touched without logits_all: no RSS
    llm._sampler = None
    llm._mirostat_mu = ctypes.c_float(2.0 * 5.0)
    llm.cache = None
    return llm


def _to_chat_messages(request: Any) -> list[dict[str, str]]:
    messages = []
    if request.system is not None:
        system = request.system if isinstance(request.system, str) else "".join(p.text for p in request.system)
        messages.append({"role": "system", "content": system})
    messages += [{"role": m.role, "content": m.text or ""} for m in request.messages]
    return messages


def _grammar_response_format(response_format: dict | None, max_string_chars: int) -> dict | None:
    """DSPy's canonical `json_schema` format -> the form llama-cpp-python turns into a grammar.

    llama-cpp-python only honours `{"type": "json_object", "schema": ...}`; an OpenAI-style `json_schema` dict is
    silently ignored, which would leave the model unconstrained.
    """
    if not response_format:
        return None
    kind = response_format.get("type")
    if kind == "json_schema":
        schema = response_format.get("schema") or (response_format.get("json_schema") or {}).get("schema")
        if not schema:
            return {"type": "json_object"}
        schema = copy.deepcopy(schema)
        return {"type": "json_object", "schema": bound_strings(schema, max_string_chars) if max_string_chars
                else schema}
    if kind == "json_object":
        return {"type": "json_object"}
    return None


def bound_strings(schema: Any, max_chars: int) -> Any:
    """Give every free-text string in a JSON schema a `maxLength` (enums and patterns are already bounded)."""
    if isinstance(schema, dict):
        if schema.get("type") == "string" and not {"maxLength", "enum", "const", "pattern"} & schema.keys():
            schema["maxLength"] = max_chars
        for value in schema.values():
            bound_strings(value, max_chars)
    elif isinstance(schema, list):
        for value in schema:
            bound_strings(value, max_chars)
    return schema
