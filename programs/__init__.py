"""DSPy programs: LLM-as-RNN and the pieces it shares with the baselines."""

from llm_as_rnn.programs.adapter import SystemPromptMemoryAdapter
from llm_as_rnn.programs.artifacts import ProgramFileError, save_program
from llm_as_rnn.programs.budget import BudgetError, MemoryBudget
from llm_as_rnn.programs.config import DEFAULT_BUDGET_TOKENS, ConfigError, RNNConfig
from llm_as_rnn.programs.critic import Critic, Feedback
from llm_as_rnn.programs.feedback_modes import FEEDBACK_MODES, FeedbackMode
from llm_as_rnn.programs.llm_as_rnn import LLMAsRNN
from llm_as_rnn.programs.memory import Memory, MemorySchema, Section
from llm_as_rnn.programs.predictor import StepPredictor
from llm_as_rnn.programs.records import StepRecord
from llm_as_rnn.programs.registry import METHODS, build_method, load_program, parse_method
from llm_as_rnn.programs.updater import MemoryUpdater

__all__ = [
    "DEFAULT_BUDGET_TOKENS",
    "FEEDBACK_MODES",
    "METHODS",
    "BudgetError",
    "ConfigError",
    "Critic",
    "Feedback",
    "FeedbackMode",
    "LLMAsRNN",
    "Memory",
    "MemoryBudget",
    "MemorySchema",
    "MemoryUpdater",
    "ProgramFileError",
    "RNNConfig",
    "Section",
    "StepPredictor",
    "StepRecord",
    "SystemPromptMemoryAdapter",
    "build_method",
    "load_program",
    "parse_method",
    "save_program",
]
