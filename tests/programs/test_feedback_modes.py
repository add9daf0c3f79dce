"""The feedback modes are one table: its rows agree with the critic's behaviour, and every reader takes it from
there (the spec parser, the CLI choices, the search)."""

from __future__ import annotations

import dspy
import pytest

from llm_as_rnn.programs.config import SETTINGS, search_choices
from llm_as_rnn.programs.critic import Critic
from llm_as_rnn.programs.feedback_modes import CONTROL_FOR, FEEDBACK_MODES, feedback_mode, revealed_targets
from llm_as_rnn.programs.registry import parse_method
from tests.toy_task import ToyTask


def test_every_row_is_consistent():
    for name, mode in FEEDBACK_MODES.items():
        assert mode.name == name and mode.help
        assert (mode.signature is not None) == mode.calls_lm, name
        if mode.control_of:
            control = FEEDBACK_MODES[mode.control_of]
            assert CONTROL_FOR[mode.control_of] == name
            assert (control.calls_lm, control.signature) == (mode.calls_lm, mode.signature)  # only the truth differs


def test_the_critic_calls_an_lm_exactly_for_the_modes_that_say_so():
    for name, mode in FEEDBACK_MODES.items():
        critic = Critic(ToyTask(), name)
        assert critic.call_lm == mode.calls_lm
        assert isinstance(getattr(critic, "critique", None), dspy.Predict) == mode.calls_lm


def test_what_each_mode_reveals():
    truths = [{"next": float(i)} for i in range(5)]
    for name, mode in FEEDBACK_MODES.items():
        shown = revealed_targets(name, truths, seed=3)
        if not mode.reveals_truth:
            assert shown == [None] * 5
        elif mode.is_control:  # never this step's truth or a later one
            assert shown[0] is None and all(s is None or s["next"] < t for t, s in enumerate(shown))
        else:
            assert shown == truths


def test_readers_take_the_modes_from_the_table():
    assert SETTINGS["feedback"].metadata["choices"] == tuple(FEEDBACK_MODES)
    assert set(search_choices("feedback", sections=("a",))) == {n for n, m in FEEDBACK_MODES.items()
                                                                 if not m.is_control}
    for name in FEEDBACK_MODES:
        assert parse_method(f"llm_as_rnn:{name}") == ("llm_as_rnn", {"feedback": name})
    with pytest.raises(ValueError, match="unknown feedback mode"):
        feedback_mode("oracle")
