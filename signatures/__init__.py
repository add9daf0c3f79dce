"""Typed DSPy signatures of the LLM-as-RNN loop; each docstring is the instruction an optimizer may tune."""

from llm_as_rnn.signatures.feedback import CritiqueWithTruth
from llm_as_rnn.signatures.fused import CritiqueAndUpdate, fused_signature
from llm_as_rnn.signatures.judge import JudgeWithoutTruth
from llm_as_rnn.signatures.predict import PredictStep, predict_signature
from llm_as_rnn.signatures.update import UpdateMemory, update_signature

__all__ = [
    "CritiqueAndUpdate",
    "CritiqueWithTruth",
    "JudgeWithoutTruth",
    "PredictStep",
    "UpdateMemory",
    "fused_signature",
    "predict_signature",
    "update_signature",
]
