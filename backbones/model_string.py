"""Model strings: `provider/model`, as LiteLLM writes them, plus our in-process `llamacpp/` provider."""

from __future__ import annotations

import re
from dataclasses import dataclass

from llm_as_rnn.backbones.errors import BackboneError
from llm_as_rnn.backbones.litellm_module import litellm_module

EMBEDDED_PROVIDER = "llamacpp"
# The default reads its memory (numeric and categorical notes: results/README.md, "Benchmarks"); SmolLM2 is the
# fast smoke-test backbone, which does not.
EMBEDDED_DEFAULT = "llamacpp/qwen2.5-coder-1.5b-instruct"
EMBEDDED_SMOKE = "llamacpp/smollm2-135m-instruct"

HOW_TO_WRITE = (
    "Write a backbone as a LiteLLM model string 'provider/model', for example:\n"
    "  llamacpp/qwen2.5-coder-1.5b-instruct  embedded Qwen2.5-Coder-1.5B (default; no key, server or network)\n"
    "  llamacpp/qwen2.5-coder-0.5b-instruct  embedded Qwen2.5-Coder-0.5B\n"
    "  llamacpp/smollm2-135m-instruct      embedded SmolLM2-135M (fast smoke tests)\n"
    "  llamacpp//path/to/model.gguf        any local GGUF file, run in-process\n"
    "  openai/gpt-4o-mini                  key from OPENAI_API_KEY\n"
    "  anthropic/claude-3-5-haiku-latest   key from ANTHROPIC_API_KEY\n"
    "  ollama_chat/llama3.2                with --api-base http://127.0.0.1:11434\n"
    "  hosted_vllm/<served-name>           with --api-base http://host:8000/v1 (vLLM, llama.cpp server)\n"
    "Keys are read from the environment only."
)

_PROVIDER_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


@dataclass(frozen=True)
class ModelString:
    """A parsed model string; `text` is the original spelling."""

    provider: str
    name: str

    @property
    def text(self) -> str:
        return f"{self.provider}/{self.name}"

    @property
    def embedded(self) -> bool:
        return self.provider == EMBEDDED_PROVIDER


def parse_model_string(text: str) -> ModelString:
    """Split and validate `provider/model`; raises `BackboneError` that says how to write one."""
    if not isinstance(text, str) or "/" not in text.strip():
        raise BackboneError(f"Backbone {text!r} is not a model string.\n{HOW_TO_WRITE}")
    provider, _, name = text.strip().partition("/")
    if not _PROVIDER_PATTERN.match(provider) or not name or name.isspace():
        raise BackboneError(f"Backbone {text!r} is malformed.\n{HOW_TO_WRITE}")
    if provider != EMBEDDED_PROVIDER:
        _check_litellm_provider(provider, text)
    return ModelString(provider=provider, name=name)


def _check_litellm_provider(provider: str, text: str) -> None:
    known = {str(getattr(p, "value", p)) for p in litellm_module().provider_list}
    if provider not in known:
        close = sorted(p for p in known if p.startswith(provider[:3]))[:6]
        hint = f" Did you mean one of: {', '.join(close)}?" if close else ""
        raise BackboneError(f"Backbone {text!r}: LiteLLM has no provider {provider!r}.{hint}\n{HOW_TO_WRITE}")
