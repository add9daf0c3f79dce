"""Several replicas of one served model behind one model string: LiteLLM's Router as a DSPy engine.

DSPy 3.4's LiteLLM engine calls `litellm.completion`; this engine borrows its request/response mapping and calls a
`litellm.Router` instead, which spreads calls over the replicas and skips failing ones. DSPy
still owns caching, retries, usage and callbacks. (Composition, not a subclass: DSPy would send calls to a
LiteLLMEngine's `complete_legacy`, which goes to `litellm.completion` and bypasses the Router.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dspy.clients.engines.litellm_engine import LiteLLMEngine
from dspy.clients.engines.litellm_errors import litellm_errors

from llm_as_rnn.backbones.litellm_module import litellm_module

GROUP = "llm-rnn-replicas"


class RouterEngine:
    """`complete(Request)` through a LiteLLM Router over `api_bases` serving `model`.

    The default strategy is LiteLLM's own default, a random pick per call. "least-busy" breaks ties by list order, so
    a sequential client (one recurrent run) would send every call to the first replica.
    """

    supports_response_schema = True
    supported_params = frozenset({"temperature", "max_tokens", "stop", "seed", "top_p", "response_format"})

    def __init__(self, model: str, api_bases: Sequence[str], *, strategy: str = "simple-shuffle",
                 timeout: float | None = None, **litellm_params: Any):
        self.mapping = LiteLLMEngine(model_type="chat")
        if len(api_bases) < 1:
            raise ValueError("a router needs at least one api_base")
        self.model, self.api_bases, self.strategy = model, list(api_bases), strategy
        deployments = [{"model_name": GROUP, "litellm_params": {"model": model, "api_base": base,
                                                                 **({"timeout": timeout} if timeout else {}),
                                                                 **litellm_params}}
                       for base in self.api_bases]
        self.router = litellm_module().Router(model_list=deployments, routing_strategy=strategy, num_retries=0)

    def complete(self, request: Any) -> Any:
        data = self.mapping._arguments(request)
        data["model"] = GROUP
        data.pop("num_retries", None)
        with litellm_errors(model=request.model):
            raw = self.router.completion(**data)
        return self.mapping._response(raw, request)

    def close(self) -> None:
        """The Router's clients are LiteLLM's process-wide ones; nothing to free here."""

    def __deepcopy__(self, memo: dict) -> RouterEngine:
        return self
