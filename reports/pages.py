"""Results pages whose numbers come from the results folders, never from a hand: every table between the markers

    <!-- results: FOLDER -->  ...  <!-- /results -->      (one folder: its command, provenance and summary table)
    <!-- summary: FOLDER -->  ...  <!-- /summary -->      (one folder's LLM-as-RNN against every rival, per task)

in a Markdown page is rewritten from `FOLDER/results.json` (an evaluation), `FOLDER/results.json` of `llm-rnn
optimize`, or `FOLDER/tune.json` (an Optuna study); the narrative around the markers is left alone.

    python -m llm_as_rnn.reports.pages README.md results/README.md     # rewrite the generated blocks
    python -m llm_as_rnn.reports.pages --check README.md results/README.md   # exit 1 if a page is stale

A test runs the check, so a committed page never disagrees with its folders.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from llm_as_rnn.reports.formatting import format_interval_dict
from llm_as_rnn.reports.results import metric_label, split_unfinished
from llm_as_rnn.tasks.registry import TASKS

BLOCK = re.compile(r"(<!-- (results|summary): (\S+) -->\n)(.*?)(<!-- /\2 -->)", re.DOTALL)
PAPER_RIVALS = ("zero_shot", "fhc", "memprompt")


def render_page(text: str, base: Path) -> str:
    """`text` with every generated block rewritten from the folders it names (relative to `base`)."""
    def replace(match: re.Match) -> str:
        kind, folder = match.group(2), match.group(3)
        path = (base / folder).resolve()
        body = folder_block(path, folder) if kind == "results" else summary_block(path, folder)
        return f"{match.group(1)}{body.rstrip()}\n{match.group(5)}"

    return BLOCK.sub(replace, text)


def blocks_in(text: str) -> list[tuple[str, str]]:
    """(kind, folder) of every generated block of a page."""
    return [(m.group(2), m.group(3)) for m in BLOCK.finditer(text)]


def result_folders(root: Path) -> list[Path]:
    """Every folder under `root` a results page can have a block for."""
    found = {p.parent for name in ("results.json", "tune.json") for p in root.rglob(name)}
    return sorted(p for p in found if "sequences" not in p.parts and "trials" not in p.parts)


# -- one folder -----------------------------------------------------------------------------------------------------


def folder_block(path: Path, label: str) -> str:
    if (path / "tune.json").is_file():
        return _study_block(path)
    data = json.loads((path / "results.json").read_text(encoding="utf-8"))
    if "optimization" in data:
        return _optimization_block(data)
    lines = [_provenance(data), ""]
    for task, info in data["tasks"].items():
        metric = _headline_metric(task, data)
        if metric is None:
            continue
        lines += _evaluation_table(data, task, info, metric)
    return "\n".join(lines)


def _provenance(data: dict[str, Any]) -> str:
    prov = data.get("provenance") or {}
    settings = data.get("settings") or {}
    commit = (prov.get("commit") or "unknown")[:12]
    sha = ", ".join(f"`{name}` sha256 `{digest[:12]}…`" for name, digest in (prov.get("backbone_sha256") or {}).items())
    split = settings.get("split")
    return (f"`{prov.get('command', '(command not recorded)')}`\n\n"
            f"Split `{split}`, {settings.get('steps')} steps per sequence; commit `{commit}`, "
            f"{(prov.get('date') or '')[:10]}, {prov.get('machine', '')}" + (f"; {sha}" if sha else "") + ".")


def _headline_metric(task: str, data: dict[str, Any]) -> str | None:
    metrics = {r["metric"] for r in data["rows"] if r["task"] == task}
    entry = TASKS.get(task)
    declared = entry.load().table_metrics if entry else ()
    chosen = [m for m in declared if m in metrics] or sorted(m for m in metrics if not m.endswith("sq_error"))
    return chosen[0] if chosen else None


def _rows(data: dict[str, Any], task: str, metric: str) -> tuple[dict, dict]:
    overall = {r["method"]: r for r in data["rows"] if r["task"] == task and r["kind"] == "overall"
               and r["metric"] == metric}
    difference = {(r["method"], r["versus"]): r for r in data["rows"] if r["task"] == task
                  and r["kind"] == "difference" and r["metric"] == metric}
    return overall, difference


def _evaluation_table(data: dict[str, Any], task: str, info: dict[str, Any], metric: str) -> list[str]:
    overall, difference = _rows(data, task, metric)
    reference = info.get("reference")
    costs = info.get("costs") or {}
    methods = list(overall)
    zero_shot = "zero_shot" if "zero_shot" in overall else None
    header = ["method", f"{metric_label(metric)} [95% CI] N"]
    if zero_shot:
        header.append("Δ vs zero_shot")
    if reference:
        header.append(f"Δ vs {reference}")
    header += ["LM calls/step", "prompt tok/step"]
    lines = [f"**{task}**, {len(info.get('sequences', []))} sequences:", "",
             "| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for method in methods:
        cost = costs.get(method)
        name = f"`{method}`" if cost else f"{method} (anchor)"
        cells = [name, format_interval_dict(overall[method])]
        for rival in (zero_shot, reference):
            if rival:
                row = difference.get((method, rival))
                cells.append(format_interval_dict(row) if row and method != rival else "")
        cells += [f"{cost['lm_calls']:.2f}", f"{cost['prompt_tokens']:.0f}"] if cost else ["", ""]
        lines.append("| " + " | ".join(cells) + " |")
    partly, unscored = split_unfinished(info.get("missing") or {}, overall)
    if partly:  # a run stopped part way (full-N runs span sessions): say so beside the table, not only in N
        lines += ["", "Not finished yet: " + ", ".join(f"`{m}` on {n} sequences" for m, n in partly.items())
                  + f"; every row is scored on the {len(info.get('sequences', []))} sequences all methods finished."]
    if unscored:
        lines += ["", "Not in the table (finished no sequence): " + ", ".join(f"`{m}`" for m in unscored) + "."]
    return [*lines, ""]


def _optimization_block(data: dict[str, Any]) -> str:
    optimization = data["optimization"]
    lines = [f"{optimization['optimizer']} on {', '.join(optimization.get('tuned', []))}: dev mean step reward "
             f"{optimization['dev_before']:.4f} before, {optimization['dev_after']:.4f} after "
             f"({optimization['seconds']:.0f} s, {len(optimization.get('candidates') or [])} candidates scored)."]
    for row in data.get("test") or []:
        if row.get("kind") == "overall" and row.get("method") in ("optimized", "unoptimized"):
            lines.append(f"- test {row['method']} {metric_label(row['metric'])}: {format_interval_dict(row)}")
    return "\n".join(lines)


def _study_block(path: Path) -> str:
    data = json.loads((path / "tune.json").read_text(encoding="utf-8"))
    trials = data["trials"]
    lines = [f"Study `{data['study']}`: {trials.get('complete', 0)} complete, {trials.get('pruned', 0)} pruned, "
             f"{trials.get('fail', 0)} failed trials ({'multi' if data.get('multi_objective') else 'single'}"
             "-objective; every trial in `trials.md`)."]
    for best in data.get("best") or []:
        values = ", ".join(f"{v:.4f}" for v in best["values"])
        params = ", ".join(f"{k}={v}" for k, v in best["params"].items())
        lines.append(f"- best trial {best['trial']}: dev value {values}; {params}")
    return "\n".join(lines)


# -- LLM-as-RNN against every rival --------------------------------------------------------------------------------


def summary_block(path: Path, label: str) -> str:
    """Per task: the first LLM-as-RNN method (not a control) against zero-shot, FHC, MemPrompt, its shuffled
    control and the reference anchor, paired on the same steps, on the task's headline metric."""
    data = json.loads((path / "results.json").read_text(encoding="utf-8"))
    lines = ["| task | N | LLM-as-RNN | Δ vs zero-shot | Δ vs FHC | Δ vs MemPrompt | Δ vs its control | "
             "Δ vs reference anchor |", "|" + " --- |" * 8]
    for task, info in data["tasks"].items():
        metric = _headline_metric(task, data)
        if metric is None:
            continue
        overall, difference = _rows(data, task, metric)
        methods = [m for m in overall if m.startswith("llm_as_rnn") and "shuffled" not in m and "backbone=" not in m]
        if not methods:
            continue
        method = methods[0]
        control = next((m for m in overall if m == method.replace(":measured", ":shuffled_measured", 1)
                        or m == method.replace("llm_as_rnn", "llm_as_rnn:shuffled", 1)), None)
        reference = info.get("reference")
        versus = [_versus(difference, method, rival) for rival in ("zero_shot", "fhc", "memprompt", control, reference)]
        lines.append(f"| {task} ({metric_label(metric)}) | {overall[method]['n']} | "
                     f"{format_interval_dict(overall[method])} | " + " | ".join(versus) + f" ({reference}) |")
    command = (data.get("provenance") or {}).get("command", "")
    return "\n".join([*lines, "", f"`{command}`"])


