"""KV-prefix reuse on the embedded backbone, compared on identical prompts.

One LLM-as-RNN run records every prompt it sends (static instructions, memory block, step input). The recorded
prompts are then replayed, each generating one token, through a fresh engine per layout: static text first with
one llama.cpp context per prompt head (the default), the same with the memory block moved first (unordered), and
static first through one shared context. The workload is the same prompts in the same order; only the layout
differs (before, each layout ran the program anew, and the runs diverged).

    python -m benchmarks.prefix_reuse [--episodes 2] [--steps 6] [--backbone llamacpp/smollm2-135m-instruct]
"""

from __future__ import annotations

import argparse
import time

from benchmarks.common import table

LAYOUTS = (
    ("static first, pooled contexts (default)", False, 4),
    ("memory first (unordered), pooled contexts", True, 4),
    ("static first, one shared context", False, 1),
)


def record_prompts(task, sequences, lm):
    """Run LLM-as-RNN once; return each call's (static system text, memory block, other messages)."""
    import dspy

    from llm_as_rnn.programs import LLMAsRNN, SystemPromptMemoryAdapter

    recorded = []

    class RecordingAdapter(SystemPromptMemoryAdapter):
        def format(self, signature, demos, inputs):
            messages = super().format(signature, demos, inputs)
            moved = [n for n in self.memory_fields if n in signature.input_fields]
            if moved:
                plain = super().format(signature.delete(moved[0]), demos,
                                       {k: v for k, v in inputs.items() if k != moved[0]})
                static = plain[0]["content"].rstrip()
                block = messages[0]["content"][len(static):].strip()
                recorded.append((static, block, messages[1:]))
            else:
                recorded.append((messages[0]["content"], "", messages[1:]))
            return messages

    program = LLMAsRNN(task)
    program.adapter = RecordingAdapter()
    with dspy.context(lm=lm):
        steps = sum(len(program(steps=s.steps, sequence_id=s.id).records) for s in sequences)
    return recorded, steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=2)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--backbone", default="llamacpp/smollm2-135m-instruct")
    args = parser.parse_args()
    import dspy

    from llm_as_rnn.backbones.embedded import resolve_gguf
    from llm_as_rnn.backbones.llamacpp_engine import LlamaCppEngine
    from llm_as_rnn.tasks import get_task

    task = get_task("weather")
    sequences = task.sequences("dev", limit=args.episodes, steps=args.steps)
    path, model_id = resolve_gguf(args.backbone.partition("/")[2])
    recorder = LlamaCppEngine(path)
    recorded, steps = record_prompts(task, sequences, dspy.LM(f"llamacpp/{model_id}", engine=recorder, cache=False))
    recorder.shutdown()
    rows, baseline = [], None
    for name, memory_first, contexts in LAYOUTS:
        engine = LlamaCppEngine(path, contexts=contexts)  # fresh: no warm state carried over
        started = time.perf_counter()
        for static, block, rest in recorded:
            system = static if not block else f"{block}\n\n{static}" if memory_first else f"{static}\n\n{block}"
            engine.prefill([{"role": "system", "content": system}, *rest])
        wall = time.perf_counter() - started
        baseline = baseline or engine.prompt_eval_seconds
        rows.append([name, engine.prompt_tokens / steps, engine.evaluated_prompt_tokens / steps,
                     1 - engine.evaluated_prompt_tokens / engine.prompt_tokens, engine.prompt_eval_seconds / steps,
                     engine.prompt_eval_seconds / baseline, wall / steps])
        engine.shutdown()
    print(table(["layout", "prompt tok/step", "evaluated tok/step", "reused share", "prompt-eval s/step",
                 "vs default", "replay s/step"], rows,
                title=f"KV-prefix reuse on identical prompts: {len(recorded)} recorded calls of LLM-as-RNN, "
                      f"{args.episodes} dev episodes x {args.steps} steps, {args.backbone}"))


if __name__ == "__main__":
    main()
