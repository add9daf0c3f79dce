"""Prompt tokens per step against t for every method: LLM-as-RNN stays flat (bounded memory), FHC grows until its
context budget; with LM calls and seconds per step. Embedded backbone, held-out dev weather episodes.

    python -m benchmarks.method_costs [--episodes 2] [--steps 10]
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchmarks.common import embedded_lm, table

METHODS = ("zero_shot", "fhc", "window", "retrieval", "memprompt", "llm_as_rnn", "llm_as_rnn:fused")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=2)
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    import dspy

    from llm_as_rnn.evaluation.runner import run_sequences
    from llm_as_rnn.programs.registry import build_method
    from llm_as_rnn.tasks import get_task

    lm = embedded_lm()
    dspy.configure(lm=lm)
    task = get_task("weather")
    sequences = task.sequences("dev", limit=args.episodes, steps=args.steps)
    by_method, summary = {}, []
    for method in METHODS:
        program = build_method(method, task)
        started = time.perf_counter()
        records = [r for run in run_sequences(program, sequences, method=method) for r in run.records]
        wall = time.perf_counter() - started
        by_method[method] = {t: statistics.fmean(r.prompt_tokens for r in records if r.t == t)
                             for t in range(args.steps)}
        curve = by_method[method]
        summary.append([method, statistics.fmean(r.lm_calls for r in records), wall / len(records),
                        curve[0], curve[args.steps - 1], curve[args.steps - 1] / curve[0]])
    print(table(["t", *METHODS], [[t, *(by_method[m][t] for m in METHODS)] for t in range(args.steps)],
                title=f"prompt tokens per step against t ({args.episodes} dev episodes, embedded SmolLM2-135M)"))
    print()
    print(table(["method", "LM calls/step", "s/step", "prompt tok t=0", f"prompt tok t={args.steps - 1}",
                 "ratio last/first"], summary, title="per-step cost"))


if __name__ == "__main__":
    main()
