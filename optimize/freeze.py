"""Tune only some predictors: DSPy has no freeze API, but optimizers skip sub-modules marked `_compiled`."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from typing import Any

import dspy


class Frozen(dspy.Module):
    """Wraps a predictor so optimizers skip it (`named_parameters()` ignores modules with `_compiled=True`)."""

    def __init__(self, predictor: dspy.Predict):
        super().__init__()
        self.inner = predictor
        self._compiled = True

    def forward(self, **kwargs: Any) -> dspy.Prediction:
        return self.inner(**kwargs)


def predictor_names(program: dspy.Module) -> list[str]:
    return [name for name, _ in program.named_predictors()]


def _parent_and_attribute(program: dspy.Module, path: str) -> tuple[Any, str]:
    *parents, attribute = path.split(".")
    node = program
    for name in parents:
        node = getattr(node, name)
    return node, attribute


def freeze_all_but(program: dspy.Module, tune: Iterable[str]) -> list[str]:
    """Wrap every predictor not named in `tune` in `Frozen`, in place; return the names frozen. Unknown names in
    `tune` are an error that lists the program's predictors."""
    tune = list(tune)
    names = predictor_names(program)
    unknown = [n for n in tune if n not in names]
    if unknown:
        raise ValueError(f"cannot tune {unknown}: this program's predictors are {names}")
    frozen = [n for n in names if n not in tune]
    for name in frozen:
        parent, attribute = _parent_and_attribute(program, name)
        setattr(parent, attribute, Frozen(getattr(parent, attribute)))
    return frozen


def unfreeze(program: dspy.Module, frozen: Iterable[str]) -> dspy.Module:
    """Undo `freeze_all_but` on a (compiled copy of the) program, so it saves and loads like the original."""
    for name in frozen:
        parent, attribute = _parent_and_attribute(program, name)
        wrapper = getattr(parent, attribute)
        if isinstance(wrapper, Frozen):
            setattr(parent, attribute, wrapper.inner)
    return program


@contextmanager
def only_tunable(program: dspy.Module, tune: Iterable[str]):
    """Freeze for the duration of an optimizer run; the caller unfreezes the compiled copy it gets back."""
    frozen = freeze_all_but(program, tune)
    try:
        yield frozen
    finally:
        unfreeze(program, frozen)
