"""DSPy programs: LLM-as-RNN and the pieces it shares with the baselines."""

from llm_as_rnn.programs.adapter import SystemPromptMemoryAdapter
from llm_as_rnn.programs.budget import BudgetError, MemoryBudget
from llm_as_rnn.programs.critic import FEEDBACK_MODES, Critic, Feedback
from llm_as_rnn.programs.llm_as_rnn import DEFAULT_BUDGET_TOKENS, LLMAsRNN
from llm_as_rnn.programs.memory import Memory, MemorySchema, Section
from llm_as_rnn.programs.predictor import StepPredictor
from llm_as_rnn.programs.records import StepRecord
from llm_as_rnn.programs.registry import METHODS, build_method, parse_method
from llm_as_rnn.programs.updater import MemoryUpdater

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
