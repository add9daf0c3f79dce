"""Acc@k judged by an LLM (semantic equivalence, as in the paper) instead of by category codes."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import dspy

from llm_as_rnn.programs.adapter import SystemPromptMemoryAdapter
from llm_as_rnn.programs.failures import recoverable_failure
from llm_as_rnn.signatures.same_diagnosis import SameDiagnosis

logger = logging.getLogger(__name__)


def judged_hits(target: Any, predictions: Sequence[Mapping[str, Any] | None], truths: Sequence[Mapping[str, Any]],
                lm: dspy.BaseLM) -> dict[str, list[float | None]]:
    """Per step: `judge_hit@1` and `judge_hit@k` — is the primary truth judged the same as the first (any of the
    first k) predicted items? A malformed judge answer counts as 'not the same'."""
    judge = dspy.Predict(SameDiagnosis)
    at_1, at_k = [], []
    for prediction, truth in zip(predictions, truths, strict=True):
        ranked = None if prediction is None else list(prediction.get(target.name) or [])[: target.k]
        primary = (list(truth[target.name]) or [None])[0]
        if ranked is None or primary is None:
            at_1.append(None)
            at_k.append(None)
            continue
        rank = None
        with dspy.context(lm=lm, adapter=SystemPromptMemoryAdapter()):
            for index, item in enumerate(ranked):
                try:
                    same = bool(judge(predicted=str(item), truth=str(primary)).same)
                except Exception as exc:
                    if recoverable_failure(exc) is None:
                        raise
                    logger.warning("judge answer malformed for %r vs %r", item, primary)
                    same = False
                if same:
                    rank = index
                    break
        at_1.append(float(rank == 0))
        at_k.append(float(rank is not None))
    return {"judge_hit@1": at_1, f"judge_hit@{target.k}": at_k}
