"""Typed DSPy signatures of the LLM-as-RNN loop; each docstring is the instruction an optimizer may tune."""

from signatures.feedback import CritiqueWithTruth
from signatures.fused import CritiqueAndUpdate, fused_signature
from signatures.judge import JudgeWithoutTruth
from signatures.predict import PredictStep, predict_signature
from signatures.update import UpdateMemory, update_signature

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
