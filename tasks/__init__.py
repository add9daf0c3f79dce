"""Sequential prediction tasks on real data that installs offline, and the registry that names them."""

from tasks.base import SPLITS, Step, StepSequence, Target, Task
from tasks.registry import TASKS, get_task
from tasks.table import DataError

__all__ = ["SPLITS", "TASKS", "DataError", "Step", "StepSequence", "Target", "Task", "get_task"]
