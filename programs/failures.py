"""Which LM failures a run survives (count, keep h_{t-1}, go on) and which it must not hide."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import dspy
from dspy.utils.exceptions import AdapterParseError, ContextWindowExceededError

logger = logging.getLogger(__name__)


def recoverable_failure(exc: BaseException) -> str | None:
    """'malformed' or 'context_overflow' for failures that retrying cannot fix and must not stop a run; None for
    transport, auth and rate-limit errors, which DSPy already retried and which must stop the sequence so a
    resumed run can redo it."""
    if isinstance(exc, AdapterParseError):
        return "malformed"
    if isinstance(exc, ContextWindowExceededError):
        return "context_overflow"
    return None


def guarded_call(
    predict: dspy.Predict,
    *,
    role: str,
    record: Any,
    max_tokens: int,
    lm: dspy.BaseLM | None = None,
    **inputs: Any,
) -> dspy.Prediction | None:
    """Call one step's predictor; on a recoverable failure record `<role>_<kind>` on the step and return None."""
    extra = {"lm": lm} if lm is not None else {}
    limit = getattr(lm if lm is not None else dspy.settings.lm, "concurrency", None) or contextlib.nullcontext()
    try:
        with limit:
            return predict(**inputs, config={"max_tokens": max_tokens}, **extra)
    except Exception as exc:
        kind = recoverable_failure(exc)
        if kind is None:
            raise
        record.failures.append(f"{role}_{kind}")
        logger.warning("step %d: %s %s: %s", record.t, role, kind, str(exc)[:200])
        return None
