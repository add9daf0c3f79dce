"""Task names -> task classes (imported lazily: each task has its own data dependencies)."""

from __future__ import annotations

import importlib
from typing import Any

from llm_as_rnn.tasks.base import Task

TASKS: dict[str, str] = {
    "weather": "llm_as_rnn.tasks.weather:WeatherTask",
    "clinical": "llm_as_rnn.tasks.clinical:ClinicalTask",
    "finance": "llm_as_rnn.tasks.finance:FinanceTask",
    "custom": "llm_as_rnn.tasks.custom:CustomTask",
}


def get_task(name: str, **options: Any) -> Task:
    """Build a task by name; an unknown name is an error that lists the known ones."""
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of {', '.join(sorted(TASKS))}")
    module, _, cls = TASKS[name].partition(":")
    return getattr(importlib.import_module(module), cls)(**options)
