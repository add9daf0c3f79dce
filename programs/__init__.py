"""DSPy programs: LLM-as-RNN and the pieces it shares with the baselines."""

from programs.adapter import SystemPromptMemoryAdapter
from programs.budget import BudgetError, MemoryBudget
from programs.critic import FEEDBACK_MODES, Critic, Feedback
from programs.llm_as_rnn import DEFAULT_BUDGET_TOKENS, LLMAsRNN
from programs.memory import Memory, MemorySchema, Section
from programs.predictor import StepPredictor
from programs.records import StepRecord
from programs.registry import METHODS, build_method, parse_method
from programs.updater import MemoryUpdater

__all__ = [
    "DEFAULT_BUDGET_TOKENS",
    "FEEDBACK_MODES",
    "METHODS",
    "BudgetError",
    "Critic",
    "Feedback",
    "LLMAsRNN",
    "Memory",
    "MemoryBudget",
    "MemorySchema",
    "MemoryUpdater",
    "Section",
    "StepPredictor",
    "StepRecord",
    "SystemPromptMemoryAdapter",
    "build_method",
    "parse_method",
]
