"""One constrained call to a backbone, in a child process: a native crash (SIGSEGV, SIGILL) becomes a report.

A llama.cpp build whose kernels the CPU lacks dies inside native code, taking the interpreter with it. Running the
first call in a child turns that into one line that names the backbone, the signal and the build, and the parent
(`llm-rnn doctor`, the test suite) goes on.

    python -m llm_as_rnn.backbones.probe MODEL_STRING   # prints one JSON line
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

import dspy

from llm_as_rnn.backbones.cpu import compiled_features, cpu_model
from llm_as_rnn.backbones.errors import BackboneError
from llm_as_rnn.backbones.registry import load_backbone
from llm_as_rnn.backbones.router import RouterEngine
from llm_as_rnn.utils.redact import redact

PROBE_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class ProbeResult:
    """What the child saw: `ok`, the parsed answer, seconds, or why it failed."""

    model: str
    ok: bool
    detail: str
    seconds: float

    def line(self) -> str:
        return f"{self.model}: {'ok' if self.ok else 'FAILED'}: {self.detail} ({self.seconds:.1f} s)"


def probe_in_child(model: str, *, timeout: float = PROBE_TIMEOUT_S, api_base: str | None = None) -> ProbeResult:
    """Make one schema-constrained call to `model` in a child process and report what happened."""
    command = [sys.executable, "-m", "llm_as_rnn.backbones.probe", model]
    if api_base:
        command += ["--api-base", api_base]
    started = time.perf_counter()
    try:
        child = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                               env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"})
    except subprocess.TimeoutExpired:
        return ProbeResult(model, False, f"no answer within {timeout:.0f} s", time.perf_counter() - started)
    seconds = time.perf_counter() - started
    if child.returncode < 0:
        name = signal.Signals(-child.returncode).name
        return ProbeResult(model, False, f"the child process died with {name} inside the backbone; "
                           f"build: {build_summary()}", seconds)
    lines = [line for line in child.stdout.splitlines() if line.startswith("{")]
    if not lines:
        tail = redact((child.stderr or "").strip().splitlines()[-1:][0] if child.stderr.strip() else "no output")
        return ProbeResult(model, False, f"exit code {child.returncode}: {tail}", seconds)
    report = json.loads(lines[-1])
    return ProbeResult(model, bool(report["ok"]), redact(str(report["detail"])), seconds)


def is_served(lm: Any) -> bool:
    """A backbone reached over the network through LiteLLM (one server or replicas behind its Router)."""
    engine = getattr(lm, "engine", None)
    return engine == "litellm" or isinstance(engine, RouterEngine)


def probe_reachable(lm: Any, *, api_base: str | None = None, timeout: float = 20.0) -> None:
    """One tiny call, no retries, before any work is spent: an unreachable or unauthorised served backbone fails
    in seconds with one line naming the model and the address (the embedded backbone loaded already: skipped)."""
    if not is_served(lm):
        return  # in-process (llama.cpp, loaded already) or a custom engine: nothing to reach
    probe = lm.copy(num_retries=0, cache=False, timeout=timeout)
    try:
        probe("Reply with OK.", max_tokens=1)
    except Exception as exc:  # turned into one user-facing line
        where = f" at {api_base}" if api_base else ""
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:240]
        hint = ""
        if "api_key" in first.lower() or "api key" in first.lower():
            hint = " (a local server that checks no key still needs one set: export OPENAI_API_KEY=dummy)"
        raise BackboneError(redact(f"backbone {lm.model}{where} did not answer a test call: "
                                   f"{type(exc).__name__}: {first}{hint}")) from None


def build_summary() -> str:
    """llama-cpp-python's version and the CPU kernels compiled into it, in one line."""
    try:
        import llama_cpp
    except ImportError:
        return "llama-cpp-python not installed"
    compiled = ", ".join(sorted(compiled_features())) or "none reported"
    return f"llama-cpp-python {llama_cpp.__version__}, compiled kernels: {compiled}; CPU: {cpu_model()}"


def _child(model: str, api_base: str | None) -> dict:


    class Probe(dspy.Signature):
        """Answer with the sum of the two numbers."""

        a: int = dspy.InputField()
        b: int = dspy.InputField()
        total: int = dspy.OutputField()

    lm = load_backbone(model, api_base=api_base, cache=False, num_retries=0, max_tokens=32, timeout=60)
    with dspy.context(lm=lm, adapter=dspy.JSONAdapter()):
        out = dspy.Predict(Probe)(a=2, b=3)
    return {"ok": isinstance(out.total, int), "detail": f"constrained answer parsed (2 + 3 -> {out.total})"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m llm_as_rnn.backbones.probe")
    parser.add_argument("model")
    parser.add_argument("--api-base")
    args = parser.parse_args(argv)
    try:
        report = _child(args.model, args.api_base)
    except Exception as exc:  # reported to the parent as data, never as a traceback
        report = {"ok": False, "detail": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"}
    print(json.dumps(report), flush=True)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
