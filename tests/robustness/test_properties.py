"""Property tests: whatever the LM writes, the memory budget holds; every corrupted row is reported, never skipped."""

from __future__ import annotations

import dspy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llm_as_rnn.programs import LLMAsRNN
from llm_as_rnn.programs.memory import MemorySchema
from llm_as_rnn.tasks import DataError
from tests.scripted import scripted_lm
from tests.toy_task import ToyTask, toy_responder

bullets = st.lists(st.text(min_size=0, max_size=300), max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(budget=st.integers(min_value=8, max_value=200), first=st.tuples(bullets, bullets),
       second=st.tuples(bullets, bullets), malformed=st.booleans())
def test_the_memory_budget_is_never_exceeded(budget, first, second, malformed):
    task = ToyTask()
    answers = iter([first, second] * 10)

    def responder(call):
        if call.role == "update":
            patterns, corrections = next(answers)
            if malformed and not patterns:
                return "{not json"
            return {"patterns": patterns, "corrections": corrections}
        return toy_responder(call)

    lm, engine = scripted_lm(responder)
    sequence = task.sequences(limit=1, steps=2)[0]
    count = engine.count_tokens
    if count(MemorySchema.of(task.memory_spec).empty().render()) >= budget:
        return  # refused up front (tested elsewhere)
    with dspy.context(lm=lm):
        out = LLMAsRNN(task, budget=budget)(steps=sequence.steps, sequence_id=sequence.id)
    assert all(count(memory) <= budget for memory in out.memories)
    assert all(n <= budget for n in out.memory_tokens)


CORRUPTIONS = st.sampled_from(["", "NaN", "inf", "abc", "1,2", "--3", " "])


def _corrupt(lines: list[str], row: int, column: int, value: str) -> list[str]:
    cells = lines[row].split(",")
    cells[column] = value
    return [*lines[:row], ",".join(cells), *lines[row + 1:]]


@settings(max_examples=40, deadline=None)
@given(row=st.integers(min_value=1, max_value=30), column=st.sampled_from([1, 2, 3, 4]), value=CORRUPTIONS)
def test_every_corrupted_weather_row_is_reported(tmp_path_factory, row, column, value):
    from llm_as_rnn.tasks.weather import load_daily, seattle_weather_path

    lines = seattle_weather_path().read_text().splitlines()[:40]
    path = tmp_path_factory.mktemp("w") / "weather.csv"
    path.write_text("\n".join(_corrupt(lines, row, column, value)))
    field = lines[0].split(",")[column]
    with pytest.raises(DataError, match=rf"row {row + 1}(, field '{field}'|: malformed CSV row)"):
        load_daily(path)


@settings(max_examples=40, deadline=None)
@given(row=st.integers(min_value=1, max_value=30), value=CORRUPTIONS)
def test_every_corrupted_price_row_is_reported(tmp_path_factory, row, value):
    import gzip

    from llm_as_rnn.tasks.finance import load_daily_returns, series_path

    lines = gzip.open(series_path("sp500"), "rt").read().splitlines()[:40]
    path = tmp_path_factory.mktemp("f") / "prices.csv"
    path.write_text("\n".join(_corrupt(lines, row, 5, value)))
    with pytest.raises(DataError, match=rf"row {row + 1}(, field 'Adj Close'|: malformed CSV row)"):
        load_daily_returns(path=path)


@settings(max_examples=40, deadline=None)
@given(row=st.integers(min_value=0, max_value=19), value=st.sampled_from(["", "lots", "nan", "inf"]))
def test_every_corrupted_custom_row_is_reported(tmp_path_factory, row, value):
    import json

    from llm_as_rnn.tasks import get_task

    folder = tmp_path_factory.mktemp("c")
    rows = [f"s{i // 4},{i % 4},1,{10 + i}" for i in range(20)]
    cells = rows[row].split(",")
    cells[3] = value
    rows[row] = ",".join(cells)
    (folder / "data.csv").write_text("\n".join(["store,week,promo,units", *rows]))
    (folder / "spec.json").write_text(json.dumps({"data": "data.csv", "sequence_id": "store", "order": "week",
                                                   "inputs": ["promo"], "target": "units", "kind": "regression"}))
    task = get_task("custom", spec=folder / "spec.json")
    with pytest.raises(DataError, match=rf"row {row + 2}, field 'units'"):
        task.sequences("test")
