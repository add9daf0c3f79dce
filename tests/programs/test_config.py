"""RNNConfig is the one place LLM-as-RNN's settings are declared: the CLI flags, the method-spec parser, the Optuna
search space and a program's saved configuration are all derived from it, and its rules are checked once."""

from __future__ import annotations

import argparse
import dataclasses

import pytest

from llm_as_rnn.optimize.tune import search_params
from llm_as_rnn.programs import LLMAsRNN
from llm_as_rnn.programs.config import (
    RULES,
    SETTINGS,
    ConfigError,
    RNNConfig,
    add_config_arguments,
    allowed_choices,
    config_from_args,
    format_spec,
    given_settings,
    search_choices,
    searched_settings,
)
from llm_as_rnn.programs.feedback_modes import FEEDBACK_MODES
from llm_as_rnn.programs.registry import parse_method
from tests.toy_task import ToyTask


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    add_config_arguments(parser)
    return parser


def test_every_setting_has_a_flag_whose_help_shows_its_default():
    help_text = " ".join(_parser().format_help().split())
    for name, f in SETTINGS.items():
        flag = f"--{name.replace('_', '-')}"
        assert flag in help_text, name
        shown = "the task's" if f.default is None else "off" if f.default is False else str(f.default)
        assert f"(default: {shown})" in help_text, name


def test_flags_left_out_are_not_given_and_build_the_defaults():
    args = _parser().parse_args([])
    assert given_settings(args) == {} and config_from_args(args) == RNNConfig()
    args = _parser().parse_args(["--budget", "120", "--feedback", "measured", "--mask-values", "--sections", "a,b"])
    assert given_settings(args) == {"budget": 120, "feedback": "measured", "mask_values": True,
                                    "sections": ("a", "b")}


def test_bad_flag_values_are_refused_by_the_parser():
    for argv in (["--budget", "0"], ["--recent-steps", "-1"], ["--feedback", "nope"], ["--policy", "append"]):
        with pytest.raises(SystemExit):
            _parser().parse_args(argv)


def test_a_spec_round_trips_through_format_spec():
    config = RNNConfig(budget=120, feedback="measured", mask_values=True, show_running=True, policy="delta",
                       sections=("patterns",), recent_steps=2)
    spec = format_spec(config)
    name, options = parse_method(spec)
    assert name == "llm_as_rnn" and RNNConfig(**options) == config
    assert format_spec(RNNConfig()) == "llm_as_rnn"


def test_the_gated_rule_is_one_rule_and_every_user_of_it_agrees():
    assert [r.names for r in RULES if "feedback" in r.names] == [("policy", "feedback")]  # declared once
    grounded = [name for name, mode in FEEDBACK_MODES.items() if mode.grounded]
    assert grounded == ["truth", "measured"]
    for name in FEEDBACK_MODES:  # the config, the program and the search accept exactly the same modes
        if name in grounded:
            RNNConfig(policy="gated", feedback=name)
            LLMAsRNN(ToyTask(), policy="gated", feedback=name)
        else:
            with pytest.raises(ConfigError, match="reveals y_t"):
                RNNConfig(policy="gated", feedback=name)
    allowed, key = allowed_choices("feedback", search_choices("feedback", sections=("a",)), {"policy": "gated"})
    assert allowed == grounded and key == "feedback[policy=gated]"
    allowed, key = allowed_choices("feedback", search_choices("feedback", sections=("a",)), {"policy": "rewrite"})
    assert key == "feedback" and "judge" in allowed and "shuffled" not in allowed  # controls are never chosen


def test_a_saved_config_maps_to_the_parameters_the_search_would_record():
    task = ToyTask()
    names = task.memory_spec.names
    config = RNNConfig(budget=128, policy="gated", feedback="measured", sections=("corrections",), show_running=True)
    params = search_params(config, sections=names, budgets=(64, 128))
    assert params["feedback[policy=gated]"] == "measured" and "feedback" not in params
    assert params["sections"] == "corrections" and params["budget"] == 128 and params["show_running"] is True
    # shared_context is not searched under the gated policy (one value left), so no parameter records it
    assert set(params) == {("feedback[policy=gated]" if n == "feedback" else n) for n in searched_settings()
                           if n != "shared_context"}


def test_saved_settings_keep_the_fingerprint_keys_of_older_programs():
    saved = RNNConfig().saved(sections=("a", "b"))
    assert "mask_values" not in saved and "show_running" not in saved and "adjust" not in saved
    assert RNNConfig(mask_values=True).saved(sections=("a",))["mask_values"] is True
    assert RNNConfig.from_saved({**saved, "program": "llm_as_rnn", "task": "toy"}) == RNNConfig(sections=("a", "b"))


def test_the_program_keeps_its_config_and_keywords_override_it():
    program = LLMAsRNN(ToyTask(), RNNConfig(budget=90), feedback="measured")
    assert program.settings == RNNConfig(budget=90, feedback="measured")
    assert program.config()["budget"] == 90 and program.config()["feedback"] == "measured"
    assert all(f.name in SETTINGS for f in dataclasses.fields(RNNConfig))
