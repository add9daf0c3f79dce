"""KV-prefix reuse on the embedded backbone: with static text (instructions) first and one llama.cpp context per
prompt head, each call re-evaluates only what changed since that role's previous call. Compared with the memory
placed first (unordered), and with a single shared context.

    python -m benchmarks.prefix_reuse [--episodes 2] [--steps 6]
"""

from __future__ import annotations

import argparse
import time

from benchmarks.common import table

CONFIGURATIONS = (
    ("static first, pooled contexts (default)", False, 4),
    ("memory first (unordered), pooled contexts", True, 4),
    ("static first, one shared context", False, 1),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=2)
    parser.add_argument("--steps", type=int, default=6)
    args = parser.parse_args()
    import dspy

    from llm_as_rnn.backbones.embedded import resolve_gguf
    from llm_as_rnn.backbones.llamacpp_engine import LlamaCppEngine
    from llm_as_rnn.programs import LLMAsRNN, SystemPromptMemoryAdapter
    from llm_as_rnn.tasks import get_task

    task = get_task("weather")
    sequences = task.sequences("dev", limit=args.episodes, steps=args.steps)
    path, model_id = resolve_gguf("smollm2-135m-instruct")
    rows = []
    baseline = None
    for name, memory_first, contexts in CONFIGURATIONS:
        engine = LlamaCppEngine(path, contexts=contexts)  # a fresh engine: no warm state carried over
        lm = dspy.LM(f"llamacpp/{model_id}", engine=engine, cache=False, temperature=0.0, max_tokens=512)
        program = LLMAsRNN(task)
        program.adapter = SystemPromptMemoryAdapter(memory_first=memory_first)
        started = time.perf_counter()
        with dspy.context(lm=lm):
            steps = sum(len(program(steps=s.steps, sequence_id=s.id).records) for s in sequences)
        wall = time.perf_counter() - started
        baseline = baseline or engine.prompt_eval_seconds
        rows.append([name, engine.prompt_tokens / steps, engine.evaluated_prompt_tokens / steps,
                     1 - engine.evaluated_prompt_tokens / engine.prompt_tokens, engine.prompt_eval_seconds / steps,
                     engine.prompt_eval_seconds / baseline, wall / steps])
        engine.shutdown()
    print(table(["layout", "prompt tok/step", "evaluated tok/step", "reused share", "prompt-eval s/step",
                 "vs default", "wall s/step"], rows,
                title=f"KV-prefix reuse, {args.episodes} dev episodes x {args.steps} steps, LLM-as-RNN"))


if __name__ == "__main__":
    main()
