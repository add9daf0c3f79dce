"""Parallel sequences against a served backbone, through LiteLLM: throughput with 1, 2, 4, 8 workers.

A. A loopback OpenAI-compatible server with 8 parallel slots and 0.25 s per call: the framework's own scaling,
   and the per-backbone concurrency limit at work.
B. The embedded SmolLM2-135M served by llama-cpp-python's server (needs the 'serve' extra) on this machine's
   cores: what a real small server gives.

    python -m benchmarks.parallel [--episodes 8] [--steps 3]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import table
from benchmarks.loopback_server import LoopbackServer

os.environ.setdefault("OPENAI_API_KEY", "sk-loopback-benchmark")


def evaluate(model: str, api_base: str, *, workers: int, episodes: int, steps: int,
             max_concurrency: int | None = None, method: str = "llm_as_rnn") -> tuple[float, int]:
    """Wall seconds and steps for one evaluation (fresh results folder, no DSPy cache)."""
    import dspy

    from llm_as_rnn.backbones import load_backbone
    from llm_as_rnn.backbones.roles import Roles
    from llm_as_rnn.evaluation.evaluate import Evaluation
    from llm_as_rnn.tasks import get_task

    lm = load_backbone(model, api_base=api_base, cache=False, timeout=120, max_concurrency=max_concurrency)
    dspy.configure(lm=lm)
    task = get_task("weather")
    run = Evaluation(tasks={"weather": task}, methods=[method], split="dev", episodes=episodes, steps=steps,
                     roles=Roles(lm, lm, lm), out=Path(tempfile.mkdtemp(prefix="bench-parallel-")), workers=workers)
    report = run.run()
    assert not report.failed, report.failed
    return report.seconds, sum(len(s) for s in run.sequences["weather"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=8)
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()

    server = LoopbackServer(latency=0.25, slots=8).start()
    rows, base = [], None
    try:
        for workers, cap in ((1, None), (2, None), (4, None), (8, None), (8, 2)):
            seconds, steps = evaluate("openai/loopback", server.url, workers=workers, episodes=args.episodes,
                                      steps=args.steps, max_concurrency=cap)
            base = base or steps / seconds
            rows.append([workers, cap or "-", steps / seconds, (steps / seconds) / base, server.max_in_flight])
            server.max_in_flight = 0
    finally:
        server.stop()
    print(table(["workers", "max concurrency", "steps/s", "speedup", "max calls in flight"], rows,
                title=f"A. loopback server, 8 slots, 0.25 s/call: LLM-as-RNN, {args.episodes} sequences x "
                      f"{args.steps} steps (3 calls/step)"))
    print()

    try:
        import llama_cpp.server  # noqa: F401
    except ImportError:
        print("B. skipped: llama-cpp-python's server is not installed (pip install 'llm-as-rnn[serve]')")
        return
    from llm_as_rnn.backbones.embedded import resolve_gguf

    port = free_port()
    path, _ = resolve_gguf("smollm2-135m-instruct")
    process = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--port", str(port),
                                "--n_ctx", "8192", "--host", "127.0.0.1"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        for _ in range(120):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        rows, base = [], None
        for workers in (1, 2, 4):
            seconds, steps = evaluate("openai/smollm2-135m-instruct", f"http://127.0.0.1:{port}/v1",
                                      workers=workers, episodes=4, steps=2, method="zero_shot")
            base = base or steps / seconds
            rows.append([workers, steps / seconds, (steps / seconds) / base])
        print(table(["workers", "steps/s", "speedup"], rows,
                    title=f"B. SmolLM2-135M served by llama-cpp-python on {os.cpu_count()} cores: zero-shot, "
                          "4 sequences x 2 steps"))
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
