"""The evaluation is resumable, refuses mismatched settings, survives failing sequences, and writes its reports."""

from __future__ import annotations

import itertools
import json

import pytest

from llm_as_rnn.backbones.roles import Roles
from llm_as_rnn.evaluation.evaluate import Evaluation
from llm_as_rnn.evaluation.store import ResultStore, StoreMismatchError
from llm_as_rnn.evaluation.summary import summarize
from llm_as_rnn.reports.results import write_results
from tests.scripted import scripted_lm
from tests.toy_task import ToyTask, toy_responder

METHODS = ["zero_shot", "fhc", "llm_as_rnn", "llm_as_rnn:fused"]


def responder(call):
    if "summary" in call.fields:
        return {"summary": "went up"}
    return toy_responder(call)


def evaluation(tmp_path, responder=responder, methods=METHODS, steps=3, workers=1, episodes=2):
    lm, engine = scripted_lm(responder)
    run = Evaluation(tasks={"toy": ToyTask()}, methods=methods, split="test", episodes=episodes, steps=steps,
                     roles=Roles(lm, lm, lm), out=tmp_path / "eval", budget=60, workers=workers)
    return run, engine


def test_rerun_skips_finished_sequences_and_redoes_lost_ones(tmp_path):
    run, engine = evaluation(tmp_path)
    report = run.run()
    assert (report.completed, report.skipped, report.failed) == (8, 0, [])
    calls = len(engine.calls)
    rerun, engine2 = evaluation(tmp_path)
    assert rerun.run().completed == 0 and not engine2.calls
    lost = ResultStore(tmp_path / "eval").path("toy", "llm_as_rnn", "toy-1")
    lost.unlink()
    again, engine3 = evaluation(tmp_path)
    report = again.run()
    assert (report.completed, report.skipped) == (1, 7)
    assert len(engine3.calls) == 9 < calls  # one LLM-as-RNN sequence: 3 steps x 3 calls


def test_results_written_by_other_prompts_are_run_again_not_reused(tmp_path):
    evaluation(tmp_path, methods=["zero_shot", "llm_as_rnn"])[0].run()
    edited, engine = evaluation(tmp_path, methods=["zero_shot", "llm_as_rnn"])
    updater = edited.programs["toy", "llm_as_rnn"].updater.update
    updater.signature = updater.signature.with_instructions("Edited update instructions.")
    assert [(j.method, j.sequence.id) for j in edited.pending()] == [("llm_as_rnn", "toy-0"), ("llm_as_rnn", "toy-1")]
    assert edited.load("toy", "llm_as_rnn", "toy-0") is None  # the stale result is not scored either
    assert edited.load("toy", "zero_shot", "toy-0") is not None
    report = edited.run()
    assert (report.completed, report.skipped) == (2, 2)
    assert any("Edited update instructions." in c.system for c in engine.calls)
    assert edited.load("toy", "llm_as_rnn", "toy-0") is not None


def test_methods_can_be_added_but_settings_cannot_change(tmp_path):
    evaluation(tmp_path, methods=["zero_shot"])[0].run()
    added, _ = evaluation(tmp_path, methods=["zero_shot", "window"])
    assert added.run().completed == 2
    saved = json.loads((tmp_path / "eval" / "evaluation.json").read_text())
    assert saved["methods"] == ["zero_shot", "window"]
    changed, _ = evaluation(tmp_path, methods=["zero_shot"], steps=4)
    with pytest.raises(StoreMismatchError, match="steps: 3 there, 4 now"):
        changed.run()


