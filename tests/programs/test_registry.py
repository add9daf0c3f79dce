"""Method specs: a memory method finds its shuffled-truth control among the methods of a run."""

from __future__ import annotations

import pytest

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


def test_a_method_may_name_its_own_backbone_and_is_never_run_on_another():
    from llm_as_rnn.backbones.roles import Roles
    from llm_as_rnn.programs.registry import MethodError, build_method
    from tests.toy_task import ToyTask

    spec = "llm_as_rnn:measured,backbone=ollama_chat/llama3:8b"  # a ':' inside the model string is kept
    assert split_methods(f"zero_shot,{spec},fhc") == ["zero_shot", spec, "fhc"]
    assert parse_method(spec)[1]["backbone"] == "ollama_chat/llama3:8b"
    assert "backbone" not in parse_method("zero_shot")[1]
    asked, own, main = [], Roles(), Roles()
    program = build_method(spec, ToyTask(), roles=main, roles_for=lambda text: asked.append(text) or own)
    assert asked == ["ollama_chat/llama3:8b"] and program.roles is own and program.feedback_mode == "measured"
    assert build_method(spec, ToyTask()).roles is not own  # checked only (before any backbone is loaded)
    with pytest.raises(MethodError, match="no loader"):
        build_method(spec, ToyTask(), roles=main)
    with pytest.raises(MethodError, match=r"backbone 'gpt4'.*not a model string"):
        build_method("zero_shot:backbone=gpt4", ToyTask())
    # The control of a method on its own backbone runs on the same backbone.
    control = "llm_as_rnn:shuffled_measured,backbone=ollama_chat/llama3:8b"
    assert control_of(spec, ["llm_as_rnn:shuffled_measured", control]) == control
