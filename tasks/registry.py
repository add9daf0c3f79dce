"""Task names -> task classes (imported lazily: each task has its own data dependencies)."""

from __future__ import annotations

import importlib
from typing import Any

from tasks.base import Task

TASKS: dict[str, str] = {
    "weather": "tasks.weather:WeatherTask",
    "clinical": "tasks.clinical:ClinicalTask",
    "finance": "tasks.finance:FinanceTask",
    "custom": "tasks.custom:CustomTask",
}


def get_task(name: str, **options: Any) -> Task:
    """Build a task by name; an unknown name is an error that lists the known ones."""
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of {', '.join(sorted(TASKS))}")
    module, _, cls = TASKS[name].partition(":")
    return getattr(importlib.import_module(module), cls)(**options)
