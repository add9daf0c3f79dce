"""Retrieval memory in the style of MemoryBank / SCM: the k past steps whose inputs are most like x_t (BM25)."""

from __future__ import annotations

import re
from typing import Any

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.programs.baselines.history import DEFAULT_CONTEXT_TOKENS, HistoryProgram
from llm_as_rnn.programs.past_steps import PastStep

_TOKEN = re.compile(r"[a-z]+|-?\d+(?:\.\d+)?")


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


class Retrieval(HistoryProgram):
    """The `k` most similar earlier steps by BM25 over their inputs (ties: the more recent), shown in time order."""

    name = "retrieval"
    header = "The earlier steps of this sequence most similar to the current input, with their outcomes:"

    def __init__(self, task: Any, *, k: int = 3, context_budget: int = DEFAULT_CONTEXT_TOKENS,
                 roles: Roles | None = None, adjust: bool = False):
        super().__init__(task, context_budget=context_budget, roles=roles, adjust=adjust)
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        try:
            import rank_bm25  # noqa: F401
        except ImportError as exc:
            raise ImportError("the retrieval baseline needs the 'retrieval' extra: pip install 'llm-as-rnn[retrieval]'"
                              ) from exc
        self.k = k

    def select(self, history: list[PastStep], step: Any) -> list[PastStep]:
        if not history:
            return []
        from rank_bm25 import BM25Okapi

        scores = BM25Okapi([_words(h.input) or [""] for h in history]).get_scores(_words(step.input))
        ranked = sorted(range(len(history)), key=lambda i: (-scores[i], -history[i].t))
        return [history[i] for i in ranked[: self.k]]

    def config(self) -> dict[str, Any]:
        return {**super().config(), "k": self.k}
