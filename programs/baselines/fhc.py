"""Full-history concatenation (FHC): every earlier step with its outcome, oldest dropped first at the budget."""

from __future__ import annotations

from typing import Any

from llm_as_rnn.programs.baselines.history import HistoryProgram
from llm_as_rnn.programs.past_steps import PastStep


class FullHistory(HistoryProgram):
    """The paper's FHC baseline: as much raw history as the context budget holds, newest kept first."""

    name = "fhc"

    def select(self, history: list[PastStep], step: Any) -> list[PastStep]:
        return history[::-1]
