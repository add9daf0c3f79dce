"""The scale path through LiteLLM: replicas behind the Router, a concurrency cap per backbone, no network at import."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import dspy
import pytest

from benchmarks.loopback_server import LoopbackServer
from llm_as_rnn.backbones import load_backbone
from llm_as_rnn.programs import LLMAsRNN
from tests.toy_task import ToyTask

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def api_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-loopback-not-a-secret")


def run_toy(lm, sequences=1, steps=3):
    task = ToyTask()
    with dspy.context(lm=lm):
        return [LLMAsRNN(task, budget=80)(steps=s.steps, sequence_id=s.id)
                for s in task.sequences(limit=sequences, steps=steps)]


def test_replicas_behind_the_router_share_the_calls(api_key):
    random.seed(7)  # the Router's default strategy picks with the `random` module; seeded, the split is reproducible
    servers = [LoopbackServer(latency=0.01).start() for _ in range(2)]
    try:
        lm = load_backbone("openai/replicated", api_base=",".join(s.url for s in servers), cache=False, timeout=10)
        outputs = run_toy(lm, sequences=2)
    finally:
        for server in servers:
            server.stop()
    assert all(p is not None for out in outputs for p in out.predictions)
    assert all(server.requests > 0 for server in servers), [s.requests for s in servers]
    assert sum(s.requests for s in servers) == 18


def test_max_concurrency_caps_calls_in_flight_across_threads(api_key):
    server = LoopbackServer(latency=0.05, slots=16).start()
    try:
        lm = load_backbone("openai/capped", api_base=server.url, cache=False, timeout=10, max_concurrency=2)
        threads = [threading.Thread(target=run_toy, args=(lm,)) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    assert server.requests == 6 * 9
    assert server.max_in_flight <= 2


def test_importing_the_packages_makes_no_network_call():
    script = textwrap.dedent("""
        import socket, sys
        attempts = []
        sys.addaudithook(lambda event, args: attempts.append(args) if event == "socket.connect" else None)
        import llm_as_rnn.backbones, llm_as_rnn.programs, llm_as_rnn.tasks, llm_as_rnn.metrics
        import llm_as_rnn.anchors, llm_as_rnn.evaluation, llm_as_rnn.optimize, llm_as_rnn.reports
        import llm_as_rnn.cli.main as cli_main
        from llm_as_rnn.backbones.model_string import parse_model_string
        parse_model_string("openai/gpt-4o-mini")          # imports LiteLLM: must use the bundled cost map
        cli_main.build_parser()
        print(len(attempts))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0"


def test_counting_tokens_for_an_unknown_served_model_stays_offline():
    script = textwrap.dedent("""
        import sys
        attempts = []  # connections beyond loopback (a local model server may be asked for model info)
        def audit(event, args):
            if event == "socket.connect" and not str(args[1][0]).startswith(("127.", "::1", "localhost")):
                attempts.append(args)
        sys.addaudithook(audit)
        from llm_as_rnn.backbones import load_backbone, token_counter
        bases = ("http://127.0.0.1:9/v1", "http://127.0.0.1:9/v1,http://127.0.0.1:10/v1")  # one server; replicas
        for model in ("openai/my-self-served-model", "hosted_vllm/Qwen2.5-7B", "openai/gpt-4o-mini",
                      "ollama_chat/llama3.2", "openai/mistral-7b"):
            for base in bases:
                count = token_counter(load_backbone(model, api_base=base))
                assert count("temp_max 14.4 degrees, rain no") > 3
        print(len(attempts))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0"


def test_a_served_model_declared_schema_capable_gets_the_json_schema(api_key):
    server = LoopbackServer().start()
    try:
        plain = load_backbone("openai/plain-served", api_base=server.url, cache=False)
        run_toy(plain, steps=1)
        declared = load_backbone("openai/schema-served", api_base=server.url, cache=False, response_schema=True)
        run_toy(declared, steps=1)
    finally:
        server.stop()
    kinds = [(f or {}).get("type") for f in server.response_formats]
    assert kinds[:3] == ["json_object"] * 3
    assert kinds[3:] == ["json_schema"] * 3
    schema = server.response_formats[3]["json_schema"]["schema"]
    assert set(schema["properties"]) == {"value", "direction"}
