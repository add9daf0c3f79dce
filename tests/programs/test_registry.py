"""Method specs: a memory method finds its shuffled-truth control among the methods of a run."""

from __future__ import annotations

from llm_as_rnn.programs.registry import control_of, parse_method, split_methods


def test_method_specs_with_options_split_and_parse():
    specs = split_methods("zero_shot,llm_as_rnn:measured,mask_values,fhc")
    assert specs == ["zero_shot", "llm_as_rnn:measured,mask_values", "fhc"]
    assert parse_method(specs[1]) == ("llm_as_rnn", {"feedback": "measured", "mask_values": True})
    assert parse_method("llm_as_rnn:show_running")[1] == {"show_running": True}


def test_the_control_is_the_same_program_with_only_the_feedback_replaced():
    run = ["persistence", "saved:tuned", "zero_shot", "llm_as_rnn", "llm_as_rnn:shuffled",
           "llm_as_rnn:measured,mask_values", "llm_as_rnn:mask_values,shuffled_measured",
           "llm_as_rnn:shuffled_measured", "llm_as_rnn:judge"]
    assert control_of("llm_as_rnn", run) == "llm_as_rnn:shuffled"  # truth is the default feedback
    assert control_of("llm_as_rnn:measured,mask_values", run) == "llm_as_rnn:mask_values,shuffled_measured"
    assert control_of("llm_as_rnn:judge", run) is None  # a judge never sees the truth: no shuffled twin
    assert control_of("llm_as_rnn:measured,budget=120", run) is None  # other options: not its control
    assert control_of("zero_shot", run) is None
    assert control_of("llm_as_rnn:shuffled", run) is None  # a control has no control
    assert control_of("saved:tuned", run) is None and control_of("persistence", run) is None
