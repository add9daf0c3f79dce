"""One tune worker with a scripted LM, run as a separate process by the tests (kill it, run two at once).

    python -m tests.optimize.tune_worker STORAGE STUDY TRIALS OUT WORKER SLEEP_SECONDS
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


def main() -> None:
    storage, study, trials, out, worker, sleep = sys.argv[1:7]
    import dspy

    from llm_as_rnn.backbones.roles import Roles
    from llm_as_rnn.optimize.tune import StructureSearch
    from tests.scripted import scripted_lm
    from tests.toy_task import ToyTask, toy_responder

    def responder(call):
        if call.role == "predict":
            time.sleep(float(sleep))
        if call.role == "update" and "remove" in call.fields:
            return {"remove": [], **{f: ["note"] for f in call.fields if f not in ("remove", "critique")},
                    **({"critique": "c"} if "critique" in call.fields else {})}
        if call.role == "fused":
            return {"critique": "c", **{f: [] if f == "remove" else ["note"] for f in call.fields if f != "critique"}}
        return toy_responder(call)

    lm, _ = scripted_lm(responder)
    dspy.configure(lm=lm)
    dspy.configure_cache(enable_disk_cache=False, enable_memory_cache=False)
    search = StructureSearch(task=ToyTask(), roles=Roles(lm, lm, lm), storage_url=storage, study_name=study,
                             out=out, train_episodes=1, dev_episodes=2, steps=2, optimizers=("none",),
                             budgets=(40, 60), worker=int(worker), heartbeat_interval=1, grace_period=3,
                             poll_seconds=0.5)
    search.run(int(trials), on_trial=lambda study, trial: print(f"worker {worker} finished trial {trial.number}",
                                                                 flush=True))


if __name__ == "__main__":
    main()
