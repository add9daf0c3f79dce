"""What a task says its memory h_t holds: named sections of bullet points, and the memory's shape.

A task declares this (`Task.memory_spec`) without depending on the programs that use it; `programs.memory.MemorySchema`
builds memories from a spec.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """One part of the memory. `name` is the output field the updater fills; `title` heads it in the prompt."""

    name: str
    title: str
    description: str
    max_bullets: int = 2

    def __post_init__(self) -> None:
        if self.max_bullets < 1:
            raise ValueError(f"memory section {self.name!r}: max_bullets must be at least 1")
        if not self.name.isidentifier():
            raise ValueError(f"memory section name {self.name!r} must be a Python identifier")

    @property
    def field_description(self) -> str:
        """What the updater is told this section holds."""
        return f"{self.description}; short bullet points"


@dataclass(frozen=True)
class MemorySpec:
    """The memory's structure. Section order is render order and priority: the budget cuts from the end.

    `example` is the memory's shape (section name -> `<what goes here>` bullets) shown to the updater as part of
    its instructions: small models write placeholders ("#1 #2 #3") when they have seen no shape, and copy invented
    example facts as lessons when they have seen an illustrative memory (Qwen2.5-Coder-1.5B kept "forecasts were
    1.5 °C too low" for 7 steps while its errors were +3 to +7 °C), so it shows structure only.
    """

    sections: tuple[Section, ...]
    example: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not self.sections:
            raise ValueError("a memory schema needs at least one section")
        names = [s.name for s in self.sections]
        if len(set(names)) != len(names):
            raise ValueError(f"memory sections must have distinct names, got {names}")
        unknown = set(self.example) - set(names)
        if unknown:
            raise ValueError(f"memory example has unknown sections {sorted(unknown)}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sections)

    def select(self, names: Iterable[str]) -> MemorySpec:
        """A spec with only the named sections, in this spec's order (for structure search)."""
        wanted = set(names)
        unknown = wanted - set(self.names)
        if unknown:
            raise ValueError(f"unknown memory sections {sorted(unknown)}; this schema has {list(self.names)}")
        return MemorySpec(tuple(s for s in self.sections if s.name in wanted),
                          {k: v for k, v in self.example.items() if k in wanted})
