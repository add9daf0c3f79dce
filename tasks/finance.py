"""Finance: next-day % return of the S&P 500 (or NASDAQ) index from the recent days, `arch` wheel data 1999-2018.

Inputs carry recent daily % returns and the close re-based to 100 at the episode's start, with relative day
indices and no dates: LLMs have memorised historical index levels, so neither levels nor dates are shown. Targets
are the next-day % return (regression) and its direction (up / down). Splits by time: train 1999-2012,
dev 2013-2016, test 2017-2018 (by the date of the predicted day). Expect nothing to beat the zero-return forecast
by much: daily index returns are close to unpredictable.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

import datasets
import pandas as pd

from llm_as_rnn.anchors import finance, persistence
from llm_as_rnn.tasks.base import Anchor, Step, StepSequence, Target, Task, daily_blocks
from llm_as_rnn.tasks.memory_spec import MemorySpec, Section
from llm_as_rnn.tasks.table import DataError, date_column, numeric_column, read_table

SERIES = {"sp500": "S&P 500", "nasdaq": "NASDAQ Composite"}
WINDOW_DAYS = 10
SPLIT_YEARS = {"train": range(1999, 2013), "dev": range(2013, 2017), "test": range(2017, 2019)}

FINANCE_SCHEMA = MemorySpec(
    (
        Section("regime", "Market regime", "the recent trend and volatility of this index, with numbers"),
        Section("corrections", "Recent errors and corrections",
                "how your last forecasts were off (too high or too low, by how much) and how to adjust"),
        Section("watch", "Watch-list", "what to check at the next step"),
    ),
    example={
        "regime": ("<the trend and size of daily moves seen so far, with numbers>",),
        "corrections": ("<the sign and size of my forecast errors so far (see 'Sequence so far') and the "
                        "adjustment they call for>",),
        "watch": ("<a pattern in this sequence that should change the next forecast>",),
    },
)


def series_path(series: str) -> Path:
    """The CSV inside the installed `arch` wheel (found without importing arch, which pulls statsmodels)."""
    if series not in SERIES:
        raise ValueError(f"unknown series {series!r}; choose one of {', '.join(SERIES)}")
    spec = importlib.util.find_spec("arch")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the finance task needs the 'arch' package (it ships the index data): pip install arch")
    return Path(spec.submodule_search_locations[0]) / "data" / series / f"{series}.csv.gz"


def load_daily_returns(series: str = "sp500", path: str | Path | None = None) -> datasets.Dataset:
    """Daily adjusted closes and % returns as an HF dataset, checked and sorted."""
    path = Path(path) if path else series_path(series)
    frame = read_table(path, required=("Date", "Adj Close"))
    daily = pd.DataFrame({"date": date_column(frame, "Date", path, date_format="%m/%d/%Y"),
                          "close": numeric_column(frame, "Adj Close", path)})
    if (daily["close"] <= 0).any():
        index = int((daily["close"] <= 0).to_numpy().nonzero()[0][0])
        raise DataError(path, "non-positive close", row=index + 2, field="Adj Close")
    daily = daily.sort_values("date").reset_index(drop=True)
    if daily["date"].duplicated().any():
        index = int(daily["date"].duplicated().to_numpy().nonzero()[0][0])
        raise DataError(path, f"duplicate date {daily['date'].iloc[index].date()}", field="Date")
    daily["return_pct"] = daily["close"].pct_change() * 100
    daily = daily.iloc[1:].reset_index(drop=True)
    daily["date"] = daily["date"].dt.strftime("%Y-%m-%d")
    return datasets.Dataset.from_pandas(daily, preserve_index=False)


class FinanceTask(Task):
    """Next-day % return and direction of a stock index from the last `window` trading days."""

    name = "finance"
    anchors: ClassVar[Mapping[str, Anchor]] = {
        "zero_return": finance.zero_return, "persistence": persistence.finance_persistence,
        "train_mean": finance.train_mean_return}
    primary_anchor = "zero_return"
    table_metrics = ("return_pct.abs_error", "return_pct.sq_error", "direction.correct", "self_correction")
    series_column = "return_pct"
    split_years = SPLIT_YEARS
    targets = (
        Target("return_pct", "regression", "tomorrow's daily return of the index", unit="%", decimals=2,
               scale=0.5),
        Target("direction", "label", "does the index close higher tomorrow", labels=("up", "down")),
    )

    def __init__(self, *, series: str = "sp500", window: int = WINDOW_DAYS, path: str | Path | None = None):
        if window < 1:
            raise ValueError(f"finance window must be at least 1 day, got {window}")
        series_path(series)  # validates the name
        self.series, self.window, self.path = series, window, path
        self.description = (
            f"Forecast tomorrow's daily return of the {SERIES[series]} index from the last {window} trading days "
            "(day 0 is today; the close is re-based to 100 at the start of the episode)."
        )

    @property
    def memory_spec(self) -> MemorySpec:
        return FINANCE_SCHEMA

    def correct(self, prediction, target) -> bool | None:
        """A step is right when the predicted direction is (directional accuracy)."""
        if prediction is None:
            return False  # a failed forecast is a miss
        if prediction.get("direction") is None:
            return None  # a predictor that makes no direction call (an anchor) is not scored on it
        return str(prediction["direction"]) == str(target["direction"])

    @functools.cached_property
    def daily(self) -> datasets.Dataset:
        return load_daily_returns(self.series, self.path)

    def sequences(self, split: str, *, limit: int | None = None, steps: int | None = None) -> list[StepSequence]:
        self.check_split(split)
        frame = self.daily.to_pandas()
        blocks = daily_blocks(list(frame["date"]), window=self.window, steps=steps or 10, years=SPLIT_YEARS[split],
                              limit=limit)
        return [self._episode(frame, block) for block in blocks]

    def _episode(self, frame: pd.DataFrame, block: list[int]) -> StepSequence:
        base = frame["close"].iloc[block[0] - self.window + 1]
        steps = []
        for d in block:
            days = frame.iloc[d - self.window + 1:d + 1]
            tomorrow = frame.iloc[d + 1]
            steps.append(Step(
                input=self.format_input(days, base),
                target={"return_pct": round(float(tomorrow["return_pct"]), 4),
                        "direction": "up" if tomorrow["return_pct"] > 0 else "down"},
                context={"date": str(frame["date"].iloc[d]), "target_date": str(tomorrow["date"]),
                         "today_return_pct": float(frame["return_pct"].iloc[d])},
            ))
        return StepSequence(id=f"finance-{self.series}-{frame['date'].iloc[block[0]]}", steps=tuple(steps))

    def format_input(self, days: pd.DataFrame, base: float) -> str:
        """Oldest day first, fixed decimals, relative indices, no dates or levels, and today's move stated again
        at the end (small models otherwise copy a row of the table instead of reading today's; see weather)."""
        lines = ["day  return_pct  close_rebased"]
        for offset, (_, day) in zip(range(1 - len(days), 1), days.iterrows(), strict=True):
            lines.append(f"{offset:>3}  {day['return_pct']:>+10.2f}  {100 * day['close'] / base:>13.2f}")
        today = days.iloc[-1]
        lines.append(f"Today (day 0): return {today['return_pct']:+.2f} %, close {100 * today['close'] / base:.2f} "
                     "(re-based).")
        return "\n".join(lines)
