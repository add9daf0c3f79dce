"""Memory structure and the budget: rendering, cleaning, and cuts that never exceed the budget."""

from __future__ import annotations

import pytest

from llm_as_rnn.programs.budget import BudgetError, MemoryBudget
from llm_as_rnn.programs.memory import EMPTY_SECTION, Memory, MemorySchema, Section, clean_bullets

SCHEMA = MemorySchema((Section("a", "First", "x"), Section("b", "Second", "y"), Section("c", "Third", "z")))


def words(text: str) -> int:
    return len(text.split())


def test_render_shows_titles_bullets_and_empty_sections():
    memory = SCHEMA.memory({"a": ["one", "two"], "c": ["three"]})
    assert memory.render() == f"First:\n- one\n- two\nSecond:\n{EMPTY_SECTION}\nThird:\n- three"
    assert memory.as_dict() == {"a": ["one", "two"], "b": [], "c": ["three"]}


def test_clean_bullets_strips_markers_blank_placeholders_and_repeats():
    assert clean_bullets(["- one", "* two", "1. three", "  ", EMPTY_SECTION, "ONE", "•  four  five "]) == (
        "one", "two", "three", "four five")


def test_from_outputs_accepts_lists_strings_and_missing_sections():
    memory = Memory.from_outputs(SCHEMA, {"a": "line one\nline two", "b": None})
    assert memory.as_dict() == {"a": ["line one", "line two"], "b": [], "c": []}


def test_unknown_sections_are_an_error():
    with pytest.raises(ValueError, match="unknown memory sections"):
        SCHEMA.memory({"nope": ["x"]})
    with pytest.raises(ValueError, match="unknown memory sections"):
        SCHEMA.select(["a", "nope"])


def test_select_keeps_schema_order():
    assert SCHEMA.select(["c", "a"]).names == ("a", "c")


def test_fit_cuts_lowest_priority_bullets_first():
    memory = SCHEMA.memory({"a": ["keep me"], "b": ["b one", "b two"], "c": ["c one", "c two"]})
    budget = MemoryBudget(words(memory.render()) - 4)
    fitted, dropped = budget.fit(memory, words)
    assert words(fitted.render()) <= budget.tokens
    assert fitted.as_dict()["a"] == ["keep me"]
    assert dropped >= 1
    assert fitted.as_dict()["c"] != ["c one", "c two"]


def test_fit_keeps_a_prefix_of_a_long_last_bullet():
    long = " ".join(f"w{i}" for i in range(40))
    memory = SCHEMA.memory({"a": [long]})
    budget = MemoryBudget(20)
    fitted, dropped = budget.fit(memory, words)
    assert dropped == 1
    assert words(fitted.render()) <= 20
    assert fitted.as_dict()["a"][0].startswith("w0 w1 w2") and fitted.as_dict()["a"][0].endswith("…")


def test_fit_is_a_no_op_under_budget():
    memory = SCHEMA.memory({"a": ["short"]})
    assert MemoryBudget(100).fit(memory, words) == (memory, 0)


def test_infeasible_budget_is_refused_with_the_size_needed():
    with pytest.raises(BudgetError, match="cannot hold the 3 empty sections"):
        MemoryBudget(3).check_feasible(SCHEMA, words)
    with pytest.raises(BudgetError, match="positive"):
        MemoryBudget(0).check_feasible(SCHEMA, words)


def test_section_validation():
    with pytest.raises(ValueError, match="identifier"):
        Section("not valid", "T", "d")
    with pytest.raises(ValueError, match="distinct"):
        MemorySchema((Section("a", "A", "x"), Section("a", "B", "y")))


def test_an_initial_memory_over_budget_is_refused_when_the_program_is_built():
    import dspy

    from llm_as_rnn.programs import LLMAsRNN
    from llm_as_rnn.programs.budget import BudgetError
    from tests.scripted import scripted_lm
    from tests.toy_task import TOY_SCHEMA, ToyTask, toy_responder

    lm, engine = scripted_lm(toy_responder)
    h0 = TOY_SCHEMA.memory({"patterns": ["a long remembered note " * 20]})
    with dspy.context(lm=lm), pytest.raises(BudgetError, match="initial memory h_0 uses"):
        LLMAsRNN(ToyTask(), budget=60, initial_memory=h0)
    assert engine.calls == []  # refused before any LM call
