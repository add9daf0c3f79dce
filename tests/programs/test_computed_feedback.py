"""Feedback that costs no LM call: running bias and hit rate; critiques never reach the memory cut mid-sentence."""

from __future__ import annotations

import json
from pathlib import Path

import dspy
import pytest

from llm_as_rnn.programs import LLMAsRNN
from llm_as_rnn.programs.memory import MemorySchema, whole_sentences
from llm_as_rnn.programs.registry import build_method
from llm_as_rnn.tasks.base import Step, StepSequence, Target
from llm_as_rnn.tasks.registry import get_task
from llm_as_rnn.tasks.weather import WeatherTask
from tests.scripted import scripted_lm
from tests.toy_task import TOY_SCHEMA, ToyTask, toy_responder


def test_running_reports_bias_error_and_hit_rate():
    task = WeatherTask()
    predictions = [{"temp_max": 15.0, "rain": "no"}, {"temp_max": 12.0, "rain": "yes"}, None]
    truths = [{"temp_max": 12.0, "rain": "no"}, {"temp_max": 11.0, "rain": "no"}, {"temp_max": 9.0, "rain": "no"}]
    text = task.running(predictions, truths)
    assert "temp_max over 2 steps: mean error +2.0 °C (too high on average), mean absolute error 2.0 °C" in text
    assert "rain: right 1 of 2 steps" in text


def test_the_running_summary_reaches_the_updater_only_from_revealed_steps():
    task = ToyTask()
    sequence = task.sequences(limit=1, steps=3)[0]
    lm, engine = scripted_lm(toy_responder)
    with dspy.context(lm=lm):
        LLMAsRNN(task, budget=80)(steps=sequence.steps, sequence_id=sequence.id)
    updates = engine.calls_for("update")
    assert "Sequence so far: value over 1 steps: mean error -0.25 units (too low on average)" in updates[0].user
    assert "value over 3 steps" in updates[2].user
    lm, engine = scripted_lm(toy_responder)
    with dspy.context(lm=lm):
        LLMAsRNN(task, budget=80, feedback="judge")(steps=sequence.steps, sequence_id=sequence.id)
    assert not any("Sequence so far" in c.user for c in engine.calls_for("update"))


def test_whole_sentences_drops_a_trailing_fragment():
    assert whole_sentences("Too warm by 3 °C. The actual temperature,") == "Too warm by 3 °C."
    assert whole_sentences("Forecast lower next time.") == "Forecast lower next time."
    assert whole_sentences("forecast 2 °C lower") == "forecast 2 °C lower"
    assert whole_sentences("  spaced   out.  ") == "spaced out."
    # one clause as long as its field's limit was cut by it (a judge's lesson, Qwen 1.5B, weather test): dropped
    lesson = "It is important to consider the observed maximum temperature when making future,"
    assert len(lesson) == 80 and whole_sentences(lesson, limit=80) == ""
    assert whole_sentences("forecast 2 °C lower", limit=80) == "forecast 2 °C lower"  # short: it ended there
    assert whole_sentences("Too warm. Consider the observed maximum temperature when making", limit=60) == "Too warm."
    # a judge's critique cut by its 120-character limit inside "0.5°C" (Qwen 1.5B, weather dev and test)
    critique = ("The prediction does not match the observed temperature and precipitation. The observed temperature "
                "is 8.3°C, which is 0.")
    assert len(critique) == 120
    assert whole_sentences(critique, limit=120) == (
        "The prediction does not match the observed temperature and precipitation.")
    assert whole_sentences("Too warm by 0.", limit=14) == ""  # nothing whole is left
    assert whole_sentences("Too warm by 1.5 °C on day 0.", limit=160) == "Too warm by 1.5 °C on day 0."  # short: ended
    assert whole_sentences("Too warm by 1.5 °C on day 0.") == "Too warm by 1.5 °C on day 0."  # no limit: a sentence
    # the limit fell right after a space: 120 characters as answered, 119 once stripped (Qwen 1.5B judge, test)
    spaced = ("The prediction suggests a temperature of 14.4°C, which is significantly higher than the observed "
              "maximum temperature of ")
    assert len(spaced) == 120 and whole_sentences(spaced, limit=120) == ""