def _versus(difference: dict, method: str, rival: str | None) -> str:
    row = difference.get((method, rival)) if rival else None
    return format_interval_dict(row) if row else "—"


def missing_folders(text: str, base: Path) -> list[str]:
    """The blocks of a page whose folder holds nothing to render (no results.json, no tune.json)."""
    return [f"<!-- {kind}: {folder} --> (line {text[:m.start()].count(chr(10)) + 1})"
            for m in BLOCK.finditer(text) for kind, folder in [(m.group(2), m.group(3))]
            if not any((base / folder / name).is_file() for name in ("results.json", "tune.json"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m llm_as_rnn.reports.pages",
                                     description="Rewrite the generated blocks of Markdown results pages.")
    parser.add_argument("pages", nargs="+", help="Markdown files; folders are named relative to each file")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a page is stale")
    args = parser.parse_args(argv)
    pages = {page: page.read_text(encoding="utf-8") for page in map(Path, args.pages)}
    for page, text in pages.items():  # every page is checked before any is written
        missing = missing_folders(text, page.parent)
        if missing:
            print(f"{page}: {missing[0]} names a folder with no results.json or tune.json (finish its run, or "
                  f"remove the block){f'; {len(missing) - 1} more' if len(missing) > 1 else ''}", file=sys.stderr)
            return 2
    stale = []
    for page, text in pages.items():
        rendered = render_page(text, page.parent)
        if rendered != text:
            stale.append(str(page))
            if not args.check:
                page.write_text(rendered, encoding="utf-8")
    if args.check and stale:
        print(f"stale: {', '.join(stale)} (run python -m llm_as_rnn.reports.pages {' '.join(args.pages)})",
              file=sys.stderr)
        return 1
    for page in stale if not args.check else []:
        print(f"rewrote {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
