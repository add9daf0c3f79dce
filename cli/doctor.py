"""`llm-rnn doctor`: is this installation able to run? Versions, CPU vs build, models, one call, storage."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from llm_as_rnn.cli.common import api_bases

DESCRIPTION = """Check this installation: package versions, the CPU's instruction sets against the kernels compiled
into llama.cpp, the embedded models and their checksums, one constrained call to the backbone in a child process
(a native crash is reported, not suffered), and a writeable Optuna study (SQLite; PostgreSQL with --storage).
Exits 1 with one line naming the first failure."""


@dataclass
class Check:
    name: str
    ok: bool | None  # None: informational, not a pass/fail check
    detail: str


def add_parser(verbs: argparse._SubParsersAction) -> None:
    from llm_as_rnn.backbones.model_string import EMBEDDED_DEFAULT

    parser = verbs.add_parser("doctor", help="check the installation (versions, CPU/build, models, one call)",
                              description=DESCRIPTION)
    parser.add_argument("--backbone", default=EMBEDDED_DEFAULT,
                        help=f"backbone for the probe call (default: {EMBEDDED_DEFAULT})")
    parser.add_argument("--api-base", type=api_bases, help="server address for a served --backbone")
    parser.add_argument("--storage", help="also check an Optuna RDB URL, e.g. postgresql://user@host/db")
    parser.add_argument("--no-call", action="store_true", help="skip the probe call (and the model load it needs)")
    parser.add_argument("--no-hash", action="store_true", help="check installed models by size, not by sha256")
    parser.add_argument("--model-path", action="store_true",
                        help="print the GGUF file of the embedded --backbone (assembled and checked) and exit: what "
                             "a server such as python -m llama_cpp.server --model needs")
    parser.set_defaults(handler=execute)


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def version_checks() -> list[Check]:
    checks = [Check("python", None, f"{platform.python_version()} ({sys.executable})")]
    for dist in ("llm-as-rnn", "dspy", "litellm", "optuna", "llama-cpp-python"):
        version = _version(dist)
        required = dist in ("dspy", "litellm", "optuna")
        checks.append(Check(dist, False if required and version == "not installed" else None, version))
    return checks


def build_checks() -> list[Check]:
    from llm_as_rnn.backbones.cpu import compiled_features, cpu_flags, cpu_model, is_portable, unsafe_kernels

    flags = cpu_flags()
    wanted = ("avx", "avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_int8")
    checks = [Check("cpu", None, f"{cpu_model()}; {' '.join(f for f in wanted if f in flags) or 'flags unknown'}")]
    if _version("llama-cpp-python") == "not installed":
        return [*checks, Check("llama.cpp build", None, "llama-cpp-python not installed (the 'embedded' extra)")]
    compiled = sorted(compiled_features())
    unsafe = unsafe_kernels()
    kind = "portable" if is_portable() else "tuned to a CPU with AVX-512/AMX (not portable)"
    if unsafe:
        checks.append(Check("llama.cpp build", False,
                            f"compiled with {', '.join(unsafe)} kernels this CPU lacks: it will crash; rebuild "
                            "with `make distclean install` (portable flags)"))
    else:
        checks.append(Check("llama.cpp build", True, f"{kind}; kernels: {', '.join(compiled)}"))
    return checks


def model_checks(hash_files: bool) -> list[Check]:
    from llm_as_rnn.backbones.catalog import EMBEDDED_MODELS, verify
    from llm_as_rnn.backbones.model_string import EMBEDDED_DEFAULT

    default_alias = EMBEDDED_DEFAULT.partition("/")[2]
    checks = []
    for alias, model in EMBEDDED_MODELS.items():
        label = f"model {alias}" + (" (default)" if alias == default_alias else "")
        if not model.installed():
            status = False if alias == default_alias else None
            checks.append(Check(label, status, f"not installed (extra '{model.extra}')"))
            continue
        if not hash_files:
            checks.append(Check(label, True, f"installed ({model.size:,} bytes; checksum not verified)"))
            continue
        ok, detail = verify(model)
        checks.append(Check(label, ok, detail))
    return checks


def call_check(backbone: str, api_base: str | None) -> Check:
    from llm_as_rnn.backbones.probe import probe_in_child

    result = probe_in_child(backbone, api_base=api_base)
    return Check(f"call {backbone}", result.ok, f"{result.detail} ({result.seconds:.1f} s, child process)")


def storage_check(url: str | None) -> Check:
    import optuna

    from llm_as_rnn.optimize.tune import storage_url

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        label = "optuna storage" + (f" {url.split('@')[-1]}" if url else " (SQLite)")
        try:
            target = storage_url(url) if url else f"sqlite:///{Path(folder) / 'doctor.db'}"
            study = optuna.create_study(storage=target, study_name=f"llm-rnn-doctor-{os.getpid()}",
                                        load_if_exists=True)
            study.optimize(lambda trial: trial.suggest_float("x", 0.0, 1.0), n_trials=1)
            optuna.delete_study(study_name=study.study_name, storage=target)
        except Exception as exc:  # reported as a failed check
            return Check(label, False, f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    return Check(label, True, "created a study, wrote a trial, deleted it")


def run_checks(args: argparse.Namespace, emit: Callable[[Check], None]) -> list[Check]:
    checks: list[Check] = []
    stages: list[Callable[[], list[Check]]] = [
        version_checks,
        build_checks,
        lambda: model_checks(not args.no_hash),
        lambda: [storage_check(None)] + ([storage_check(args.storage)] if args.storage else []),
    ]
    for stage in stages:
        for check in stage():
            emit(check)
            checks.append(check)
    build_failed = any(c.ok is False for c in checks if c.name == "llama.cpp build")
    if not args.no_call and not build_failed:
        check = call_check(args.backbone, args.api_base)
        emit(check)
        checks.append(check)
    return checks


def execute(args: argparse.Namespace) -> int:
    from llm_as_rnn.utils.redact import redact

    if args.model_path:
        from llm_as_rnn.backbones.embedded import resolve_gguf
        from llm_as_rnn.backbones.errors import BackboneError
        from llm_as_rnn.backbones.model_string import parse_model_string

        parsed = parse_model_string(args.backbone)
        if not parsed.embedded:
            raise BackboneError(f"--model-path: {args.backbone} is not an embedded (llamacpp/) backbone")
        print(resolve_gguf(parsed.name)[0])
        return 0

    marks = {True: "ok  ", False: "FAIL", None: "    "}

    def emit(check: Check) -> None:
        print(f"{marks[check.ok]} {check.name:<40} {redact(check.detail)}", flush=True)

    checks = run_checks(args, emit)
    failed = [c for c in checks if c.ok is False]
    if failed:
        print(f"llm-rnn doctor: {failed[0].name}: {redact(failed[0].detail)}", file=sys.stderr)
        return 1
    print("all checks passed")
    return 0