_LESSON_CUT_INSIDE_ITS_CLAUSE = (
    "It is important to consider the observed maximum temperature and the trend of the last three days when making "
    "future forecasts for this sequence, and to weigh the newest rows")[:160]
_CRITIQUE_CUT_AFTER_A_SPACE = ("The prediction suggests a temperature increase of 0.6°C, which is not consistent with "
                               "the recent values and trends in a ")


@pytest.mark.parametrize(("answer", "limit", "whole", "cut_marker"), [
    # the judge's lesson, cut by its limit inside its only clause
    ({"critique": "The prediction looks plausible.", "lesson": _LESSON_CUT_INSIDE_ITS_CLAUSE}, 160,
     "The prediction looks plausible.", "when making future"),
    # the judge's critique, its limit reached by the trailing space (119 characters once stripped)
    ({"critique": _CRITIQUE_CUT_AFTER_A_SPACE, "lesson": "Follow the newest row."}, 120,
     "Follow the newest row.", "trends in a"),
], ids=["lesson-one-clause", "critique-after-a-space"])
def test_a_judge_answer_cut_by_its_length_limit_never_reaches_the_updater(answer, limit, whole, cut_marker):
    task = ToyTask()
    sequence = task.sequences(limit=1, steps=2)[0]
    assert limit in {len(text) for text in answer.values()}  # the judge's limit for that field

    def responder(call):
        return answer if call.role == "feedback" else toy_responder(call)

    lm, engine = scripted_lm(responder)
    with dspy.context(lm=lm):
        out = LLMAsRNN(task, budget=80, feedback="judge")(steps=sequence.steps, sequence_id=sequence.id)
    updates = engine.calls_for("update")
    assert updates and whole in updates[0].user and whole in out.records[0].feedback
    assert not any(cut_marker in c.user for c in updates)
    assert cut_marker not in out.records[0].feedback


def test_a_fused_critique_cut_by_its_length_limit_is_not_kept():
    task = ToyTask()
    sequence = task.sequences(limit=1, steps=2)[0]
    fragment = ("The forecast followed the previous value and missed the rise that the newest rows showed, so it "
                "ended up below the outcome by more than two units")[:120]

    def responder(call):
        if call.role == "fused":
            return {**toy_responder(call), "critique": fragment}
        return toy_responder(call)

    lm, _ = scripted_lm(responder)
    with dspy.context(lm=lm):
        out = LLMAsRNN(task, budget=80, feedback="truth", fused=True)(steps=sequence.steps, sequence_id=sequence.id)
    assert len(fragment) == 120 and not any("ended up below" in r.feedback for r in out.records)


def test_the_update_instructions_show_structure_not_invented_facts():
    from llm_as_rnn.signatures.update import update_signature

    for task in (WeatherTask(), ToyTask()):
        instructions = update_signature(MemorySchema.of(task.memory_spec)).instructions
        if MemorySchema.of(task.memory_spec).example:
            assert "structure only" in instructions and "<" in instructions
        assert "1.5 °C too low" not in instructions


def test_measured_feedback_critiques_in_code_with_two_calls_per_step():
    task = ToyTask()
    sequence = task.sequences(limit=1, steps=3)[0]
    lm, engine = scripted_lm(toy_responder)
    with dspy.context(lm=lm):
        out = LLMAsRNN(task, budget=80, feedback="measured")(steps=sequence.steps, sequence_id=sequence.id)
    assert [c.role for c in engine.calls] == ["predict", "update"] * 3
    assert out.lm_calls == [2, 2, 2]
    update = engine.calls_for("update")[1].user
    assert "Measured: value: predicted" in update and "Sequence so far:" in update and "Critique:" not in update


