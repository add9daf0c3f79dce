"""How far LiteLLM's approximate token count is from a backbone's own tokenizer, on the texts a budget measures.

Memory budgets are counted with the predictor's tokenizer. Embedded backbones count with their own vocabulary
(exact). A served model LiteLLM has no tokenizer for (a local vLLM/Ollama/llama-server model) is counted with the
tiktoken encoding LiteLLM bundles: this script says by how much that count is off, per task, so a budget set for one
counter can be read in the other's tokens.

    python -m benchmarks.token_counts [--results results/weather-qwen15b]

Texts: the memory skeleton and dev-split inputs of every task, plus every memory written in an evaluation folder
(`--results`, optional). Only tokenizers are loaded (`vocab_only`), no weights.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from benchmarks.common import table
from llm_as_rnn.programs.memory import MemorySchema

# (exact tokenizer, its embedded alias, the same model served under a string LiteLLM has no tokenizer for)
PAIRS = (("Qwen2.5-Coder (0.5B and 1.5B share it)", "qwen2.5-coder-0.5b-instruct",
          "hosted_vllm/Qwen2.5-Coder-1.5B-Instruct"),
         ("SmolLM2", "smollm2-135m-instruct", "ollama_chat/smollm2:135m"))
BUDGET = 160


def texts_by_task(results: Path | None, per_task: int) -> dict[str, list[str]]:
    from llm_as_rnn.tasks.registry import get_task

    texts: dict[str, list[str]] = {}
    for name in ("weather", "finance", "clinical"):
        task = get_task(name)
        inputs = [s.input for seq in task.sequences("dev", limit=per_task, steps=3) for s in seq.steps]
        texts[f"{name} inputs"] = inputs
        texts[f"{name} memory skeleton"] = [MemorySchema.of(task.memory_spec).empty().render()]
    if results is not None:
        memories: dict[str, list[str]] = {}
        for path in sorted(results.rglob("sequences/*/llm_as_rnn*/*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            memories.setdefault(f"{data['task']} memories written", []).extend(
                r["memory"] for r in data["records"] if r.get("memory"))
        texts.update({k: list(dict.fromkeys(v)) for k, v in memories.items()})
    return texts


def exact_counter(alias: str):
    import llama_cpp

    from llm_as_rnn.backbones.catalog import EMBEDDED_MODELS, gguf_path

    model = EMBEDDED_MODELS[alias]
    vocab = llama_cpp.Llama(str(gguf_path(model)), vocab_only=True, verbose=False)
    return lambda text: len(vocab.tokenize(text.encode("utf-8"), add_bos=False, special=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, help="an evaluation folder whose written memories are counted too")
    parser.add_argument("--per-task", type=int, default=4, help="dev sequences per task (3 steps each)")
    args = parser.parse_args()

    from llm_as_rnn.backbones.catalog import EMBEDDED_MODELS
    from llm_as_rnn.backbones.tokenizer import _litellm_count

    texts = texts_by_task(args.results, args.per_task)
    rows = []
    for label, alias, model in PAIRS:
        if not EMBEDDED_MODELS[alias].installed():
            continue
        exact = exact_counter(alias)
        for kind, group in texts.items():
            pairs = [(exact(t), _litellm_count(model, t)) for t in group if t.strip()]
            ratios = [a / e for e, a in pairs if e]
            mean = statistics.fmean(ratios)
            rows.append([label, model, kind, len(pairs), statistics.fmean(e for e, _ in pairs), mean,
                         min(ratios), max(ratios), round(BUDGET / max(ratios)), round(BUDGET / min(ratios))])
    print(table(["exact tokenizer", "served as (LiteLLM tiktoken fallback)", "texts", "n", "mean exact tokens",
                 "approx/exact mean", "min", "max", f"{BUDGET} approx tok = exact, from", "to"], rows,
                title="Token counts: LiteLLM's approximation against the backbone's own tokenizer"))


if __name__ == "__main__":
    main()
