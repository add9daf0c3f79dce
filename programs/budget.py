"""The fixed memory budget: shown to the updater, enforced in code at every step, never exceeded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from llm_as_rnn.programs.memory import Memory, MemorySchema

TokenCounter = Callable[[str], int]


class BudgetError(ValueError):
    """The budget cannot hold even the memory's empty structure."""


@dataclass(frozen=True)
class MemoryBudget:
    """At most `tokens` tokens of rendered memory, counted by the predictor backbone's tokenizer."""

    tokens: int

    def check_feasible(self, schema: MemorySchema, count: TokenCounter) -> int:
        """Raise `BudgetError` if the empty sections alone do not fit; return their size in tokens."""
        if self.tokens <= 0:
            raise BudgetError(f"memory budget must be a positive number of tokens, got {self.tokens}")
        skeleton = count(schema.empty().render())
        if skeleton >= self.tokens:
            raise BudgetError(
                f"memory budget of {self.tokens} tokens cannot hold the {len(schema.sections)} empty sections "
                f"({skeleton} tokens); use a budget above {skeleton} or fewer sections"
            )
        return skeleton

    def check_initial(self, memory: Memory, count: TokenCounter) -> int:
        """Raise `BudgetError` if h_0 itself does not fit: the loop would start over its own budget."""
        used = count(memory.render())
        if used > self.tokens:
            raise BudgetError(f"the initial memory h_0 uses {used} tokens, over the memory budget of {self.tokens}; "
                              "shorten it or raise the budget")
        return used

    def describe(self, used: int) -> str:
        """What the updater is told (the Letta trick: show the count, not just the limit)."""
        return f"at most {self.tokens} tokens for the whole memory; the current memory uses {used}"

    def describe_overflow(self, used: int) -> str:
        return (
            f"OVER BUDGET: your rewrite used {used} tokens but the limit is {self.tokens}. "
            f"Rewrite it shorter: fewer and shorter bullets, keep only what matters most."
        )

    def fit(self, memory: Memory, count: TokenCounter) -> tuple[Memory, int]:
        """Cut at section boundaries until the memory fits: drop bullets from the lowest-priority section first,
        then give the last dropped bullet back as many words as still fit. Returns (memory, bullets dropped)."""
        if count(memory.render()) <= self.tokens:
            return memory, 0
        dropped = 0
        last = None
        while count(memory.render()) > self.tokens:
            memory, bullet, index = memory.without_last_bullet()
            dropped += 1
            last = (bullet, index)
        if last is not None:
            memory = self._fill_with_prefix(memory, *last, count)
        return memory, dropped

    def _fill_with_prefix(self, memory: Memory, bullet: str, index: int, count: TokenCounter) -> Memory:
        """The longest word-prefix of `bullet` (ending in '…') that still fits, if it keeps at least 3 words."""
        words = bullet.split()
        low, high, best = 3, len(words) - 1, None
        while low <= high:
            middle = (low + high) // 2
            candidate = memory.with_bullet_appended(index, " ".join(words[:middle]) + " …")
            if count(candidate.render()) <= self.tokens:
                best, low = candidate, middle + 1
            else:
                high = middle - 1
        return best if best is not None else memory