def test_a_failing_sequence_is_recorded_and_retried_on_rerun(tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_PROVIDER_API_KEY", "sk-test-0123456789secret")

    def flaky(call):
        if "current value: 20" in call.user:
            raise ConnectionError("upstream refused key sk-test-0123456789secret")
        return responder(call)

    run, _ = evaluation(tmp_path, responder=flaky, methods=["zero_shot"])
    for lm in {id(r): r for r in (run.roles.predictor,)}.values():
        lm.num_retries = 0
    report = run.run()
    assert report.completed == 1 and len(report.failed) == 1
    errors = (tmp_path / "eval" / "errors.jsonl").read_text()
    assert "toy-1" in errors and "sk-test-0123456789secret" not in errors and "[REDACTED]" in errors
    healed, _ = evaluation(tmp_path, methods=["zero_shot"])
    assert healed.run().completed == 1


def test_parallel_workers_finish_every_sequence_once(tmp_path):
    run, _engine = evaluation(tmp_path, workers=4)
    report = run.run()
    assert report.completed == 8
    stored = list(ResultStore(tmp_path / "eval").finished())
    assert len(stored) == 8 and len({(s["method"], s["sequence_id"]) for s in stored}) == 8


def test_reports_are_written_with_every_pairwise_difference(tmp_path):
    run, _ = evaluation(tmp_path)
    run.run()
    summaries = summarize(run)
    paths = write_results(run.out, summaries, run.settings())
    rows = json.loads(paths["json"].read_text())["rows"]
    pairs = {(r["method"], r["versus"]) for r in rows if r["kind"] == "difference"}
    scored = len(METHODS) + 1  # and the toy task's own anchor, previous_target
    assert len(pairs) == scored * (scored - 1)
    markdown = paths["markdown"].read_text()
    assert "| `llm_as_rnn:fused` |" in markdown and "LM calls/step" in markdown
    assert paths["csv"].read_text().startswith("task,kind,method,versus,metric")
    costs = summaries[0].costs
    assert costs["llm_as_rnn"]["lm_calls"] == 3 and costs["llm_as_rnn:fused"]["lm_calls"] == 2
    assert costs["zero_shot"]["lm_calls"] == 1


def test_a_method_with_its_own_backbone_runs_only_on_it_beside_the_others_on_the_same_steps(tmp_path):
    lm, engine = scripted_lm(responder)
    small_lm, small_engine = scripted_lm(lambda call: {**responder(call), "value": 99.0}
                                         if call.role == "predict" else responder(call))
    small = "openai/small-model"
    loaded = []

    def roles_for(text):
        loaded.append(text)
        return Roles(small_lm, small_lm, small_lm)

    run = Evaluation(tasks={"toy": ToyTask()}, methods=["zero_shot", f"llm_as_rnn:backbone={small}"], split="test",
                     episodes=2, steps=3, roles=Roles(lm, lm, lm), out=tmp_path / "eval", budget=60,
                     roles_for=roles_for)
    assert run.run().completed == 4 and loaded == [small]
    assert len(engine.calls) == 2 * 3  # zero-shot only: one call per step on the evaluation's backbone
    assert len(small_engine.calls) == 2 * 3 * 3  # LLM-as-RNN: three calls per step, all on its own backbone
    stored = run.load("toy", f"llm_as_rnn:backbone={small}", "toy-0")
    assert [p["value"] for p in stored["predictions"]] == [99.0] * 3


def test_each_stored_result_names_the_commit_that_ran_it_and_the_run_counts_them(tmp_path):
    """The fingerprint covers prompts, not code: a reused result must say which code wrote it."""
    from llm_as_rnn.reports.provenance import git_commit

    run, _ = evaluation(tmp_path, methods=["zero_shot", "llm_as_rnn"])
    run.run()
    store = ResultStore(tmp_path / "eval")
    assert store.load("toy", "zero_shot", "toy-0")["commit"] == git_commit()
    assert run.written_by() == {git_commit(): 4}
    older = store.path("toy", "llm_as_rnn", "toy-1")  # as written before commits were stored
    result = json.loads(older.read_text())
    del result["commit"]
    older.write_text(json.dumps(result))
    assert run.written_by() == {git_commit(): 3, "not recorded": 1}


def test_spread_order_is_a_permutation_whose_every_prefix_covers_the_range():
    from llm_as_rnn.evaluation.evaluate import spread_order

    assert spread_order(0) == [] and spread_order(1) == [0] and spread_order(8) == [0, 4, 2, 6, 1, 5, 3, 7]
    order = spread_order(91)  # the weather test split
    assert sorted(order) == list(range(91))
    for k in (4, 8, 16, 32):
        first = sorted(order[:k])  # any stopping point samples the whole split, not its first weeks
        gaps = [b - a for a, b in itertools.pairwise(first)]
        assert first[0] == 0 and first[-1] >= 91 - 128 // k and max(gaps) <= 128 // k


def test_a_stopped_run_leaves_the_same_spread_set_for_every_method_scored_paired(tmp_path):
    run, _ = evaluation(tmp_path, methods=["zero_shot", "llm_as_rnn"], episodes=4)
    assert [(j.method, j.sequence.id) for j in run.jobs()][:4] == [
        ("zero_shot", "toy-0"), ("llm_as_rnn", "toy-0"), ("zero_shot", "toy-2"), ("llm_as_rnn", "toy-2")]
    stopped = []

    def stop_after_two_rnn_sequences(job, ok):
        if job.method == "llm_as_rnn":
            stopped.append(job.sequence.id)
        if len(stopped) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run.run(on_job=stop_after_two_rnn_sequences)
    assert stopped == ["toy-0", "toy-2"]  # the first and the middle of the split, not its first two
    (summary,) = summarize(run)
    # Every method stopped on the same sequences: the last method to run has as many to pair as the first.
    assert summary.missing == {"zero_shot": 2, "llm_as_rnn": 2}
    assert sorted(summary.board.sequence_ids) == ["toy-0", "toy-2"]  # scored on the paired, finished set
