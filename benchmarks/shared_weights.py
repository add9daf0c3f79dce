"""Peak memory of the embedded engine with N llama.cpp contexts: every context sharing one copy of the weights
(the engine's default) against one `llama_cpp.Llama` per context (what the engine did before). Each layout runs in
its own process, makes the same calls (two per context, one prompt head per context) and reports its peak RSS.

    python -m benchmarks.shared_weights --backbone llamacpp/qwen2.5-coder-1.5b-instruct --contexts 4
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from benchmarks.common import table


def child(backbone: str, contexts: int, layout: str) -> dict:
    import os
    import resource
    import time

    import dspy

    from llm_as_rnn.backbones import llamacpp_engine
    from llm_as_rnn.backbones.embedded import resolve_gguf

    if layout == "one Llama per context":
        def separate(owner):
            import llama_cpp

            return llama_cpp.Llama(model_path=owner.model_path, n_ctx=owner.n_ctx(), n_threads=os.cpu_count(),
                                   seed=0, verbose=False)
        llamacpp_engine._share_model = separate
    path, _ = resolve_gguf(backbone.partition("/")[2])
    engine = llamacpp_engine.LlamaCppEngine(path, contexts=contexts)
    lm = dspy.LM("llamacpp/bench", engine=engine, cache=False)
    started, answers = time.perf_counter(), []
    for round_ in range(2):
        for i in range(contexts):  # a different signature per context: a different prompt head
            field = f"question_{i}_" + "x" * 40
            signature = dspy.Signature(f"{field} -> answer: int", "Answer the arithmetic question with an integer.")
            with dspy.context(lm=lm, adapter=dspy.JSONAdapter()):
                answers.append(dspy.Predict(signature)(**{field: f"What is {i} + {round_}?"}).answer)
    distinct_models = len({id(c._model) for c in [engine.llm, *engine._pool.values()]})
    return {"layout": layout, "contexts": len(engine._pool), "weights loaded": distinct_models,
            "peak RSS GB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
            "seconds": time.perf_counter() - started, "answers": answers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backbone", default="llamacpp/qwen2.5-coder-1.5b-instruct")
    parser.add_argument("--contexts", type=int, default=4)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.backbone, args.contexts, args.child)))
        return
    rows = []
    for layout in ("shared weights (default)", "one Llama per context"):
        out = subprocess.run([sys.executable, "-m", "benchmarks.shared_weights", "--backbone", args.backbone,
                              "--contexts", str(args.contexts), "--child", layout],
                             capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    same = rows[0]["answers"] == rows[1]["answers"]
    print(table(["layout", "contexts", "weights loaded", "peak RSS GB", "seconds"],
                [[r[k] for k in ("layout", "contexts", "weights loaded", "peak RSS GB", "seconds")] for r in rows],
                title=f"{args.backbone}, {args.contexts} contexts, 2 calls each (same answers: {same})"))
    print(f"\nRSS ratio: {rows[1]['peak RSS GB'] / rows[0]['peak RSS GB']:.2f}x")


if __name__ == "__main__":
    main()