def test_a_bullet_cut_mid_sentence_loses_its_fragment():
    from llm_as_rnn.programs.memory import Memory
    from tests.toy_task import TOY_SCHEMA

    cut = "Rises 2 a step. The actual temperature is too high for the"
    memory = Memory.from_outputs(TOY_SCHEMA, {"patterns": [cut], "corrections": ["add 1.25"]})
    assert memory.as_dict() == {"patterns": ["Rises 2 a step."], "corrections": ["add 1.25"]}


@pytest.mark.parametrize(("bullet", "kept"), [
    # the two bullets the clinical headline stored cut by the embedded engine's 160-character limit
    ("Acute kidney failure, unspecified; Hypertensive chronic kidney disease with stage 1 through stage 4 chronic "
     "kidney disease, or unspecified; Non-ST elevation",
     "Acute kidney failure, unspecified; Hypertensive chronic kidney disease with stage 1 through stage 4 chronic "
     "kidney disease, or unspecified."),
    ("The patient has hypertension. History: heart failure (moderate), hypertension chronic kidney disease, "
     "unspecified, with chronic kidney病", "The patient has hypertension. History: heart failure (moderate), "
     "hypertension chronic kidney disease, unspecified."),
    ("no sentence end and no clause end in a bullet that the limit cut somewhere in the middle of its only clause",
     ""),
    ("Forecasts ran 1.5 °C too low on average; add about half of that, which is 0.", "Forecasts ran 1.5 °C too low "
     "on average; add about half of that."),  # a decimal point the limit cut is no sentence end
    ("A whole sentence that happens to end exactly at the limit.", "A whole sentence that happens to end exactly at "
     "the limit."),
])
def test_a_bullet_the_engine_limit_cut_keeps_its_whole_sentences_or_list_clauses(bullet, kept):
    from llm_as_rnn.programs.memory import Memory, cut_bullet

    assert cut_bullet(bullet, len(bullet)) == kept
    assert cut_bullet(bullet, len(bullet) + 1) == bullet  # shorter than the limit: the limit did not cut it
    assert cut_bullet(bullet, None) == bullet
    memory = Memory.from_outputs(TOY_SCHEMA, {"patterns": [bullet]}, limit=len(bullet))
    assert memory.as_dict()["patterns"] == ([kept] if kept else [])


def test_the_updater_trims_by_the_engine_limit_and_only_there():
    """The embedded engine's grammar cuts every free string at `max_string_chars`; a hosted backbone cuts none."""
    from llm_as_rnn.programs.updater import string_limit

    task = ToyTask()
    sequence = task.sequences(limit=1, steps=2)[0]
    listed = "Rises 2 a step; then flat; then a fall of three units at the"

    def responder(call):
        return {**toy_responder(call), "patterns": [listed]} if call.role == "update" else toy_responder(call)

    for limit, expected in ((len(listed), "Rises 2 a step; then flat."), (None, listed)):
        lm, engine = scripted_lm(responder)
        engine.max_string_chars = limit
        assert string_limit(lm) == limit
        with dspy.context(lm=lm):
            out = LLMAsRNN(task, budget=80)(steps=sequence.steps, sequence_id=sequence.id)
        assert f"- {expected}" in out.records[0].memory
    assert string_limit(None) is None and string_limit(dspy.LM("openai/gpt-4o-mini")) is None


def test_masking_replaces_past_values_but_keeps_error_sizes():
    schema = MemorySchema.of(WeatherTask().memory_spec)
    memory = schema.memory({"patterns": ["The predicted 29.4°C was 11.1 °C above the actual 18.3 °C."],
                            "corrections": ["Forecast 29.40 again? No: -11.1 too high; day 7 was 18.35."]})
    masked = memory.masked([29.4, 18.3])
    assert masked.as_dict() == {
        "patterns": ["The predicted [a past value]°C was 11.1 °C above the actual [a past value] °C."],
        "corrections": ["Forecast [a past value] again? No: -11.1 too high; day 7 was 18.35."], "watch": []}
    assert memory.masked([]) is memory


