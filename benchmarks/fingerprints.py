"""Do the committed results still match the prompts of this code? No LM call, no model load.

    python -m benchmarks.fingerprints [results]

For every evaluation folder (one with `evaluation.json`), rebuilds each (task, method) program from the folder's
settings (a saved program from its folder) and compares its prompt fingerprint with the one every stored sequence
carries. A refactor that must not change prompts prints `0 stale` for every folder; a prompt change shows which
stored sequences a resume would run again.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path


def audit(folder: Path) -> dict[str, Counter]:
    """(task, method) -> Counter of 'fresh' / 'stale' stored sequences."""
    from llm_as_rnn.programs.registry import build_method, load_program
    from llm_as_rnn.tasks.registry import get_task

    settings = json.loads((folder / "evaluation.json").read_text(encoding="utf-8"))
    options = settings.get("task_options") or {}
    saved = settings.get("saved_programs") or {}
    tasks = {name: get_task(name, **options.get(name, {})) for name in settings.get("tasks", [])}
    fingerprints: dict[tuple[str, str], str] = {}
    for name, task in tasks.items():
        for method in settings.get("methods", []):
            if method.startswith("saved:"):
                path = saved.get(method.removeprefix("saved:"))
                if not path or not Path(path).is_dir():
                    continue
                try:
                    program = load_program(path, task=task)
                except ValueError:  # saved for another task
                    continue
            else:
                program = build_method(method, task, budget=settings.get("budget", 160), seed=settings.get("seed", 0),
                                       context_budget=settings.get("context_budget", 1024))
            fingerprints[name, method] = program.fingerprint()
    counts: dict[str, Counter] = {}
    for path in sorted((folder / "sequences").glob("*/*/*.json")):
        stored = json.loads(path.read_text(encoding="utf-8"))
        key = (stored["task"], stored["method"])
        expected = fingerprints.get(key)
        state = "unchecked" if expected is None else "fresh" if stored.get("fingerprint") == expected else "stale"
        counts.setdefault(f"{key[0]} / {key[1]}", Counter())[state] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="?", default="results")
    parser.add_argument("--show", action="store_true", help="every (task, method), not only folder totals")
    args = parser.parse_args(argv)
    total = Counter()
    for folder in sorted({p.parent for p in Path(args.results).rglob("evaluation.json")}):
        counts = audit(folder)
        summed = sum(counts.values(), Counter())
        total += summed
        print(f"{folder}: {summed['fresh']} fresh, {summed['stale']} stale, {summed['unchecked']} unchecked")
        for key, count in counts.items():
            if args.show or count["stale"]:
                print(f"    {key}: {dict(count)}")
    print(f"all: {total['fresh']} fresh, {total['stale']} stale, {total['unchecked']} unchecked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
