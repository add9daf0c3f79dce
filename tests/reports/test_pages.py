"""The committed pages agree with the results folders (their tables are generated), every results folder has a
section, and every relative link and anchor in the docs resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from llm_as_rnn.reports.pages import blocks_in, render_page, result_folders

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", ROOT / "results" / "README.md"]
DOCS = [*PAGES, ROOT / "DESIGN.md"]
LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)\)")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_committed_page_is_not_stale(page):
    text = page.read_text(encoding="utf-8")
    assert render_page(text, page.parent) == text, (
        f"{page.relative_to(ROOT)} is stale: python -m llm_as_rnn.reports.pages README.md results/README.md")


def test_every_results_folder_has_a_section():
    root = ROOT / "results"
    named = {(root / folder).resolve() for kind, folder in blocks_in((root / "README.md").read_text(encoding="utf-8"))
             if kind == "results"}
    missing = [str(p.relative_to(root)) for p in result_folders(root) if p.resolve() not in named]
    assert not missing, f"results folders without a section in results/README.md: {missing}"


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found, seen = set(), {}
    in_fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
        if in_fence or not line.startswith("#"):
            continue
        base = slug(line.lstrip("#"))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


@pytest.mark.parametrize("page", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_anchor_resolves(page):
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+://", target) or target.startswith("mailto:"):
            continue
        path_part, _, anchor = target.partition("#")
        where = (page.parent / path_part).resolve() if path_part else page
        if not where.exists():
            broken.append(target)
        elif anchor and where.suffix == ".md" and anchor not in anchors(where):
            broken.append(target)
    assert not broken, f"{page.relative_to(ROOT)}: broken links {broken}"


def test_a_block_naming_an_unfinished_folder_is_one_line_and_writes_nothing(tmp_path, capsys):
    from llm_as_rnn.reports.pages import main

    (tmp_path / "running").mkdir()  # an evaluation still in progress: no results.json yet
    page = tmp_path / "page.md"
    text = "# r\n\n<!-- results: running -->\nold\n<!-- /results -->\n"
    page.write_text(text)
    assert main([str(page)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "<!-- results: running --> (line 3)" in err and "no results.json" in err
    assert page.read_text() == text


def test_a_partly_finished_evaluation_says_what_is_unfinished_beside_its_table(tmp_path):
    from llm_as_rnn.evaluation.summary import summarize
    from llm_as_rnn.reports.pages import folder_block
    from llm_as_rnn.reports.results import write_results
    from tests.evaluation.test_evaluate import evaluation

    run, _ = evaluation(tmp_path, methods=["zero_shot", "llm_as_rnn", "fhc"], episodes=4)
    run.run()
    for sequence_id in ("toy-1", "toy-3"):  # as if the run had stopped after the first and the middle sequence
        run.store.path("toy", "llm_as_rnn", sequence_id).unlink()
    for sequence_id in ("toy-0", "toy-1", "toy-2", "toy-3"):  # and before FHC's first
        run.store.path("toy", "fhc", sequence_id).unlink()
    write_results(tmp_path / "eval", summarize(run), run.settings())
    block = folder_block(tmp_path / "eval", "eval")
    assert "**toy**, 2 sequences:" in block
    assert ("Not finished yet: `llm_as_rnn` on 2 sequences; every row is scored on the 2 sequences all methods "
            "finished.") in block
    assert "Not in the table (finished no sequence): `fhc`." in block and "| `fhc`" not in block