def test_mask_values_keeps_a_copied_past_value_out_of_the_next_prompt():
    task = ToyTask()
    sequence = task.sequences(limit=1, steps=3)[0]

    def quoting(call):  # an updater that writes the last prediction and outcome as absolute values
        if call.role == "update":
            numbers = [line.split(":", 1)[1].strip() for line in call.user.splitlines()
                       if line.startswith(("Prediction:", "Outcome:"))]
            return {"patterns": [f"last values were {' and '.join(numbers)}"], "corrections": ["too low by 0.25"]}
        return toy_responder(call)

    for mask, expect_values in ((False, True), (True, False)):
        lm, engine = scripted_lm(quoting)
        with dspy.context(lm=lm):
            out = LLMAsRNN(task, budget=120, feedback="measured", mask_values=mask)(
                steps=sequence.steps, sequence_id=sequence.id)
        step0 = out.records[0]
        values = [f"{step0.prediction['value']:g}", f"{step0.truth['value']:g}"]
        second_prompt = engine.calls_for("predict")[1].system
        assert any(v in second_prompt for v in values) is expect_values, (mask, second_prompt)
        assert ("[a past value]" in second_prompt) is mask
        assert "0.25" in second_prompt


def test_show_running_puts_the_computed_record_under_the_memory_from_revealed_steps_only():
    task = ToyTask()
    sequence = task.sequences(limit=1, steps=3)[0]
    lm, engine = scripted_lm(toy_responder)
    with dspy.context(lm=lm):
        out = LLMAsRNN(task, budget=80, feedback="measured", show_running=True)(steps=sequence.steps,
                                                                                 sequence_id=sequence.id)
    predicts = engine.calls_for("predict")
    assert "Measured so far" not in predicts[0].system  # nothing revealed before step 0
    assert "Measured so far (computed from the revealed outcomes): value over 1 steps" in predicts[1].system
    assert "value over 2 steps" in predicts[2].system and "value over 3 steps" not in predicts[2].system
    assert "Measured so far" in out.records[2].memory_before  # the trace shows what the predictor read
    lm, engine = scripted_lm(toy_responder)
    with dspy.context(lm=lm):
        LLMAsRNN(task, budget=80, feedback="judge", show_running=True)(steps=sequence.steps, sequence_id=sequence.id)
    assert not any("Measured so far" in c.system for c in engine.calls_for("predict"))  # a judge reveals nothing


class _DiagnosisTask(ToyTask):
    """Three visits of one patient; the truth is a ranked list of labels (an item outside the label set too)."""

    name = "toy_dx"
    targets = (Target("dx", "topk", "the diagnoses", k=2, labels=("A", "B", "C")),)
    truths = (["A", "B"], ["B", "unlisted"], ["C", "A"])

    def sequences(self, split: str = "test", *, limit: int | None = None, steps: int | None = None):
        return [StepSequence(id="dx-0", steps=tuple(Step(input=f"visit {t}", target={"dx": truth})
                                                   for t, truth in enumerate(self.truths)))]


def test_revealed_history_ranks_past_answers_by_count_then_recency_and_skips_unpredictable_items():
    task = _DiagnosisTask()
    assert task.revealed_history([]) == ""
    text = task.revealed_history([{"dx": t} for t in task.truths[:2]])
    assert text == ("dx revealed at earlier steps of this sequence, most frequent first: B (2 of 2 steps, primary 1); "
                    "A (1 of 2 steps, primary 1)")
    text = task.revealed_history([{"dx": t} for t in task.truths])
    # Equal counts: the most recently revealed first (A came at step 2, B last at step 1).
    assert text.endswith("first: A (2 of 3 steps, primary 1); B (2 of 3 steps, primary 1); C (1 of 3 steps, primary 1)")
    assert "unlisted" not in text and task.revealed_history([{"dx": ["A"]}], limit=0).endswith("(+1 more)")
    assert WeatherTask().revealed_history([{"temp_max": 12.0, "rain": "no"}]) == ""  # no top-k target


