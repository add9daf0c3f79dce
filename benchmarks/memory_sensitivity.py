"""Does the backbone read its memory? Predict the same held-out steps under planted memories and measure whether
the predictions move the way the memory says, by about the size it says.

For each task: a numeric directive in both directions (weather: forecast 3 °C above / below; finance: 0.5 points
above / below), a categorical hint in both directions (rain yes / no; direction up / down; clinical: list kidney
disease first / it was ruled out), and an irrelevant memory as the control, which should move nothing. A backbone
that ignores its memory bounds what any memory design can do with it.

    python -m benchmarks.memory_sensitivity --backbone llamacpp/qwen2.5-coder-1.5b-instruct [--steps 8]
        [--tasks weather,finance,clinical] [--adjust]

`--adjust` measures the same under the adjustment output contract (the predictor first writes how much its memory
says to add to each numeric forecast).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.common import table
from llm_as_rnn.programs.memory import MemorySchema


@dataclass(frozen=True)
class Probe:
    name: str
    bullets: dict[str, tuple[str, ...]]  # section name -> bullets of the planted memory
    expected: str


def _numeric(target: str) -> Callable[[list, list], float]:
    def shift(predictions: list, base: list) -> float:
        moved = [p[target] - b[target] for p, b in zip(predictions, base, strict=True) if p and b]
        return statistics.fmean(moved) if moved else float("nan")
    return shift


def _share(target: str, wanted: Callable[[Any], bool]) -> Callable[[list, list], float]:
    def share(predictions: list, base: list) -> float:
        answers = [p[target] for p in predictions if p]
        return sum(map(wanted, answers)) / len(answers) if answers else float("nan")
    return share


def _mentions(word: str) -> Callable[[Any], bool]:
    return lambda diagnoses: any(word in str(d).lower() for d in (diagnoses or [])[:1])


IRRELEVANT = "the hospital cafeteria changed its menu this week"
PROBES: dict[str, tuple[list[Probe], list[tuple[str, Callable]]]] = {
    "weather": (
        [
            Probe("empty", {}, "baseline"),
            Probe("+3 °C", {"corrections": ("my recent forecasts were 3 °C too low: forecast 3 °C higher than "
                                            "today's temp_max suggests",)}, "temp_max +3"),
            Probe("-3 °C", {"corrections": ("my recent forecasts were 3 °C too high: forecast 3 °C lower than "
                                            "today's temp_max suggests",)}, "temp_max -3"),
            Probe("rain yes", {"watch": ("it rained on every recent day: answer rain yes",)}, "rain=yes share up"),
            Probe("rain no", {"watch": ("it has been dry for days: answer rain no",)}, "rain=yes share down"),
            Probe("irrelevant", {"watch": (IRRELEVANT,)}, "no change"),
        ],
        [("temp_max shift (°C)", _numeric("temp_max")), ("share rain=yes", _share("rain", lambda a: a == "yes"))],
    ),
    "finance": (
        [
            Probe("empty", {}, "baseline"),
            Probe("+0.5 pt", {"corrections": ("my recent forecasts were 0.5 points too low: forecast return_pct "
                                              "0.5 higher than you otherwise would",)}, "return_pct +0.5"),
            Probe("-0.5 pt", {"corrections": ("my recent forecasts were 0.5 points too high: forecast return_pct "
                                              "0.5 lower than you otherwise would",)}, "return_pct -0.5"),
            Probe("up", {"watch": ("the index has risen after every recent day like today: answer direction up",)},
                  "up share up"),
            Probe("down", {"watch": ("the index has fallen after every recent day like today: answer direction "
                                     "down",)}, "up share down"),
            Probe("irrelevant", {"watch": (IRRELEVANT,)}, "no change"),
        ],
        [("return_pct shift (pt)", _numeric("return_pct")),
         ("share direction=up", _share("direction", lambda a: a == "up"))],
    ),
    "clinical": (
        [
            Probe("empty", {}, "baseline"),
            Probe("kidney first", {"history": ("chronic kidney disease at every visit: list it as the first "
                                               "diagnosis",)}, "kidney share up"),
            Probe("kidney ruled out", {"history": ("kidney disease was ruled out for this patient: never list it",)},
                  "kidney share down"),
            Probe("irrelevant", {"watch": (IRRELEVANT,)}, "no change"),
        ],
        [("share top-1 mentions kidney", _share("diagnoses", _mentions("kidney")))],
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backbone", default="llamacpp/smollm2-135m-instruct")
    parser.add_argument("--api-base")
    parser.add_argument("--steps", type=int, default=8, help="held-out dev steps per task")
    parser.add_argument("--tasks", default="weather,finance,clinical")
    parser.add_argument("--adjust", action="store_true", help="the adjustment output contract (see StepPredictor)")
    args = parser.parse_args()
    import dspy

    from llm_as_rnn.backbones import load_backbone
    from llm_as_rnn.programs.predictor import StepPredictor
    from llm_as_rnn.programs.records import StepRecord
    from llm_as_rnn.programs.sequence_program import SequenceProgram
    from llm_as_rnn.tasks import get_task

    lm = load_backbone(args.backbone, api_base=args.api_base, cache=False)
    for name in args.tasks.split(","):
        task = get_task(name)
        probes, measures = PROBES[name]
        sequences = task.sequences("dev", limit=max(2, args.steps // 2), steps=2)
        steps = [s for q in sequences for s in q.steps][: args.steps]
        predictor = StepPredictor(task, adjust=args.adjust)
        started = time.perf_counter()
        outputs = {}
        with dspy.context(lm=lm, adapter=SequenceProgram(task).adapter):
            for probe in probes:
                memory = MemorySchema.of(task.memory_spec).memory(probe.bullets).render()
                outputs[probe.name] = [predictor(memory, s.input, StepRecord(0, s.input, None, dict(s.target)))
                                       for s in steps]
        base = outputs["empty"]
        rows = [[p.name, p.expected, *(measure(outputs[p.name], base) for _, measure in measures),
                 sum(o is None for o in outputs[p.name])] for p in probes]
        print(table(["memory", "a memory-reading backbone", *(m for m, _ in measures), "failed"], rows,
                    title=f"{name}: memory sensitivity of {lm.model}{' (adjust)' if args.adjust else ''} on "
                          f"{len(steps)} dev steps "
                          f"({time.perf_counter() - started:.0f} s)"))
        print()


if __name__ == "__main__":
    main()
