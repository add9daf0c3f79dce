"""An evaluation with a scripted (slow) LM in its own process, so tests can SIGKILL it at any point.

    python -m tests.robustness.eval_worker OUT SLEEP_SECONDS
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

METHODS = ["zero_shot", "fhc", "llm_as_rnn", "llm_as_rnn:fused"]


def run(out: str, sleep: float) -> None:
    from llm_as_rnn.backbones.roles import Roles
    from llm_as_rnn.evaluation.evaluate import Evaluation
    from tests.scripted import scripted_lm
    from tests.toy_task import ToyTask, toy_responder

    def slow(call):
        time.sleep(sleep)
        return toy_responder(call)

    lm, _ = scripted_lm(slow)
    Evaluation(tasks={"toy": ToyTask()}, methods=METHODS, split="test", episodes=3, steps=3,
               roles=Roles(lm, lm, lm), out=out, budget=60).run()


if __name__ == "__main__":
    run(sys.argv[1], float(sys.argv[2]))
