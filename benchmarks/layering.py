"""How the package is layered: import cycles between its modules and imports hidden inside functions.

    python -m benchmarks.layering [--show]

Reads the source (no import, no LM call). Every `import llm_as_rnn.x` / `from llm_as_rnn.x import y`, at module
level or inside a function, is an edge; a strongly connected component of more than one module is an import cycle
(module-level imports alone would fail at import time, so a cycle exists only through imports hidden in functions).
It also counts first-party imports inside functions outside `cli/` (the CLI imports lazily to start fast), and
prints the size of the README. Issue 30 measured these before and after its refactor.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "llm_as_rnn"


def package_folders(root: Path = ROOT) -> dict[str, Path]:
    """Import name -> folder, as pyproject.toml maps them."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    mapping = config["tool"]["setuptools"]["package-dir"]
    return {name: root / folder for name, folder in mapping.items()}


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the package: dotted name -> file."""
    found: dict[str, Path] = {}
    for package, folder in package_folders(root).items():
        for path in folder.rglob("*.py"):
            relative = path.relative_to(folder).with_suffix("")
            parts = [p for p in relative.parts if p != "__init__"]
            found[".".join([package, *parts])] = path
    return found


def imports(path: Path, known: set[str]) -> list[tuple[str, bool]]:
    """First-party modules `path` imports, each with whether the import sits inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, bool]] = []

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    def visit(node: ast.AST, inside: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = inside or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith(PACKAGE) and (target := resolve(alias.name)):
                        found.append((target, nested))
            elif isinstance(child, ast.ImportFrom) and child.module and child.module.startswith(PACKAGE):
                for alias in child.names:  # `from pkg import module` names a module, not only the package
                    target = resolve(f"{child.module}.{alias.name}") or resolve(child.module)
                    if target:
                        found.append((target, nested))
            visit(child, nested)

    visit(tree, False)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def measure(root: Path = ROOT) -> dict[str, object]:
    found = modules(root)
    graph: dict[str, set[str]] = defaultdict(set)
    hidden: list[tuple[str, str]] = []
    for name, path in found.items():
        graph.setdefault(name, set())
        for target, inside in imports(path, set(found)):
            if target == name or (name.startswith(f"{target}.") and path.name == "__init__.py"):
                continue
            graph[name].add(target)
            if inside and not name.startswith(f"{PACKAGE}.cli"):
                hidden.append((name, target))
    loops = cycles(graph)
    return {"modules": len(found), "cycles": loops, "largest_cycle": max((len(c) for c in loops), default=0),
            "function_imports_outside_cli": hidden,
            "readme_bytes": (root / "README.md").stat().st_size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="list the cycles' modules and the hidden imports")
    args = parser.parse_args(argv)
    result = measure()
    loops = result["cycles"]
    hidden = result["function_imports_outside_cli"]
    print(f"modules: {result['modules']}")
    print(f"import cycles: {len(loops)} (largest: {result['largest_cycle']} modules)")
    print(f"first-party imports inside functions, outside cli/: {len(hidden)}")
    print(f"README.md: {result['readme_bytes']:,} bytes")
    if args.show:
        for loop in loops:
            print("cycle:", " -> ".join(m.removeprefix(f"{PACKAGE}.") for m in loop))
        for module, target in sorted(hidden):
            print(f"in a function: {module.removeprefix(PACKAGE + '.')} imports {target.removeprefix(PACKAGE + '.')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
