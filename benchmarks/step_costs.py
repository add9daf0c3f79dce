"""Cost of one LLM-as-RNN step on an embedded backbone: seconds, LM calls and prompt tokens against t, KV-prefix
reuse, peak RSS, and the framework overhead = (wall time - llama.cpp's native decode time) / wall time, where the
native time comes from llama.cpp's own perf counters (prompt evaluation + generation), so the Python work of DSPy,
llama-cpp-python and this package counts as overhead (grammar-constrained sampling does too: an upper bound).

    python -m benchmarks.step_costs --episodes 3 --steps 10 [--backbone llamacpp/qwen2.5-coder-0.5b-instruct]
        [--fused] [--budget 160]

Runs on held-out dev episodes with DSPy's cache off, so every call reaches the backbone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--budget", type=int, default=160)
    parser.add_argument("--fused", action="store_true")
    parser.add_argument("--feedback", default="truth")
    parser.add_argument("--backbone", default="llamacpp/smollm2-135m-instruct")
    args = parser.parse_args()

    import dspy

    from llm_as_rnn.backbones import load_backbone
    from llm_as_rnn.programs import LLMAsRNN
    from llm_as_rnn.tasks import get_task

    lm = load_backbone(args.backbone, cache=False)
    engine = lm.engine
    dspy.configure(lm=lm)
    task = get_task("weather")
    sequences = task.sequences("dev", limit=args.episodes, steps=args.steps)
    program = LLMAsRNN(task, budget=args.budget, feedback=args.feedback, fused=args.fused)

    busy_before, native_before, started = engine.busy_seconds, engine.native_decode_seconds, time.perf_counter()
    outputs = [program(steps=s.steps, sequence_id=s.id) for s in sequences]
    wall = time.perf_counter() - started
    busy = engine.busy_seconds - busy_before
    native = engine.native_decode_seconds - native_before

    print(f"{args.backbone}, {len(sequences)} dev episodes x {args.steps} steps, budget {args.budget}, "
          f"feedback={args.feedback}, fused={args.fused}")
    print(f"{'t':>3} {'s/step':>7} {'LM calls':>8} {'prompt tok':>10} {'memory tok':>10}")
    for t in range(args.steps):
        rows = [out.records[t] for out in outputs if t < len(out.records)]
        latency, calls = _mean(rows, "latency"), _mean(rows, "lm_calls")
        print(f"{t:>3} {latency:>7.2f} {calls:>8.2f} {_mean(rows, 'prompt_tokens'):>10.0f} "
              f"{_mean(rows, 'memory_tokens'):>10.0f}")
    records = [r for out in outputs for r in out.records]
    first, last = records[0::args.steps], records[args.steps - 1::args.steps]
    print(f"seconds per step: {wall / len(records):.2f}")
    print(f"LM calls per step: {_mean(records, 'lm_calls'):.2f}")
    first_tokens, last_tokens = _mean(first, "prompt_tokens"), _mean(last, "prompt_tokens")
    print(f"prompt tokens per step: {_mean(records, 'prompt_tokens'):.0f} (t=0: {first_tokens:.0f}, "
          f"t={args.steps - 1}: {last_tokens:.0f}, ratio {last_tokens / first_tokens:.2f})")
    print(f"inside the engine's llama-cpp-python call: {busy:.1f} s of {wall:.1f} s wall")
    print(f"llama.cpp native decode (prompt + generation): {native:.1f} s")
    print(f"framework overhead (everything but native decode, incl. grammar sampling): {(wall - native) / wall:.1%}")
    print(f"KV prefix reuse: {engine.reused_prompt_tokens} of {engine.prompt_tokens} prompt tokens "
          f"({engine.reused_prompt_tokens / max(engine.prompt_tokens, 1):.1%})")
    print(f"peak RSS: {peak_rss_gb():.2f} GB (weights loaded once; {engine.contexts} llama.cpp contexts share them)")


def peak_rss_gb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def _mean(records: list, field: str) -> float:
    return statistics.fmean(getattr(r, field) for r in records)


if __name__ == "__main__":
    main()
