"""Sequential prediction tasks on real data that installs offline, and the registry that names them."""

from llm_as_rnn.tasks.base import SPLITS, Step, StepSequence, Target, Task
from llm_as_rnn.tasks.registry import TASKS, get_task
from llm_as_rnn.tasks.table import DataError

__all__ = ["SPLITS", "TASKS", "DataError", "Step", "StepSequence", "Target", "Task", "get_task"]
