"""The hidden state h_t: a structured natural-language memory of named sections of bullet points."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from llm_as_rnn.tasks.memory_spec import MemorySpec, Section

__all__ = ["EMPTY_SECTION", "Memory", "MemorySchema", "Section", "clean_bullets", "cut_bullet", "whole_sentences"]

EMPTY_SECTION = "(nothing yet)"
_BULLET_PREFIX = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?!\d)")


class MemorySchema(MemorySpec):
    """A task's `MemorySpec` with what the loop does with it: build memories (empty, from bullets) and the
    `<placeholder>` example shown to the updater."""

    @classmethod
    def of(cls, spec: MemorySpec) -> MemorySchema:
        return spec if isinstance(spec, MemorySchema) else cls(spec.sections, dict(spec.example))

    def empty(self) -> Memory:
        return Memory(self, tuple(() for _ in self.sections))

    def memory(self, bullets: Mapping[str, Iterable[str]]) -> Memory:
        """A memory from section name -> bullets (missing sections are empty, unknown names are an error)."""
        unknown = set(bullets) - set(self.names)
        if unknown:
            raise ValueError(f"unknown memory sections {sorted(unknown)}; this schema has {list(self.names)}")
        return Memory(self, tuple(clean_bullets(bullets.get(name, ())) for name in self.names))

    def select(self, names: Iterable[str]) -> MemorySchema:
        return MemorySchema.of(super().select(names))

    def example_memory(self) -> Memory | None:
        return self.memory(self.example) if self.example else None


@dataclass(frozen=True)
class Memory:
    """h_t. Immutable: every update produces a new memory, and the old one is kept in the trace."""

    schema: MemorySchema = field(repr=False)
    bullets: tuple[tuple[str, ...], ...]

    @classmethod
    def from_outputs(cls, schema: MemorySchema, outputs: Mapping[str, Any], *, limit: int | None = None) -> Memory:
        """Build from an updater's typed outputs (one list of strings per section); a bullet that the length
        limit cut mid-sentence loses its trailing fragment. `limit`: the engine's cap on one string (None: none),
        so a bullet it cut inside a clause is recognised (`cut_bullet`)."""
        return schema.memory({name: [whole_sentences(cut_bullet(str(b), limit)) for b in _as_list(outputs.get(name))]
                              for name in schema.names})

    def render(self, *, numbered: bool = False) -> str:
        """The text the predictor reads (and whose tokens the budget counts); `numbered` for delta edits."""
        lines, number = [], 0
        for section, items in zip(self.schema.sections, self.bullets, strict=True):
            lines.append(f"{section.title}:")
            for bullet in items:
                number += 1
                lines.append(f"- [{number}] {bullet}" if numbered else f"- {bullet}")
            if not items:
                lines.append(EMPTY_SECTION)
        return "\n".join(lines)

    def edited(self, remove: Iterable[int], add: Mapping[str, Iterable[str]], *, limit: int | None = None) -> Memory:
        """Delete bullets by their number in `render(numbered=True)` (unknown numbers are ignored), then append
        new bullets to their sections (repeats of kept bullets are dropped; one the engine's `limit` cut is
        trimmed as in `from_outputs`)."""
        drop = {int(n) for n in remove}
        kept, number = [], 0
        for items in self.bullets:
            section = []
            for bullet in items:
                number += 1
                if number not in drop:
                    section.append(bullet)
            kept.append(section)
        merged = {name: [*kept[i], *(cut_bullet(str(b), limit) for b in add.get(name) or [])]
                  for i, name in enumerate(self.schema.names)}
        return self.schema.memory(merged)

    def masked(self, values: Iterable[float], mask: str = "[a past value]") -> Memory:
        """This memory with every number equal to one of `values` (to the precision it is written with) replaced by
        `mask`. Why: a small predictor copies a past forecast or outcome it finds in its memory as this step's
        answer (Qwen2.5-Coder-1.5B answered 29.4 °C three days running after its memory said "the predicted 29.4 °C",
        while today's value fell to 15 °C); sizes of errors and biases are differences and stay."""
        targets = {round(float(v), 1) for v in values}
        if not targets:
            return self

        def replace(match: re.Match) -> str:
            return mask if round(float(match.group(0)), 1) in targets else match.group(0)

        return Memory(self.schema, tuple(tuple(_NUMBER.sub(replace, b) for b in items) for items in self.bullets))

    def as_dict(self) -> dict[str, list[str]]:
        return {s.name: list(items) for s, items in zip(self.schema.sections, self.bullets, strict=True)}

    @property
    def bullet_count(self) -> int:
        return sum(len(items) for items in self.bullets)

    def without_last_bullet(self) -> tuple[Memory, str, int]:
        """Drop the last bullet of the lowest-priority non-empty section; return (memory, bullet, section index)."""
        for index in range(len(self.bullets) - 1, -1, -1):
            if self.bullets[index]:
                items = self.bullets[index]
                return self._with_section(index, items[:-1]), items[-1], index
        raise ValueError("the memory has no bullets left to drop")

    def with_bullet_appended(self, index: int, bullet: str) -> Memory:
        return self._with_section(index, (*self.bullets[index], bullet))

    def _with_section(self, index: int, items: tuple[str, ...]) -> Memory:
        return Memory(self.schema, (*self.bullets[:index], tuple(items), *self.bullets[index + 1:]))


def whole_sentences(text: str, limit: int | None = None) -> str:
    """Drop a trailing fragment: a length-limited answer must never reach the memory cut mid-sentence
    ("The actual temperature,"). Text without any sentence end is one clause: kept whole, unless it is as long as
    its `limit` (the field's maximum length), where the limit cut it ("consider the observed maximum temperature
    when making future,"): then nothing of it is kept. At the limit a final period after a digit is a decimal point
    the limit cut ("which is 0." of "0.5 °C"), not a sentence end."""
    cut_by_limit = limit is not None and len(text) >= limit  # raw: a limit can cut right after a space
    text = " ".join(text.split())
    if not text:
        return text
    cut_at_a_decimal_point = cut_by_limit and len(text) > 1 and text[-1] == "." and text[-2].isdigit()
    if text[-1] in ".!?)" and not cut_at_a_decimal_point:
        return text
    ends = [text.rfind(mark) for mark in (". ", "! ", "? ")]
    cut = max(ends)
    if cut > 0:
        return text[: cut + 1]
    return "" if cut_by_limit else text


def cut_bullet(text: str, limit: int | None) -> str:
    """A bullet the engine's string limit cut (as long as `limit`, not ending a sentence) back to its last whole
    sentence, list clause or list item ("...; Non-ST elevation" -> "...", closed with "."), or to nothing.
    Diagnosis lists are written as "A, B; C" without a sentence end, so cutting to the last sentence alone would
    drop a patient's whole list for its last, cut item (the clinical runs stored such bullets: "...; Non-ST
    elevation", "...with chronic kidney病"). A bullet shorter than the limit is returned as it is."""
    if limit is None or len(text) < limit:
        return text
    text = " ".join(text.split())
    if text[-1:] in ".!?)" and not text[-2:-1].isdigit():
        return text
    cut = max(text.rfind(mark) for mark in (". ", "! ", "? ", "; ", ", "))
    return text[:cut] + "." if cut > 0 else ""


def clean_bullets(items: Iterable[Any]) -> tuple[str, ...]:
    """Strip list markers and whitespace; drop empties, placeholders and exact repeats (order kept)."""
    seen: set[str] = set()
    out = []
    for item in items:
        text = " ".join(_BULLET_PREFIX.sub("", str(item)).split())
        if not text or text == EMPTY_SECTION or text.lower() in seen:
            continue
        seen.add(text.lower())
        out.append(text)
    return tuple(out)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [line for line in value.splitlines() if line.strip()]
    return list(value)
