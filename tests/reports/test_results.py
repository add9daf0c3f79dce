"""Result files when nothing could be scored: the report says so instead of crashing."""

from __future__ import annotations

from llm_as_rnn.evaluation.summary import TaskSummary
from llm_as_rnn.reports.results import markdown_tables, write_results
from llm_as_rnn.reports.scoreboard import Scoreboard
from llm_as_rnn.tasks import get_task


def test_a_task_with_no_shared_sequence_is_reported_not_crashed(tmp_path):
    task = get_task("weather")
    empty = TaskSummary(task, Scoreboard(sequence_ids=[], methods=["zero_shot", "persistence"]),
                        llm_methods=["zero_shot"], anchors=["persistence"], reference="persistence",
                        missing={"zero_shot": 2})
    markdown = markdown_tables([empty], {"split": "test"})
    assert "### weather (0 sequences)" in markdown
    assert "nothing is scored; unfinished sequences: {'zero_shot': 2}" in markdown
    paths = write_results(tmp_path, [empty], {"split": "test"})
    assert all(path.is_file() for path in paths.values())


def test_memory_methods_are_compared_with_zero_shot_and_the_best_paper_baseline():
    task = get_task("weather")
    ids = [f"s{i}" for i in range(6)]
    truths = {i: [{"temp_max": 10.0, "rain": "no"}] * 3 for i in ids}

    def constant(temp, rain="no"):
        return {i: [{"temp_max": temp, "rain": rain}] * 3 for i in ids}

    from llm_as_rnn.reports.scoreboard import build_scoreboard

    board = build_scoreboard(task, truths, {"zero_shot": constant(14.0), "fhc": constant(11.0),
                                            "memprompt": constant(13.0, "yes"), "llm_as_rnn": constant(10.5)})
    summary = TaskSummary(task, board, llm_methods=["zero_shot", "fhc", "memprompt", "llm_as_rnn"], anchors=[],
                          reference=None)
    markdown = markdown_tables([summary], {"split": "test"})
    differences = markdown.split("Paired differences")[1]
    assert "Δ temp_max MAE vs zero_shot | Δ temp_max MAE vs fhc (best)" in differences
    assert "Δ rain acc vs zero_shot (best)" in differences  # zero-shot ties FHC for best on rain: no second column
    assert "saved with" not in markdown
    saved = markdown_tables([summary], {"split": "test", "budget": 160, "saved_programs": {"tuned": "runs/x"}})
    assert "memory budget 160 tokens, context budget None tokens (a `saved:` method keeps the budget" in saved
    row = next(line for line in differences.splitlines() if line.startswith("| `llm_as_rnn`"))
    assert row.split(" | ")[1].startswith("-3.50") and row.split(" | ")[2].startswith("-0.50")
    assert "| `fhc`" not in differences  # baselines are the rivals, not rows


def test_a_memory_method_is_compared_with_its_shuffled_control_when_it_ran():
    from llm_as_rnn.reports.scoreboard import build_scoreboard

    task = get_task("weather")
    ids = [f"s{i}" for i in range(6)]
    truths = {i: [{"temp_max": 10.0, "rain": "no"}] * 3 for i in ids}

    def constant(temp):
        return {i: [{"temp_max": temp, "rain": "no"}] * 3 for i in ids}

    truth_fed, control = "llm_as_rnn:measured,mask_values", "llm_as_rnn:shuffled_measured,mask_values"
    methods = {"zero_shot": constant(14.0), truth_fed: constant(11.0), control: constant(12.5),
               "llm_as_rnn:judge": constant(13.0)}
    board = build_scoreboard(task, truths, methods)
    summary = TaskSummary(task, board, llm_methods=list(methods), anchors=[], reference=None)
    differences = markdown_tables([summary], {"split": "test"}).split("Paired differences")[1]
    assert "Δ temp_max MAE vs its shuffled control" in differences
    row = next(line for line in differences.splitlines() if line.startswith(f"| `{truth_fed}`"))
    assert row.split(" | ")[-2].startswith("-1.50")  # temp_max: 11.0 vs the control's 12.5
    judge = next(line for line in differences.splitlines() if line.startswith("| `llm_as_rnn:judge`"))
    assert judge.endswith("|  |  |")  # no control ran for the judge variant: empty cells, not a wrong pairing


def test_provenance_names_the_command_commit_and_backbone_bytes(monkeypatch):
    from llm_as_rnn.backbones.catalog import EMBEDDED_MODELS
    from llm_as_rnn.reports.provenance import provenance, provenance_lines

    monkeypatch.setenv("MY_SERVICE_API_KEY", "sk-provenance-secret-1")
    qwen = EMBEDDED_MODELS["qwen2.5-coder-1.5b-instruct"]
    record = provenance(["evaluate", "--api-key-in-url", "https://h/v1?k=sk-provenance-secret-1"],
                        {"predictor": f"llamacpp/{qwen.model_id}", "critic": "openai/gpt-4o-mini"})
    assert "sk-provenance-secret-1" not in str(record)
    assert record["backbone_sha256"] == {f"llamacpp/{qwen.model_id}": qwen.sha256}
    assert len(record["commit"].removesuffix("-dirty")) == 40 or record["commit"] == "unknown"
    assert any(qwen.sha256 in line for line in provenance_lines(record))


def test_provenance_says_which_commits_ran_the_scored_sequences():
    from llm_as_rnn.reports.provenance import provenance, provenance_lines

    assert not any("by the commit" in line for line in provenance_lines(provenance(["evaluate"], {})))
    lines = provenance_lines(provenance(["evaluate"], {}, {"abc123": 60, "not recorded": 12}))
    assert any("by the commit that ran them: `abc123` 60, `not recorded` 12" in line for line in lines)
