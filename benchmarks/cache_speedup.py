"""A rerun of the same evaluation (a new results folder, the same DSPy cache) is served from DSPy's cache.

    python -m benchmarks.cache_speedup [--episodes 2] [--steps 3]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks.common import table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=2)
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()
    import dspy

    from llm_as_rnn.backbones import load_backbone
    from llm_as_rnn.backbones.roles import Roles
    from llm_as_rnn.evaluation.evaluate import Evaluation
    from llm_as_rnn.tasks import get_task

    dspy.configure_cache(enable_disk_cache=True, enable_memory_cache=False,
                         disk_cache_dir=tempfile.mkdtemp(prefix="bench-cache-"))
    lm = load_backbone("llamacpp/smollm2-135m-instruct", cache=True)
    dspy.configure(lm=lm)
    rows = []
    for attempt in ("first run", "rerun"):
        calls_before = lm.engine.calls
        run = Evaluation(tasks={"weather": get_task("weather")}, methods=["zero_shot", "llm_as_rnn"], split="dev",
                         episodes=args.episodes, steps=args.steps, roles=Roles(lm, lm, lm),
                         out=Path(tempfile.mkdtemp(prefix="bench-cache-run-")))
        report = run.run()
        rows.append([attempt, report.seconds, lm.engine.calls - calls_before])
    rows.append(["speedup", rows[0][1] / rows[1][1], ""])
    print(table(["", "seconds", "calls reaching llama.cpp"], rows,
                title=f"DSPy cache: the same evaluation twice ({args.episodes} dev episodes x {args.steps} steps, "
                      "zero-shot + LLM-as-RNN, embedded backbone, disk cache)"))


if __name__ == "__main__":
    main()
