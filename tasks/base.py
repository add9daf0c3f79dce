"""What a sequence task is: typed targets, steps (x_t, y_t), sequences, and the task that builds them."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from llm_as_rnn.tasks.memory_spec import MemorySpec

TargetKind = Literal["regression", "label", "topk"]
SPLITS = ("train", "dev", "test")
# An anchor: (task, sequence) -> one prediction dict per step (a dict may leave a target out, or be None: that step
# is then not scored for that anchor).
Anchor = Callable[[Any, Any], list]


@dataclass(frozen=True)
class Target:
    """One thing to predict at every step.

    `regression` targets are floats, `label` targets one of `labels`, `topk` targets a ranked list of `k` items
    whose truth is a list of relevant items, most important first (e.g. a visit's diagnoses, primary first); a
    `topk` target with `labels` answers only from them (an output contract a small model cannot get wrong).
    `normalize` maps a top-k item (free text, a code) to the key it is scored on (e.g. a CCSR category); None means
    exact, case-insensitive text. `scale` is a typical error of a regression target (the optimisation reward is
    exp(-|error| / scale)).
    """

    name: str
    kind: TargetKind
    description: str
    unit: str = ""
    labels: tuple[str, ...] = ()
    k: int = 1
    decimals: int = 1
    normalize: Callable[[str], str | None] | None = field(default=None, compare=False, repr=False)
    shown_items: int = 5
    scale: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in ("regression", "label", "topk"):
            raise ValueError(f"target {self.name!r}: kind must be regression, label or topk, not {self.kind!r}")
        if self.kind == "label" and len(self.labels) < 2:
            raise ValueError(f"target {self.name!r}: a label target needs at least two labels")
        if self.kind == "topk" and self.k < 1:
            raise ValueError(f"target {self.name!r}: k must be >= 1")

    @property
    def annotation(self) -> Any:
        """The Python type of the prediction field, as DSPy turns it into a JSON schema and a grammar."""
        if self.kind == "regression":
            return float
        if self.kind == "label":
            return Literal.__getitem__(tuple(self.labels))
        if self.labels:  # a closed label set: the schema (and the llama.cpp grammar) admits nothing else
            return list[Literal.__getitem__(tuple(self.labels))]
        return list[str]

    @property
    def field_description(self) -> str:
        unit = f" in {self.unit}" if self.unit else ""
        if self.kind == "topk":
            return f"{self.description}: your {self.k} most likely answers, most likely first"
        return f"{self.description}{unit}"

    def format_value(self, value: Any) -> str:
        """How a value of this target reads in prompts and traces."""
        if value is None:
            return "(none)"
        if self.kind == "regression":
            unit = f" {self.unit}" if self.unit else ""
            return f"{float(value):.{self.decimals}f}{unit}"
        if self.kind == "topk":
            items = list(value)
            if not items:
                return "(none)"
            shown = "; ".join(f"{i + 1}. {item}" for i, item in enumerate(items[: self.shown_items]))
            more = len(items) - self.shown_items
            return f"{shown} (+{more} more)" if more > 0 else shown
        return str(value)

    def key(self, item: Any) -> str | None:
        """What a top-k item is scored as: its normalised key (None: matches nothing)."""
        if self.normalize is not None:
            return self.normalize(str(item))
        text = " ".join(str(item).lower().split())
        return text or None

    def measure(self, predicted: Any, actual: Any) -> str:
        """The measured error of one prediction, in words: feedback that costs no LM call."""
        if predicted is None:
            return f"{self.name}: no valid prediction; actual {self.format_value(actual)}"
        if self.kind == "regression":
            error = float(predicted) - float(actual)
            direction = "too high" if error > 0 else "too low" if error < 0 else "exact"
            unit = f" {self.unit}" if self.unit else ""
            return (
                f"{self.name}: predicted {self.format_value(predicted)}, actual {self.format_value(actual)}, "
                f"error {error:+.{self.decimals}f}{unit} ({direction})"
            )
        if self.kind == "label":
            verdict = "right" if str(predicted) == str(actual) else "wrong"
            return f"{self.name}: predicted {predicted}, actual {actual} ({verdict})"
        ranked = [self.key(p) for p in predicted]
        truth = list(actual)
        primary = truth[0] if truth else None
        primary_key = self.key(primary) if primary is not None else None
        if primary_key is not None and primary_key in ranked:
            where = f"the primary answer ({primary}) was ranked {ranked.index(primary_key) + 1} of {len(ranked)}"
        else:
            where = f"the primary answer ({primary}) was missed"
        found = {self.key(t) for t in truth} & {r for r in ranked if r is not None}
        return f"{self.name}: {where}; {len(found)} of your {len(ranked)} answers matched a true answer"


@dataclass(frozen=True)
class Step:
    """One time step: what the model sees (`input`), what is revealed after it predicts (`target`), and raw
    values for classical anchors (`context`), which are never shown to an LM."""

    input: str
    target: Mapping[str, Any]
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StepSequence:
    """One sequence (an episode, a patient): memory starts fresh at its first step."""

    id: str
    steps: tuple[Step, ...]

    def __len__(self) -> int:
        return len(self.steps)


class Task(ABC):
    """A sequential prediction task over a real dataset with time-based (or subject-based) splits.

    A task owns how it is scored beside the LLM methods: its classical `anchors` (name -> function of (task,
    sequence) returning one prediction dict per step), the `primary_anchor` every method is compared with, the
    `table_metrics` its tables show (the first is the headline), and the `series_column` statistical forecasters
    (AutoARIMA/AutoETS) fit, if it has one. Adding a task touches `tasks/` and `tasks/registry.py` only.
    """

    name: str
    description: str
    targets: tuple[Target, ...]
    anchors: ClassVar[Mapping[str, Anchor]] = {}
    primary_anchor: ClassVar[str | None] = None
    table_metrics: ClassVar[tuple[str, ...]] = ()
    series_column: ClassVar[str | None] = None
    # How `revealed_history` names a top-k target's past answers and the steps they came from.
    revealed_heading = "{target} revealed at earlier steps of this sequence"
    step_noun = "steps"

    @property
    def primary(self) -> Target:
        """The target the headline metric is computed on."""
        return self.targets[0]

    @property
    def listed_targets(self) -> tuple[Target, ...]:
        """The targets whose revealed answers `revealed_history` lists: the top-k ones. Regression and label targets
        have none (their record is `running`)."""
        return tuple(t for t in self.targets if t.kind == "topk")

    @property
    @abstractmethod
    def memory_spec(self) -> MemorySpec:
        """The sections of h_t for this task."""

    @abstractmethod
    def sequences(self, split: str, *, limit: int | None = None, steps: int | None = None) -> list[StepSequence]:
        """Held-out sequences of `split`, each cut to at most `steps` steps; at most `limit` of them."""

    def format_prediction(self, prediction: Mapping[str, Any] | None) -> str:
        if prediction is None:
            return "(no valid prediction)"
        return "; ".join(f"{t.name} {t.format_value(prediction.get(t.name))}" for t in self.targets)

    def format_truth(self, target: Mapping[str, Any]) -> str:
        return "; ".join(f"{t.name} {t.format_value(target.get(t.name))}" for t in self.targets)

    def measure(self, prediction: Mapping[str, Any] | None, target: Mapping[str, Any]) -> str:
        """Measured error of every target, in words."""
        return "; ".join(
            t.measure(None if prediction is None else prediction.get(t.name), target.get(t.name))
            for t in self.targets
        )

    def running(self, predictions: Sequence[Mapping[str, Any] | None], targets: Sequence[Mapping[str, Any]]) -> str:
        """The sequence so far, computed (no LM call): per regression target the mean signed error (bias) and the
        mean absolute error, per label or top-k target the hit rate. Small models act on a stated bias
        ("forecasts were 2.1 °C too high on average") far more reliably than on a story about one step."""
        parts = []
        for target in self.targets:
            pairs = [(p.get(target.name), y[target.name]) for p, y in zip(predictions, targets, strict=True)
                     if p is not None and p.get(target.name) is not None]
            if not pairs:
                continue
            n, unit = len(pairs), f" {target.unit}" if target.unit else ""
            if target.kind == "regression":
                errors = [float(p) - float(y) for p, y in pairs]
                bias, mae = sum(errors) / n, sum(map(abs, errors)) / n
                lean = "too high" if bias > 0 else "too low" if bias < 0 else "unbiased"
                parts.append(f"{target.name} over {n} steps: mean error {bias:+.{target.decimals}f}{unit} "
                             f"({lean} on average), mean absolute error {mae:.{target.decimals}f}{unit}")
            elif target.kind == "label":
                hits = sum(str(p) == str(y) for p, y in pairs)
                parts.append(f"{target.name}: right {hits} of {n} steps")
            else:
                hits = sum(bool(y) and target.key(y[0]) in [target.key(i) for i in list(p)[:1]] for p, y in pairs)
                parts.append(f"{target.name}: first answer right {hits} of {n} steps")
        return "; ".join(parts)

    def revealed_ranking(self, target: Target, targets: Sequence[Mapping[str, Any]]) -> list[tuple[str, int, int]]:
        """One top-k target's answers revealed so far as (item, steps it came, steps it was the primary one), most
        frequent first (ties: most recent, then primary, then earlier in its list). Items a closed label set cannot
        predict are left out. Computed, no LM call: the order `revealed_history` shows the predictor and the
        `revealed_ranked` anchor answers with, so that anchor is what copying the list would score."""
        allowed = set(target.labels)
        seen: dict[str, list[int]] = {}  # item -> [steps, primary, last step seen, order within that step]
        for t, truth in enumerate(targets):
            for rank, item in enumerate(dict.fromkeys(truth.get(target.name) or [])):
                if allowed and item not in allowed:
                    continue
                counts = seen.setdefault(item, [0, 0, 0, 0])
                counts[0] += 1
                counts[1] += rank == 0
                counts[2:] = [t, -rank]
        ranked = sorted(seen.items(), key=lambda kv: (kv[1][0], kv[1][2], kv[1][1], kv[1][3]), reverse=True)
        return [(item, steps, primary) for item, (steps, primary, _, _) in ranked]

    def revealed_history(self, targets: Sequence[Mapping[str, Any]], *, limit: int = 10) -> str:
        """The answers of every top-k target revealed so far (`revealed_ranking`), with how often each came and how
        often it was the primary one, under `revealed_heading`; computed, no LM call. A small model that must
        recall a patient's past diagnoses from a rewritten memory drops most of them (the memory's history section
        is shorter than the previous visit's list after one rewrite); this list cannot. Only `listed_targets`
        have one."""
        lines = []
        n = len(targets)
        for target in self.listed_targets:
            ranked = self.revealed_ranking(target, targets)
            if not ranked:
                continue
            shown = "; ".join(f"{item} ({c} of {n} {self.step_noun}" + (f", primary {p})" if p else ")")
                              for item, c, p in ranked[:limit])
            more = len(ranked) - limit
            heading = self.revealed_heading.format(target=target.name)
            lines.append(f"{heading}, most frequent first: {shown}" + (f" (+{more} more)" if more > 0 else ""))
        return "\n".join(lines)

    def correct(self, prediction: Mapping[str, Any] | None, target: Mapping[str, Any]) -> bool | None:
        """Was step t right? Used for self-correction rates. The default: the primary target is a label or top-k
        target and its first answer is right; None (not defined) for regression unless a task sets a tolerance.
        A missing answer is a miss wherever correctness is defined: a run must not look better by failing."""
        primary = self.primary
        defined = primary.kind in ("label", "topk") or getattr(self, "tolerance", None) is not None
        if prediction is None:
            return False if defined else None  # a failed answer is a miss
        value = prediction.get(primary.name)
        if value is None:
            return None  # a predictor that does not answer this target (an anchor) is not scored on it
        if primary.kind == "label":
            return str(value) == str(target[primary.name])
        if primary.kind == "topk":
            truth = list(target[primary.name])
            return bool(value) and bool(truth) and primary.key(next(iter(value))) == primary.key(truth[0])
        tolerance = getattr(self, "tolerance", None)
        return None if tolerance is None else abs(float(value) - float(target[primary.name])) <= tolerance

    def check_split(self, split: str) -> None:
        if split not in SPLITS:
            raise ValueError(f"task {self.name!r}: unknown split {split!r}; choose one of {', '.join(SPLITS)}")


def is_finite_number(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def daily_blocks(dates: Sequence[str], *, window: int, steps: int, years: Any, limit: int | None) -> list[list[int]]:
    """Episodes of a daily series: blocks of `steps` consecutive indices d ("today", with `window` days of input
    ending at d) whose next day d+1 lies in `years`; `limit` of them, spread evenly over the split."""
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    year = [int(str(d)[:4]) for d in dates]
    todays = [d for d in range(window - 1, len(dates) - 1) if year[d + 1] in years]
    blocks = [todays[i:i + steps] for i in range(0, len(todays) - steps + 1, steps)]
    return select_evenly([b for b in blocks if b[-1] - b[0] == steps - 1], limit)


def select_evenly(items: Sequence, limit: int | None) -> list:
    """`limit` items spread evenly over `items` (deterministic; seasons and regimes all get a share)."""
    items = list(items)
    if limit is None or limit >= len(items):
        return items
    if limit <= 0:
        return []
    stride = len(items) / limit
    return [items[int(i * stride)] for i in range(limit)]