def test_show_running_shows_the_predictor_the_revealed_answers_of_earlier_steps_only():
    task = _DiagnosisTask()
    sequence = task.sequences()[0]

    def responder(call):
        if call.role == "predict":
            return {"dx": ["A", "B"]}
        return {"patterns": ["recurs"], "corrections": ["rank B first"]}

    lm, engine = scripted_lm(responder)
    with dspy.context(lm=lm):
        out = LLMAsRNN(task, budget=80, schema=TOY_SCHEMA, feedback="measured", show_running=True)(
            steps=sequence.steps, sequence_id=sequence.id)
    predicts = engine.calls_for("predict")
    assert "revealed at earlier steps" not in predicts[0].system + predicts[0].user
    # The list sits under the memory (the system prompt) with the hit rate, and closes the observation (user message).
    listed = "most frequent first: A (1 of 1 steps, primary 1); B (1 of 1 steps)"
    assert listed in predicts[1].user and listed in predicts[1].system and "first answer right" in predicts[1].system
    assert predicts[1].user.index("visit 1") < predicts[1].user.index("most frequent first")
    assert "B (2 of 2 steps, primary 1)" in predicts[2].user and "C (" not in predicts[2].user  # not yet revealed
    assert out.records[0].input == "visit 0" and out.records[1].input.endswith("B (1 of 1 steps)")  # as read
    calls = engine.calls_for("update") + engine.calls_for("critique")
    assert not any("revealed at earlier steps" in c.user + c.system for c in calls)  # the predictor's record only


def _stored_fingerprint(task_name: str) -> str:
    """The fingerprint the committed headline results were written with (the variant's own folder)."""
    folder = Path(__file__).parents[2] / "results" / "headline-show-running" / "sequences"
    stored = next(folder.glob(f"{task_name}-*/llm_as_rnn_measured_mask_values_show_running-*/*.json"))
    return json.loads(stored.read_text())["fingerprint"]


@pytest.mark.parametrize("task_name", ["weather", "finance", "clinical"])
def test_the_committed_headline_results_were_written_by_the_shipped_variant(task_name):
    """`make headline` reruns only what other prompts wrote, so the README's claim that a rerun is served in seconds
    holds only while these match. A change of the variant's prompts fails here until its results are rerun."""
    program = build_method("llm_as_rnn:measured,mask_values,show_running", get_task(task_name))
    assert program.fingerprint() == _stored_fingerprint(task_name)


def test_only_a_top_k_task_shows_the_revealed_list_in_the_observation_and_that_joins_its_fingerprint(monkeypatch):
    """Moving the list changed no configuration option, so the layout must change the fingerprint itself; tasks that
    show no list (weather, finance) keep theirs, and with it their stored results."""
    spec = "llm_as_rnn:measured,mask_values,show_running"
    assert build_method(spec, get_task("weather")).layout() == {}
    assert build_method(spec, get_task("clinical")).layout() == {"revealed_history": "memory and observation"}
    assert build_method("llm_as_rnn:measured,mask_values", get_task("clinical")).layout() == {}
    clinical = build_method(spec, get_task("clinical"))
    shipped = clinical.fingerprint()
    monkeypatch.setattr(type(clinical), "layout", lambda self: {})
    assert clinical.fingerprint() != shipped


def test_a_top_k_answer_minimum_joins_the_fingerprint_and_nothing_else_moves():
    """`dump_state` leaves length limits out, yet they reach the grammar: the exactly-k contract must change the
    stored clinical fingerprints (their Acc@5 changed) and leave weather's and finance's as they were."""
    import annotated_types

    spec = "llm_as_rnn:measured,mask_values,show_running"
    for task_name in ("weather", "finance"):
        program = build_method(spec, get_task(task_name))
        assert not any(isinstance(m, annotated_types.MinLen) for _, p in program.named_predictors()
                       for f in p.signature.output_fields.values() for m in f.metadata)
    clinical = build_method(spec, get_task("clinical"))
    field = clinical.predictor.predict.signature.output_fields["diagnoses"]
    assert [m.min_length for m in field.metadata if isinstance(m, annotated_types.MinLen)] == [5]
    shipped = clinical.fingerprint()
    field.metadata[:] = [m for m in field.metadata if not isinstance(m, annotated_types.MinLen)]
    assert clinical.fingerprint() != shipped
