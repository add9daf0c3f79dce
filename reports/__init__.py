"""Reports: JSONL traces, scoreboards with confidence intervals, and readable memory pages."""

from llm_as_rnn.reports.memory_page import write_memory_page
from llm_as_rnn.reports.scoreboard import Scoreboard, build_scoreboard
from llm_as_rnn.reports.trace import TraceWriter, read_trace

__all__ = ["Scoreboard", "TraceWriter", "build_scoreboard", "read_trace", "write_memory_page"]
