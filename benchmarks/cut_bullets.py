"""Which stored sequences held a memory bullet that the engine's string limit cut? No LM call.

Since e3533ba the updater trims such a bullet (`programs.memory.cut_bullet`: as long as the limit and not ending a
sentence, back to its last sentence, clause or list item). That is a change in code, not in the prompts, so a
results folder written before it still reuses those sequences (their fingerprint matches). This lists, per folder,
task and method, how many stored sequences the trimming would have changed; delete those files and resume the
folder's command to repair it (DESIGN.md, "Stored results carry a prompt fingerprint").

    python -m benchmarks.cut_bullets [results] [--limit 160]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.common import table


def held_a_cut_bullet(result: dict[str, Any], limit: int) -> bool:
    from llm_as_rnn.programs.memory import cut_bullet

    bullets = (line[2:] for record in result.get("records") or [] for line in (record.get("memory") or "").splitlines()
               if line.startswith("- "))
    return any(cut_bullet(bullet, limit) != bullet for bullet in bullets)


def audit(root: Path, limit: int) -> list[list[Any]]:
    """One row per (folder, task, method) with at least one stored sequence that held a cut bullet."""
    cut, stored = Counter(), Counter()
    for path in sorted(root.rglob("sequences/*/*/*.json")):
        result = json.loads(path.read_text(encoding="utf-8"))
        task = result.get("task") or path.parts[-3].rsplit("-", 1)[0]  # the folder is "<task>-<settings hash>"
        key = (str(path.parents[3].relative_to(root.parent)), task, result.get("method"))
        stored[key] += 1
        cut[key] += held_a_cut_bullet(result, limit)
    return [[*key, cut[key], stored[key]] for key in sorted(stored) if cut[key]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", nargs="?", type=Path, default=Path("results"))
    parser.add_argument("--limit", type=int, default=160, help="the engine's string limit (default: 160)")
    args = parser.parse_args()
    print(table(["folder", "task", "method", "held a cut bullet", "stored"], audit(args.root, args.limit),
                title=f"stored sequences whose memory held a bullet cut at {args.limit} characters"))


if __name__ == "__main__":
    main()
