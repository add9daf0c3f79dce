"""S&P 500 / NASDAQ from the arch wheel: returns, time splits, no dates or index levels in inputs, bad files."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from llm_as_rnn.tasks import DataError
from llm_as_rnn.tasks.finance import FinanceTask, load_daily_returns, series_path


@pytest.fixture(scope="module")
def finance():
    return FinanceTask()


def test_returns_are_percent_changes_of_adjusted_close():
    daily = load_daily_returns().to_pandas()
    raw = pd.read_csv(series_path("sp500"))
    assert len(daily) == len(raw) - 1 == 5030
    expected = (raw["Adj Close"].iloc[1] / raw["Adj Close"].iloc[0] - 1) * 100
    assert daily["return_pct"].iloc[0] == pytest.approx(expected)


def test_splits_are_disjoint_in_time(finance):
    for split, years in (("train", range(1999, 2013)), ("dev", range(2013, 2017)), ("test", (2017, 2018))):
        target_years = {int(s.context["target_date"][:4]) for q in finance.sequences(split, limit=20, steps=5)
                        for s in q.steps}
        assert target_years <= set(years)


def test_inputs_have_no_dates_and_no_index_levels(finance):
    sequence = finance.sequences("test", limit=1, steps=5)[0]
    daily = load_daily_returns().to_pandas().set_index("date")
    for step in sequence.steps:
        assert "2016" not in step.input and "2017" not in step.input
        level = f"{daily.loc[step.context['date'], 'close']:.2f}"
        assert level not in step.input
        rows = step.input.splitlines()[1:-1]
        assert rows[-1].split()[0] == "0" and float(rows[-1].split()[1]) == pytest.approx(
            step.context["today_return_pct"], abs=0.006)
        today = f"Today (day 0): return {step.context['today_return_pct']:+.2f} %"
        assert step.input.splitlines()[-1].startswith(today)
        assert step.target["direction"] == ("up" if step.target["return_pct"] > 0 else "down")
    first = sequence.steps[0].input.splitlines()[1]
    assert first.split()[-1] == "100.00"  # re-based to 100 at the episode's start


def test_nasdaq_is_a_second_series():
    assert FinanceTask(series="nasdaq").sequences("test", limit=1, steps=2)[0].id.startswith("finance-nasdaq")
    with pytest.raises(ValueError, match="unknown series"):
        FinanceTask(series="dow")


def test_bad_price_file_names_row_and_field(tmp_path):
    lines = gzip.open(series_path("sp500"), "rt").read().splitlines()[:6]
    lines[4] = lines[4].rsplit(",", 2)[0] + ",n/a," + lines[4].rsplit(",", 1)[1]
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines))
    with pytest.raises(DataError, match=r"bad.csv, row 5, field 'Adj Close': not a finite number"):
        load_daily_returns(path=path)
    path.write_text("Date,Close\n1/4/1999,1\n")
    with pytest.raises(DataError, match=r"missing column\(s\) \['Adj Close'\]"):
        load_daily_returns(path=path)
