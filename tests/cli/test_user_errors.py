"""Every user mistake gets one clear line through the real CLI, before any work is spent: exit code 2, a few lines
of stderr with no traceback, naming the argument, file, row or field. Each row was a traceback (some after minutes
of work) before; the time each takes is logged, not asserted."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest

logger = logging.getLogger(__name__)


def _custom_files(folder: Path) -> dict[str, Path]:
    header_only = folder / "header_only.csv"
    header_only.write_text("store,week,promo,units\n")
    latin1 = folder / "latin1.jsonl"
    latin1.write_bytes('{"store": "caf\xe9", "week": 1, "promo": 0, "units": 3}\n'.encode("latin-1"))
    not_gguf = folder / "model.gguf"
    not_gguf.write_bytes(b"not a model at all")
    specs = {}
    for name, data in (("header_only", header_only), ("latin1", latin1)):
        spec = folder / f"{name}.json"
        spec.write_text(json.dumps({"data": str(data), "sequence_id": "store", "order": "week", "inputs": ["promo"],
                                    "target": "units", "kind": "regression"}))
        specs[name] = spec
    target_as_input = folder / "leaky.json"
    target_as_input.write_text(json.dumps({"data": str(header_only), "sequence_id": "store", "order": "week",
                                           "inputs": ["promo", "units"], "target": "units",
                                           "kind": "regression"}))
    gappy = folder / "gappy.jsonl"  # row 3 has no promo (pandas made it NaN, the model read "promo: nan")
    gappy.write_text('{"store": "a", "week": 1, "promo": 0, "units": 3}\n{"store": "a", "week": 2, "promo": 1, '
                     '"units": 4}\n{"store": "a", "week": 3, "units": 5}\n')
    infinite = folder / "infinite.jsonl"
    infinite.write_text('{"store": "a", "week": 1, "promo": Infinity, "units": 3}\n')
    for name, data in (("gappy", gappy), ("infinite", infinite)):
        spec = folder / f"{name}.json"
        spec.write_text(json.dumps({"data": str(data), "sequence_id": "store", "order": "week", "inputs": ["promo"],
                                    "target": "units", "kind": "regression"}))
        specs[name] = spec
    return {**specs, "leaky": target_as_input, "not_gguf": not_gguf, "folder": folder}


# (id, argv with {placeholders}, text stderr must contain)
ROWS = [
    ("run custom without --spec", ["run", "--task", "custom"], "--spec"),
    ("optimize custom without --spec", ["optimize", "--task", "custom"], "--spec"),
    ("tune custom without --spec", ["tune", "--task", "custom"], "--spec"),
    ("header-only CSV", ["run", "--task", "custom", "--spec", "{header_only}"], "header_only"),
    ("non-UTF-8 JSONL", ["run", "--task", "custom", "--spec", "{latin1}"], "not UTF-8"),
    ("target column as an input", ["run", "--task", "custom", "--spec", "{leaky}"], "units"),
    ("a file that is not GGUF", ["run", "--backbone", "llamacpp/{not_gguf}"], "is not a GGUF file"),
    ("negative --recent-steps", ["run", "--recent-steps", "-1"], "--recent-steps"),
    ("gated policy with judge feedback", ["run", "--policy", "gated", "--feedback", "judge"], "reveals y_t"),
    ("unknown section", ["run", "--sections", "foo"], "foo"),
    ("unknown section in a method spec", ["evaluate", "--methods", "llm_as_rnn:sections=foo"], "foo"),
    ("unknown method", ["evaluate", "--methods", "zero_shot,lstm"], "lstm"),
    ("COPRO breadth below 2", ["optimize", "--optimizer", "copro", "--breadth", "1"], "--breadth"),
    ("unknown predictor to tune", ["optimize", "--tune", "foo.bar"], "foo.bar"),
    ("typo in the judge backbone", ["evaluate", "--tasks", "weather", "--judge-backbone", "gpt4o"], "gpt4o"),
    ("typo in the backbone", ["run", "--backbone", "gpt4"], "gpt4"),
    ("typo in a method's own backbone", ["evaluate", "--tasks", "weather", "--methods",
                                         "zero_shot,llm_as_rnn:backbone=gpt4"], "backbone 'gpt4'"),
    ("missing MIMIC folder", ["run", "--task", "clinical", "--mimic-dir", "/no/such/mimic"], "--mimic-dir"),
    ("memory budget below the empty sections", ["evaluate", "--tasks", "weather", "--methods", "llm_as_rnn",
                                                "--budget", "5", "--backbone", "llamacpp/smollm2-135m-instruct"],
     "memory budget of 5 tokens"),
    ("unreachable study storage", ["tune", "--storage", "postgresql+psycopg2://u:pw-in-url@127.0.0.1:9/x"],
     "127.0.0.1:9"),
    ("the documented postgresql:// URL, unreachable", ["tune", "--storage", "postgresql://u:pw-in-url@127.0.0.1:9/x"],
     "127.0.0.1:9", "driver"),
    ("a JSONL row missing an input", ["run", "--task", "custom", "--spec", "{gappy}"], "row 3, field 'promo'"),
    ("a non-finite input value", ["run", "--task", "custom", "--spec", "{infinite}"], "not a finite number"),
    ("--spec names a folder", ["run", "--task", "custom", "--spec", "{folder}"], "is a directory"),
    ("--program beside a setting flag", ["run", "--program", "{folder}", "--budget", "120"], "drop --budget"),
    ("negative --trace-sequences", ["evaluate", "--trace-sequences", "-1"], "--trace-sequences"),
    ("negative --worker", ["tune", "--worker", "-3"], "--worker"),
    ("negative --test-episodes", ["optimize", "--test-episodes", "-1"], "--test-episodes"),
    ("--api-base without a scheme", ["run", "--backbone", "openai/served", "--api-base", "localhost:9"],
     "no http:// or https:// scheme"),
    ("--out that cannot be created", ["run", "--out", "/proc/llm-rnn-x"], "cannot create the folder"),
    ("--report-only on a folder with no evaluation", ["evaluate", "--report-only", "--out", "{folder}/none"],
     "holds no evaluation"),
    ("tune from a folder that is not a saved program", ["tune", "--program", "/no/such/program"], "/no/such/program"),
    ("unreachable --api-base", ["run", "--backbone", "openai/served", "--api-base", "http://127.0.0.1:9/v1"],
     "127.0.0.1:9"),
]


@pytest.mark.parametrize(("row", "argv", "expected", "absent"), [(*r, None)[:4] for r in ROWS],
                         ids=[r[0] for r in ROWS])
def test_user_error_is_one_line_before_any_work(row, argv, expected, absent, tmp_path):
    files = _custom_files(tmp_path)
    argv = [a.format(**{k: str(v) for k, v in files.items()}) for a in argv]
    started = time.perf_counter()
    default_out = argv[0] in ("run", "evaluate", "optimize", "tune") and "--out" not in argv
    result = subprocess.run([sys.executable, "-m", "llm_as_rnn.cli.main", *argv, "--out", str(tmp_path / "out")]
                            if default_out else [sys.executable, "-m", "llm_as_rnn.cli.main", *argv],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "OPENAI_API_KEY": "sk-unused-0000"})
    logger.warning("%s: exit %s in %.1f s", row, result.returncode, time.perf_counter() - started)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 12, result.stderr
    assert expected in result.stderr, result.stderr
    assert absent is None or absent not in result.stderr, result.stderr
    assert "pw-in-url" not in result.stdout + result.stderr


def test_every_option_shows_its_default_in_help():
    """Every option with a default says it in `--help` (task, feedback, policy, recent-steps, seed, optimizer,
    episodes, steps, metric-calls, split, workers, ...); settings derived from RNNConfig say theirs too."""
    import argparse

    from llm_as_rnn.cli.main import build_parser

    verbs = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, parser in verbs.choices.items():
        text = " ".join(parser.format_help().split())
        for action in parser._actions:
            default = action.default
            if not action.option_strings or default is None or default is False or default == argparse.SUPPRESS:
                continue
            if isinstance(default, list) and not default:
                continue
            shown = action.help and ("(default:" in action.help or f"(default: {default})" in text)
            assert shown, f"llm-rnn {name} {action.option_strings[0]}: default {default!r} not in --help"
        for flag in ("--feedback", "--policy", "--recent-steps", "--seed") if name in ("run", "optimize") else ():
            assert f"{flag}" in text and "(default:" in text
