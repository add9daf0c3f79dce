"""Does the backbone read its memory? Predict the same held-out steps with directive memories ("forecast 3 °C
above / below today's temp_max") and measure how far the forecasts move in the directed way. A backbone that uses
its memory shifts them by about +3 and -3 °C; one that ignores it does not move. This bounds what any memory design
can do for that backbone.

    python -m benchmarks.memory_sensitivity [--backbone llamacpp/smollm2-135m-instruct] [--episodes 3] [--steps 4]
"""

from __future__ import annotations

import argparse
import statistics

from benchmarks.common import table

MEMORIES = {
    "empty": "Patterns:\n(nothing yet)",
    "+3 °C": "Recent errors and corrections:\n- my last forecasts were about 3 °C too low: forecast 3 °C above "
             "today's temp_max",
    "-3 °C": "Recent errors and corrections:\n- my last forecasts were about 3 °C too high: forecast 3 °C below "
             "today's temp_max",
    "rain yes": "Watch-list:\n- it rained on every recent day: answer rain yes",
    "rain no": "Watch-list:\n- it has been dry for days: answer rain no",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backbone", default="llamacpp/smollm2-135m-instruct")
    parser.add_argument("--api-base")
    parser.add_argument("--episodes", type=int, default=3)
    parser.add_argument("--steps", type=int, default=4)
    args = parser.parse_args()
    import dspy

    from llm_as_rnn.backbones import load_backbone
    from llm_as_rnn.programs.predictor import StepPredictor
    from llm_as_rnn.programs.records import StepRecord
    from llm_as_rnn.programs.sequence_program import SequenceProgram
    from llm_as_rnn.tasks import get_task

    lm = load_backbone(args.backbone, api_base=args.api_base, cache=False)
    task = get_task("weather")
    steps = [s for q in task.sequences("dev", limit=args.episodes, steps=args.steps) for s in q.steps]
    predictor = StepPredictor(task)
    outputs = {}
    with dspy.context(lm=lm, adapter=SequenceProgram(task).adapter):
        for name, memory in MEMORIES.items():
            outputs[name] = [predictor(memory, s.input, StepRecord(0, s.input, None, dict(s.target))) for s in steps]
    base = [p["temp_max"] if p else None for p in outputs["empty"]]

    def shift(name: str) -> float:
        moved = [p["temp_max"] - b for p, b in zip(outputs[name], base, strict=True) if p and b is not None]
        return statistics.fmean(moved) if moved else float("nan")

    def share(name: str, label: str) -> float:
        answers = [p["rain"] for p in outputs[name] if p]
        return sum(a == label for a in answers) / len(answers) if answers else float("nan")

    rows = [[name, shift(name) if name != "empty" else 0.0, share(name, "yes")] for name in MEMORIES]
    print(table(["memory", "mean temp_max shift (°C)", "share answering rain=yes"], rows,
                title=f"memory sensitivity of {lm.model} on {len(steps)} held-out steps (a memory-reading backbone "
                      "shifts +3 / -3 °C and follows the rain hint)"))


if __name__ == "__main__":
    main()
