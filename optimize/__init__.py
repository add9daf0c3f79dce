"""Optimization: DSPy optimizers tune the memory-update instructions; Optuna searches budget and structure."""

from llm_as_rnn.optimize.base import DEFAULT_TUNE, OptimizationResult, UpdateOptimizer
from llm_as_rnn.optimize.copro import COPROUpdate
from llm_as_rnn.optimize.examples import sequence_examples
from llm_as_rnn.optimize.gepa import GEPAUpdate
from llm_as_rnn.optimize.metric import FeedbackMetric, SequenceMetric
from llm_as_rnn.optimize.mipro import MIPROUpdate

OPTIMIZERS: dict[str, type[UpdateOptimizer]] = {"mipro": MIPROUpdate, "gepa": GEPAUpdate, "copro": COPROUpdate}


def get_optimizer(name: str) -> type[UpdateOptimizer]:
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name]


__all__ = [
    "DEFAULT_TUNE",
    "OPTIMIZERS",
    "COPROUpdate",
    "FeedbackMetric",
    "GEPAUpdate",
    "MIPROUpdate",
    "OptimizationResult",
    "SequenceMetric",
    "UpdateOptimizer",
    "get_optimizer",
    "sequence_examples",
]
