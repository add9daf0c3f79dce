"""A pytest plugin: every test marked `integration` (it runs a real embedded backbone) runs in a forked child, so
a native crash (SIGSEGV/SIGILL inside llama.cpp) is one failed test that names the backbone, the CPU and the build,
and the rest of the suite still runs and reports.

Why not pytest-forked: its report serialisation breaks on pytest 9 (every forked test "EXITED with status 3");
this uses pytest's own `pytest_report_to_serializable` hooks, as pytest-xdist does. Loaded for every run by
`addopts = "-p tests.crash_report"` in pyproject.toml.
"""

from __future__ import annotations

import json
import os
import signal

import pytest
from _pytest.runner import runtestprotocol

SMOKE_BACKBONE = "llamacpp/smollm2-135m-instruct"
_BACKBONES: dict[str, str] = {}  # test id -> the backbone it runs


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "integration(backbone=...): runs a real embedded backbone, in a forked child process")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("integration")
        if marker is not None:
            _BACKBONES[item.nodeid] = marker.kwargs.get("backbone", SMOKE_BACKBONE)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    if item.nodeid not in _BACKBONES or not hasattr(os, "fork"):
        return None
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    for report in _run_in_child(item):
        item.ihook.pytest_runtest_logreport(report=report)
    # The parent set up nothing for this item, but it may hold fixtures of earlier items (this module's, say):
    # tear down what the next item does not share, as pytest's own protocol does, or the next module's setup
    # fails with "previous item was not torn down properly".
    item.session._setupstate.teardown_exact(nextitem)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


def _run_in_child(item: pytest.Item) -> list[pytest.TestReport]:
    config = item.config
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run setup, call and teardown, send the reports back, never return into pytest
        os.close(read_end)
        payload = b""
        try:
            reports = runtestprotocol(item, log=False, nextitem=None)
            payload = json.dumps([config.hook.pytest_report_to_serializable(config=config, report=r)
                                  for r in reports]).encode()
        finally:
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if payload and os.WIFEXITED(status):
        return [config.hook.pytest_report_from_serializable(config=config, data=d) for d in json.loads(payload)]
    return [_crash_report(item, status)]


def _crash_report(item: pytest.Item, status: int) -> pytest.TestReport:
    from llm_as_rnn.backbones.probe import build_summary

    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        how = f"CRASHED with signal {number} ({signal.Signals(number).name})"
    else:
        how = f"EXITED with status {os.WEXITSTATUS(status)} without a report"
    message = (f"{item.nodeid}: the child process running the test {how}\n"
               f"native crash in the child running backbone {_BACKBONES[item.nodeid]}; {build_summary()}\n"
               "run `llm-rnn doctor` to check the llama.cpp build against this CPU")
    return pytest.TestReport(item.nodeid, item.location, dict.fromkeys(item.keywords, 1), "failed", message, "call")
