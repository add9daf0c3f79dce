"""Where a step's seconds go, and how far they are from the floor.

    python -m benchmarks.step_floor --episodes 2 --steps 3 [--backbone B] [--split dev]
        [--methods "llm_as_rnn:measured,mask_values,show_running;llm_as_rnn:measured,show_running,shared_context"]

Runs each method (specs separated by ';', default: `make run`'s variant) on the same held-out episodes with DSPy's
cache off, on a fresh embedded engine per method, and splits each step into

- prompt evaluation: the prompt tokens llama.cpp evaluated, and its seconds (llama.cpp's own counters);
- generation: the tokens generated, and their decode seconds (llama.cpp's counters);
- everything else: the step's wall time minus both (grammar-constrained sampling, llama-cpp-python, DSPy, this
  package).

The floor of a step is what it cannot avoid with its prompts as they are:

    floor = new prompt tokens / prompt rate + generated tokens / generation rate

where a prompt token is *new* when no earlier prompt of the run (in any role) starts with the same tokens up to it,
and both rates are measured by llama.cpp in the same run (evaluated tokens / prompt seconds, generated tokens /
generation seconds). Prints one row per method, and the ratios of each to the first (the baseline).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

DEFAULT_METHOD = "llm_as_rnn:measured,mask_values,show_running"


def new_tokens(prompts: list[tuple[int, ...]]) -> list[int]:
    """For each prompt, its tokens after the longest prefix it shares with any earlier prompt."""
    out = []
    for i, prompt in enumerate(prompts):
        shared = 0
        for earlier in prompts[:i]:
            n = 0
            for a, b in zip(prompt, earlier, strict=False):
                if a != b:
                    break
                n += 1
            shared = max(shared, n)
        out.append(len(prompt) - shared)
    return out


def measure(spec: str, *, backbone: str, task_name: str, split: str, episodes: int, steps: int) -> dict[str, Any]:
    import dspy

    from llm_as_rnn.backbones import load_backbone
    from llm_as_rnn.backbones.llamacpp_engine import LlamaCppEngine
    from llm_as_rnn.programs.registry import build_method
    from llm_as_rnn.tasks import get_task

    lm = load_backbone(backbone, cache=False)
    engine = lm.engine
    if not isinstance(engine, LlamaCppEngine):
        raise SystemExit(f"{backbone}: not an embedded backbone (the floor needs llama.cpp's counters)")
    task = get_task(task_name)
    sequences = task.sequences(split, limit=episodes, steps=steps)
    engine.call_log = []
    with dspy.context(lm=lm):
        program = build_method(spec, task)
        started = time.perf_counter()
        records = [r for s in sequences for r in program(steps=s.steps, sequence_id=s.id).records]
        wall = time.perf_counter() - started
    calls = engine.call_log
    engine.call_log = None
    n = len(records)
    evaluated = sum(c["evaluated_tokens"] for c in calls)
    prompt_seconds = sum(c["prompt_seconds"] for c in calls)
    generated = sum(c["generated_tokens"] for c in calls)
    generation_seconds = sum(c["generation_seconds"] for c in calls)
    fresh = sum(new_tokens([c["prompt_ids"] for c in calls]))
    prompt_rate = evaluated / prompt_seconds if prompt_seconds else float("nan")
    generation_rate = generated / generation_seconds if generation_seconds else float("nan")
    floor = fresh / prompt_rate + generated / generation_rate
    return {
        "method": spec, "steps": n, "calls_per_step": len(calls) / n, "seconds_per_step": wall / n,
        "prompt_tokens_per_step": sum(len(c["prompt_ids"]) for c in calls) / n,
        "evaluated_tokens_per_step": evaluated / n, "new_tokens_per_step": fresh / n,
        "generated_tokens_per_step": generated / n,
        "prompt_seconds_per_step": prompt_seconds / n, "generation_seconds_per_step": generation_seconds / n,
        "other_seconds_per_step": (wall - prompt_seconds - generation_seconds) / n,
        "prompt_rate": prompt_rate, "generation_rate": generation_rate, "floor_seconds_per_step": floor / n,
        "predictions": [r.prediction for r in records],
        "mean_memory_tokens": statistics.fmean(r.memory_tokens for r in records),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default=DEFAULT_METHOD, help="method specs separated by ';'")
    parser.add_argument("--backbone", default="llamacpp/qwen2.5-coder-1.5b-instruct")
    parser.add_argument("--task", default="weather")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--episodes", type=int, default=2)
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args(argv)
    rows = [measure(spec.strip(), backbone=args.backbone, task_name=args.task, split=args.split,
                    episodes=args.episodes, steps=args.steps) for spec in args.methods.split(";") if spec.strip()]
    print(f"{args.backbone}, {args.task} {args.split}, {args.episodes} episodes x {args.steps} steps, cache off; "
          f"rates from llama.cpp's counters in this run")
    header = ("s/step", "floor", "x floor", "prompt s", "gen s", "other s", "calls", "prompt tok", "evaluated",
              "new", "generated", "prompt tok/s", "gen tok/s")
    print(f"{'method':<60} " + " ".join(f"{h:>11}" for h in header))
    for row in rows:
        cells = (row["seconds_per_step"], row["floor_seconds_per_step"],
                 row["seconds_per_step"] / row["floor_seconds_per_step"], row["prompt_seconds_per_step"],
                 row["generation_seconds_per_step"], row["other_seconds_per_step"], row["calls_per_step"],
                 row["prompt_tokens_per_step"], row["evaluated_tokens_per_step"], row["new_tokens_per_step"],
                 row["generated_tokens_per_step"], row["prompt_rate"], row["generation_rate"])
        print(f"{row['method'][:60]:<60} " + " ".join(f"{c:>11.2f}" for c in cells))
    base = rows[0]
    for row in rows[1:]:
        same = sum(a == b for a, b in zip(row["predictions"], base["predictions"], strict=False))
        print(f"{row['method']}: s/step x{row['seconds_per_step'] / base['seconds_per_step']:.2f} of the first; "
              f"{same} of {len(base['predictions'])} predictions equal the first's")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
