"""A served backbone is as reliable as the embedded one: the README's loopback example against llama-cpp-python's
own OpenAI-compatible server (SmolLM2), whose structured-output mode is probed and named.

Bug: with `--response-schema` that server ended in "internal error" (it accepts only JSON mode with a schema);
without it the answers were unconstrained, 6 malformed, and the table scored LLM-as-RNN on 2 of 4 steps."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def llama_cpp_server(tmp_path_factory):
    pytest.importorskip("llama_cpp.server.app", reason="the 'serve' extra is not installed")
    model = subprocess.run([str(BIN / "llm-rnn"), "doctor", "--model-path", "--backbone",
                            "llamacpp/smollm2-135m-instruct"], capture_output=True, text=True, check=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path_factory.mktemp("server") / "server.log"
    with open(log, "w") as handle:
        server = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", model.stdout.strip(),
                                   "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "8192"],
                                  stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/models", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"the server exited: {log.read_text()[-2000:]}")
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_readme_served_example_runs_with_the_schema_enforced(llama_cpp_server, tmp_path):
    env = {**os.environ, "OPENAI_API_KEY": "dummy", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    result = subprocess.run([str(BIN / "llm-rnn"), "run", "--backbone", "openai/local", "--api-base", llama_cpp_server,
                             "--episodes", "2", "--steps", "2", "--feedback", "measured", "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "json_object + schema" in result.stderr  # the mode the probe found, named
    assert "0 malformed answers" in result.stdout
    forced = subprocess.run([str(BIN / "llm-rnn"), "run", "--backbone", "openai/local", "--api-base",
                             llama_cpp_server, "--response-schema", "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=300, env=env)
    assert forced.returncode == 2 and "does not honour json_schema" in forced.stderr
