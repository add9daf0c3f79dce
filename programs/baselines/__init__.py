"""Baselines of the paper (zero-shot, FHC, MemPrompt) and of the related work (sliding window, retrieval), all
sharing the prediction step with LLM-as-RNN so comparisons differ only in what the predictor is shown."""

from llm_as_rnn.programs.baselines.fhc import FullHistory
from llm_as_rnn.programs.baselines.memprompt import MemPrompt
from llm_as_rnn.programs.baselines.retrieval import Retrieval
from llm_as_rnn.programs.baselines.sliding_window import SlidingWindow
from llm_as_rnn.programs.baselines.zero_shot import ZeroShot

__all__ = ["FullHistory", "MemPrompt", "Retrieval", "SlidingWindow", "ZeroShot"]
