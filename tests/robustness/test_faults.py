"""Faults: a backbone that fails or stalls at random, one that is down, and evaluations killed with SIGKILL."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import dspy
import pytest

from benchmarks.loopback_server import LoopbackServer
from llm_as_rnn.backbones import load_backbone
from llm_as_rnn.evaluation.store import ResultStore
from llm_as_rnn.programs import LLMAsRNN
from tests.robustness.eval_worker import METHODS
from tests.toy_task import ToyTask

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def api_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-loopback-not-a-secret")


def test_transient_failures_and_stalls_are_retried_with_a_hard_timeout(api_key):
    server = LoopbackServer(fail_rate=0.2, stall_rate=0.1, stall_seconds=30, seed=3).start()
    try:
        lm = load_backbone("openai/flaky", api_base=server.url, timeout=1.0, num_retries=4, cache=False)
        sequence = ToyTask().sequences(limit=1, steps=4)[0]
        started = time.perf_counter()
        with dspy.context(lm=lm):
            out = LLMAsRNN(ToyTask(), budget=80)(steps=sequence.steps, sequence_id=sequence.id)
        elapsed = time.perf_counter() - started
    finally:
        server.stop()
    assert all(p is not None for p in out.predictions) and out.failures == {}
    assert server.failures > 0 and server.stalls > 0, (server.failures, server.stalls)
    assert server.requests > 12  # 12 calls for 4 steps, plus the retried ones
    assert elapsed < 60, f"a stalled call must time out, not hang ({elapsed:.0f} s)"


def test_a_dead_backbone_raises_instead_of_hanging(api_key):
    lm = load_backbone("openai/dead", api_base="http://127.0.0.1:9/v1", timeout=1.0, num_retries=1, cache=False)
    sequence = ToyTask().sequences(limit=1, steps=2)[0]
    started = time.perf_counter()
    with dspy.context(lm=lm), pytest.raises(Exception, match=r"(?i)connect|refused|connection"):
        LLMAsRNN(ToyTask(), budget=80)(steps=sequence.steps, sequence_id=sequence.id)
    assert time.perf_counter() - started < 30


def _worker(out: Path, sleep: float) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tests.robustness.eval_worker", str(out), str(sleep)], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _results(out: Path) -> dict[tuple[str, str], list]:
    stored = list(ResultStore(out).finished())
    keys = [(s["method"], s["sequence_id"]) for s in stored]
    assert len(keys) == len(set(keys)), "a sequence was stored twice"
    return {(s["method"], s["sequence_id"]): s["predictions"] for s in stored}


def test_killed_evaluations_resume_to_the_same_results(tmp_path):
    reference = tmp_path / "reference"
    assert _worker(reference, 0.0).wait(timeout=120) == 0
    expected = _results(reference)
    assert len(expected) == len(METHODS) * 3

    killed = tmp_path / "killed"
    rng = random.Random(7)
    for _ in range(3):
        worker = _worker(killed, 0.01)
        time.sleep(rng.uniform(0.5, 2.0))
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        for path in (killed / "sequences").rglob("*.json"):
            json.loads(path.read_text())  # every stored result is whole (interrupted writes stay .tmp files)
    assert _worker(killed, 0.0).wait(timeout=120) == 0
    assert _results(killed) == expected
    assert not list(killed.rglob(".*.tmp"))  # the resumed run cleaned up interrupted writes
